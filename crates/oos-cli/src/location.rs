//! Command-line locations: `s3://bucket/key` or a local path.

use crate::CliError;

/// A command-line location: `s3://bucket/key` or a local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A bucket and a key or prefix (possibly empty).
    Remote { bucket: String, key: String },
    /// A local path (`-` is stdin/stdout).
    Local(String),
}

impl Location {
    pub fn parse(s: &str) -> Location {
        match s.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                Location::Remote {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                }
            }
            None => Location::Local(s.to_string()),
        }
    }
}

/// `s3://bucket[/key]` or an error naming the argument.
pub fn remote(s: &str) -> Result<(String, String), CliError> {
    match Location::parse(s) {
        Location::Remote { bucket, key } if !bucket.is_empty() => Ok((bucket, key)),
        _ => Err(CliError::usage(format!(
            "{s}: expected a remote path s3://bucket[/key]"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_and_local_paths() {
        assert_eq!(
            Location::parse("s3://b/a/b"),
            Location::Remote {
                bucket: "b".into(),
                key: "a/b".into()
            }
        );
        assert_eq!(
            Location::parse("s3://b"),
            Location::Remote {
                bucket: "b".into(),
                key: "".into()
            }
        );
        assert_eq!(Location::parse("./x"), Location::Local("./x".into()));
        assert!(remote("./x").is_err());
        assert!(remote("s3://").is_err());
    }
}

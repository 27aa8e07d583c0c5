//! Storage classes: the S3 names and the OOS erasure-coded layouts `EC_N_M`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageClass {
    Standard,
    ReducedRedundancy,
    StandardIa,
    /// N data shards + M parity shards; M = 0 means N replicas.
    Ec {
        data: u8,
        parity: u8,
    },
}

impl StorageClass {
    /// Parses the `x-amz-storage-class` value. `None` for anything else, which the server
    /// answers with `400 InvalidStorageClass`.
    pub fn parse(s: &str) -> Option<StorageClass> {
        match s {
            "STANDARD" => Some(StorageClass::Standard),
            "REDUCED_REDUNDANCY" => Some(StorageClass::ReducedRedundancy),
            "STANDARD_IA" => Some(StorageClass::StandardIa),
            _ => {
                let rest = s.strip_prefix("EC_")?;
                let (n, m) = rest.split_once('_')?;
                let digits = |x: &str| {
                    !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit())
                };
                if !digits(n) || !digits(m) {
                    return None;
                }
                let (data, parity) = (n.parse().ok()?, m.parse().ok()?);
                (data >= 1 && u16::from(data) + u16::from(parity) <= 32)
                    .then_some(StorageClass::Ec { data, parity })
            }
        }
    }
}

impl fmt::Display for StorageClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageClass::Standard => f.write_str("STANDARD"),
            StorageClass::ReducedRedundancy => f.write_str("REDUCED_REDUNDANCY"),
            StorageClass::StandardIa => f.write_str("STANDARD_IA"),
            StorageClass::Ec { data, parity } => write!(f, "EC_{data}_{parity}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_layouts() {
        assert_eq!(
            StorageClass::parse("STANDARD"),
            Some(StorageClass::Standard)
        );
        assert_eq!(
            StorageClass::parse("EC_2_1"),
            Some(StorageClass::Ec { data: 2, parity: 1 })
        );
        assert_eq!(StorageClass::parse("EC_3_0").unwrap().to_string(), "EC_3_0");
        for bad in [
            "", "standard", "EC_0_1", "EC_2", "EC_2_x", "EC_-1_2", "EC_40_40", "GLACIER",
        ] {
            assert_eq!(StorageClass::parse(bad), None, "{bad}");
        }
    }
}

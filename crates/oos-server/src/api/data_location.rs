//! The OOS `x-ctyun-data-location` request header (oos-api B 5) on PutObject, CopyObject and
//! CreateMultipartUpload: `type=Local|Specified,[location=R1,R2,…,]scheduleStrategy=Allowed|NotAllowed`.

use http::HeaderMap;
use oos_proto::headers::X_CTYUN_DATA_LOCATION;

use crate::error::S3Result;
use crate::s3_error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLocation {
    pub specified: bool,
    pub regions: Vec<String>,
    pub schedule_allowed: bool,
}

/// Parses the exact OOS syntax (the server's regex
/// `^type=(Local|Specified),(location=(([^,\s]+,)*[^,\s]+),){0,1}scheduleStrategy=(Allowed|NotAllowed)$`).
pub fn parse(value: &str) -> Option<DataLocation> {
    let rest = value.strip_prefix("type=")?;
    let (kind, rest) = rest.split_once(',')?;
    let specified = match kind {
        "Local" => false,
        "Specified" => true,
        _ => return None,
    };
    let (middle, strategy) = match rest.rsplit_once("scheduleStrategy=") {
        Some((m, s)) => (m, s),
        None => return None,
    };
    let schedule_allowed = match strategy {
        "Allowed" => true,
        "NotAllowed" => false,
        _ => return None,
    };
    let mut regions = Vec::new();
    if !middle.is_empty() {
        let list = middle.strip_prefix("location=")?.strip_suffix(',')?;
        for r in list.split(',') {
            if r.is_empty() || r.chars().any(char::is_whitespace) {
                return None;
            }
            if !regions.iter().any(|x| x == r) {
                regions.push(r.to_string());
            }
        }
    }
    if specified && regions.is_empty() {
        return None;
    }
    Some(DataLocation {
        specified,
        regions,
        schedule_allowed,
    })
}

/// The header, when present, checked against the exact syntax. Whether its regions may be
/// used is the placement's question (`crate::placement`).
pub fn from_headers(headers: &HeaderMap) -> S3Result<Option<DataLocation>> {
    let Some(raw) = headers.get(X_CTYUN_DATA_LOCATION) else {
        return Ok(None);
    };
    let text = raw
        .to_str()
        .map_err(|_| s3_error!(InvalidLocationConstraint))?;
    let location = parse(text).ok_or_else(|| {
        s3_error!(
            InvalidLocationConstraint,
            "The specified location constraint is not valid: {text}"
        )
    })?;
    Ok(Some(location))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oos_syntax() {
        let l = parse("type=Local,scheduleStrategy=Allowed").unwrap();
        assert!(!l.specified && l.regions.is_empty() && l.schedule_allowed);
        let l = parse("type=Specified,location=ChengDu,LaSa,ChengDu,scheduleStrategy=NotAllowed")
            .unwrap();
        assert_eq!(l.regions, vec!["ChengDu", "LaSa"], "duplicates collapse");
        assert!(l.specified && !l.schedule_allowed);
        for bad in [
            "",
            "type=Local",
            "type=Specified,scheduleStrategy=Allowed",
            "type=Remote,scheduleStrategy=Allowed",
            "type=Local,scheduleStrategy=Maybe",
            "type=Specified,location=,scheduleStrategy=Allowed",
            "type=Specified,location=A,,B,scheduleStrategy=Allowed",
            "type=Specified,location=A B,scheduleStrategy=Allowed",
            "scheduleStrategy=Allowed,type=Local",
            "type=Local, scheduleStrategy=Allowed",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}

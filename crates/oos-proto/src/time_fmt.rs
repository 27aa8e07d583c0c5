//! The two time formats of S3: ISO 8601 with milliseconds in XML, RFC 7231 in headers.

use time::{format_description::well_known::Rfc2822, macros::format_description, OffsetDateTime};

/// `2009-10-12T17:50:30.000Z`, as S3 writes `LastModified` and `CreationDate`.
pub fn iso8601_millis(unix_millis: i64) -> String {
    let t = from_millis(unix_millis);
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&fmt).unwrap_or_default()
}

/// `Wed, 12 Oct 2009 17:50:30 GMT`, as in `Last-Modified` and `Date`.
pub fn http_date(unix_millis: i64) -> String {
    let t = from_millis(unix_millis);
    let fmt = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.format(&fmt).unwrap_or_default()
}

/// Parses the HTTP date forms clients send in conditional headers (RFC 7231 IMF-fixdate,
/// RFC 2822 with a numeric zone), returning Unix seconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let imf = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    if let Ok(t) = time::PrimitiveDateTime::parse(s, &imf) {
        return Some(t.assume_utc().unix_timestamp());
    }
    OffsetDateTime::parse(s, &Rfc2822)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Parses an ISO 8601 / RFC 3339 time (`2030-01-01T00:00:00Z`, with or without a fraction
/// or with an offset), returning Unix milliseconds (finer digits are dropped).
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

fn from_millis(unix_millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(unix_millis as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_s3() {
        let t = 1_255_369_830_123; // 2009-10-12T17:50:30.123Z
        assert_eq!(iso8601_millis(t), "2009-10-12T17:50:30.123Z");
        assert_eq!(http_date(t), "Mon, 12 Oct 2009 17:50:30 GMT");
        assert_eq!(
            parse_http_date("Mon, 12 Oct 2009 17:50:30 GMT"),
            Some(1_255_369_830)
        );
        assert_eq!(
            parse_http_date("Mon, 12 Oct 2009 17:50:30 +0000"),
            Some(1_255_369_830)
        );
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(parse_iso8601("2009-10-12T17:50:30.123456Z"), Some(t));
        assert_eq!(parse_iso8601("2009-10-12T19:50:30.123+02:00"), Some(t));
        assert_eq!(parse_iso8601("2009-10-12"), None);
    }
}

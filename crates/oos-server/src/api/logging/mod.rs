//! Bucket access logging: PUT / GET `?logging`, access-log records and their delivery.
//!
//! Every request to a bucket with logging enabled becomes one line in the S3 server access log
//! format ([`line`]), appended to a journal on disk and delivered in batches as objects into the
//! target bucket ([`journal`], which also explains why no line is lost or delivered twice).

mod journal;
mod line;

use http::{Response, StatusCode};
use oos_meta::Bucket;
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;
use crate::state::Server;

/// A `BucketLoggingStatus` document is small; this bounds what we read.
const MAX_BODY: u64 = 64 * 1024;
/// Longest accepted `TargetPrefix`: a log key adds 37 characters and keys end at 1024 bytes.
pub const MAX_PREFIX_BYTES: usize = 512;
/// The kind under which the configuration is stored with the bucket.
const CONFIG_KIND: &str = "logging";

/// The stored configuration (JSON in the bucket's config list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LoggingConfig {
    pub(crate) target_bucket: String,
    pub(crate) target_prefix: String,
}

fn config_of(bucket: &Bucket) -> Option<LoggingConfig> {
    bucket
        .config
        .iter()
        .find(|(k, _)| k == CONFIG_KIND)
        .and_then(|(_, v)| serde_json::from_str(v).ok())
}

// ---------- the documents ----------

#[derive(Debug, Deserialize)]
struct StatusIn {
    #[serde(rename = "LoggingEnabled")]
    logging_enabled: Option<EnabledIn>,
}

#[derive(Debug, Deserialize)]
struct EnabledIn {
    #[serde(rename = "TargetBucket")]
    target_bucket: Option<String>,
    #[serde(rename = "TargetPrefix")]
    target_prefix: Option<String>,
}

#[derive(Debug, Serialize)]
struct StatusOut<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "LoggingEnabled", skip_serializing_if = "Option::is_none")]
    logging_enabled: Option<EnabledOut<'a>>,
}

#[derive(Debug, Serialize)]
struct EnabledOut<'a> {
    #[serde(rename = "TargetBucket")]
    target_bucket: &'a str,
    #[serde(rename = "TargetPrefix")]
    target_prefix: &'a str,
}

/// The local name of the document's root element.
fn root_name(text: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Parses a `BucketLoggingStatus`: `None` disables logging.
pub(crate) fn parse_status(body: &[u8]) -> S3Result<Option<LoggingConfig>> {
    let text = std::str::from_utf8(body).map_err(|_| s3_error!(MalformedXML))?;
    if root_name(text).as_deref() != Some("BucketLoggingStatus") {
        return Err(s3_error!(MalformedXML));
    }
    let doc: StatusIn = oos_proto::xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    let Some(enabled) = doc.logging_enabled else {
        return Ok(None);
    };
    let target_bucket = enabled.target_bucket.unwrap_or_default().trim().to_string();
    let target_prefix = enabled.target_prefix.unwrap_or_default();
    if target_bucket.is_empty() {
        return Err(s3_error!(
            InvalidArgument,
            "LoggingEnabled needs a TargetBucket."
        ));
    }
    if target_prefix.len() > MAX_PREFIX_BYTES {
        return Err(s3_error!(
            InvalidArgument,
            "TargetPrefix cannot be longer than {MAX_PREFIX_BYTES} bytes."
        ));
    }
    Ok(Some(LoggingConfig {
        target_bucket,
        target_prefix,
    }))
}

// ---------- the handlers ----------

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketLogging", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_BODY).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(s3_error!(MalformedXML));
    }
    let config = parse_status(&body)?;
    let stored = match &config {
        None => None,
        Some(c) => {
            let target = ctx.server.meta.get_bucket(&c.target_bucket).await?;
            if target.is_none_or(|t| t.owner != bucket.owner) {
                return Err(s3_error!(
                    InvalidTargetBucketForLogging,
                    "The target bucket for logging does not exist or is not owned by you."
                ));
            }
            Some(serde_json::to_string(c).expect("a config always serializes"))
        }
    };
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KIND, stored.as_deref())
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketLogging", Need::Owner, None)
        .await?;
    let mut config = config_of(&bucket);
    if let Some(c) = &config {
        // A deleted target bucket silently clears the configuration (OOS).
        if ctx
            .server
            .meta
            .get_bucket(&c.target_bucket)
            .await?
            .is_none()
        {
            ctx.server
                .meta
                .set_bucket_config(&bucket.name, CONFIG_KIND, None)
                .await?;
            config = None;
        }
    }
    let doc = StatusOut {
        xmlns: oos_proto::headers::S3_XMLNS,
        logging_enabled: config.as_ref().map(|c| EnabledOut {
            target_bucket: &c.target_bucket,
            target_prefix: &c.target_prefix,
        }),
    };
    Ok(response::xml("BucketLoggingStatus", &doc))
}

// ---------- records ----------

/// Records one request for its bucket's access log (when the bucket has logging enabled).
/// Log delivery writes objects without going through the request pipeline, so it never
/// produces records of its own.
pub async fn record(
    server: &Server,
    info: &crate::front::RequestInfo,
    status: u16,
    bytes_sent: u64,
    elapsed: std::time::Duration,
) {
    let Some(name) = info.bucket.as_deref() else {
        return;
    };
    if name.is_empty() || matches!(info.op, "Admin" | "Health" | "Metrics" | "IAM") {
        return;
    }
    // The row the handler loaded saves a read, except when this request changed the logging
    // configuration itself (the request that enables logging is logged).
    let bucket = match &info.bucket_row {
        Some(b) if b.name == name && info.op != "PutBucketLogging" => b.clone(),
        _ => match server.meta.get_bucket(name).await {
            Ok(Some(b)) => b,
            _ => return,
        },
    };
    let Some(config) = config_of(&bucket) else {
        return;
    };
    let outcome = line::Outcome {
        status,
        bytes_sent,
        elapsed,
    };
    let text = line::format(&bucket.owner, &bucket.name, info, &outcome);
    let dest = journal::Dest {
        source: bucket.name,
        owner: bucket.owner,
        target: config.target_bucket,
        prefix: config.target_prefix,
    };
    if let Err(e) = journal::append(server, &dest, &text, server.clock.now_millis()) {
        tracing::warn!(bucket = dest.source, error = %e, "cannot journal an access-log record");
    }
}

/// The background task that delivers batched log lines as objects.
pub fn spawn_delivery(server: std::sync::Arc<Server>) {
    journal::spawn(server);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_documents() {
        let on = br#"<?xml version="1.0"?><BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LoggingEnabled><TargetBucket>logs</TargetBucket><TargetPrefix>p/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"#;
        assert_eq!(
            parse_status(on).unwrap(),
            Some(LoggingConfig {
                target_bucket: "logs".into(),
                target_prefix: "p/".into()
            })
        );
        let off = br#"<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/" />"#;
        assert_eq!(parse_status(off).unwrap(), None);
        let no_prefix = b"<BucketLoggingStatus><LoggingEnabled><TargetBucket>l</TargetBucket></LoggingEnabled></BucketLoggingStatus>";
        assert_eq!(parse_status(no_prefix).unwrap().unwrap().target_prefix, "");
        let no_bucket = b"<BucketLoggingStatus><LoggingEnabled><TargetPrefix>x</TargetPrefix></LoggingEnabled></BucketLoggingStatus>";
        assert_eq!(
            parse_status(no_bucket).unwrap_err().code,
            oos_proto::ErrorCode::InvalidArgument
        );
        for bad in [&b"<Other/>"[..], b"<BucketLoggingStatus>", b"not xml"] {
            assert_eq!(
                parse_status(bad).unwrap_err().code,
                oos_proto::ErrorCode::MalformedXML
            );
        }
    }
}

//! OOS bucket acceleration (oos-api A7, B 3.11): PUT / GET `?accelerate` with `Status` and up
//! to 5 `IPWhiteLists/IP` addresses or CIDRs. While Enabled, anonymous GET and HEAD of objects
//! from a white-listed address are allowed, as a CDN's origin pulls are (`access`).

use http::{Response, StatusCode};
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::access::Need;
use crate::config::IpNet;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

const CONFIG_KEY: &str = "accelerate";
const MAX_BODY: u64 = 16 * 1024;
const MAX_IPS: usize = 5;

/// The stored form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Accelerate {
    pub enabled: bool,
    pub ips: Vec<String>,
}

impl Accelerate {
    pub fn from_bucket(bucket: &oos_meta::Bucket) -> Option<Accelerate> {
        bucket
            .config
            .iter()
            .find(|(k, _)| k == CONFIG_KEY)
            .and_then(|(_, v)| serde_json::from_str(v).ok())
    }

    /// Whether an anonymous read from `ip` is admitted.
    pub fn admits(&self, ip: std::net::IpAddr) -> bool {
        self.enabled
            && self
                .ips
                .iter()
                .filter_map(|s| IpNet::parse(s))
                .any(|net| net.contains(ip))
    }
}

#[derive(Debug, Deserialize)]
struct Document {
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "IPWhiteLists", default)]
    ip_white_lists: Option<IpList>,
}

#[derive(Debug, Deserialize)]
struct IpList {
    #[serde(rename = "IP", default)]
    ip: Vec<String>,
}

/// Parses an `AccelerateConfiguration` document (OOS): a status and up to 5 addresses or CIDRs,
/// blanks and duplicates dropped.
pub(crate) fn parse(text: &str) -> S3Result<Accelerate> {
    let doc: Document =
        oos_proto::xml::from_xml(text).map_err(|_| s3_error!(InvalidAccelerateParam))?;
    let status = doc
        .status
        .ok_or_else(|| s3_error!(InvalidArgument, "status can not be null"))?;
    let enabled = match status.to_ascii_lowercase().as_str() {
        "enabled" => true,
        "suspended" => false,
        _ => return Err(s3_error!(InvalidStatusParam)),
    };
    let mut ips: Vec<String> = Vec::new();
    for ip in doc.ip_white_lists.map(|l| l.ip).unwrap_or_default() {
        let ip = ip.trim().to_string();
        if ip.is_empty() || ips.contains(&ip) {
            continue;
        }
        if IpNet::parse(&ip).is_none() {
            return Err(s3_error!(InvalidIpAddress, "Invalid IP address: {ip}"));
        }
        ips.push(ip);
    }
    if ips.len() > MAX_IPS {
        return Err(s3_error!(NotMoreThan5IPSections));
    }
    Ok(Accelerate { enabled, ips })
}

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutAccelerateConfiguration", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(InvalidAccelerateParam))?;
    let accelerate = parse(text)?;
    let stored = serde_json::to_string(&accelerate)
        .map_err(|e| crate::error::S3Error::internal("accelerate", e))?;
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KEY, Some(&stored))
        .await?;
    Ok(response::status(StatusCode::OK))
}

/// Never 404: an unset configuration is an empty document (OOS).
pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetAccelerateConfiguration", Need::Owner, None)
        .await?;
    let mut xml = format!(
        "{}<AccelerateConfiguration xmlns=\"{}\">",
        oos_proto::headers::XML_DECL,
        oos_proto::headers::S3_XMLNS
    );
    if let Some(a) = Accelerate::from_bucket(&bucket) {
        xml.push_str(if a.enabled {
            "<Status>Enabled</Status>"
        } else {
            "<Status>Suspended</Status>"
        });
        if !a.ips.is_empty() {
            xml.push_str("<IPWhiteLists>");
            for ip in &a.ips {
                xml.push_str(&format!("<IP>{}</IP>", escape(ip)));
            }
            xml.push_str("</IPWhiteLists>");
        }
    }
    xml.push_str("</AccelerateConfiguration>");
    Ok(response::xml_text(StatusCode::OK, xml))
}

//! Bucket website: PUT / GET / DELETE `?website` (this module) and serving on website hosts
//! ([`serve`]).

mod serve;

use http::{Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

pub use serve::serve;

/// The configuration kind under which the validated document is stored.
pub const CONFIG_KIND: &str = "website";
/// S3's (and OOS's) limit on a website configuration document.
pub const MAX_WEBSITE_BYTES: u64 = 10 * 1024;
/// S3's limit on routing rules.
pub const MAX_ROUTING_RULES: usize = 50;

// ---------- the document ----------

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct WebsiteConfiguration {
    #[serde(rename = "@xmlns", default = "s3_ns", skip_deserializing)]
    pub xmlns: String,
    #[serde(
        rename = "RedirectAllRequestsTo",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub redirect_all: Option<RedirectAll>,
    #[serde(
        rename = "IndexDocument",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub index_document: Option<IndexDocument>,
    #[serde(
        rename = "ErrorDocument",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub error_document: Option<ErrorDocument>,
    #[serde(
        rename = "RoutingRules",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub routing_rules: Option<RoutingRules>,
}

fn s3_ns() -> String {
    oos_proto::headers::S3_XMLNS.to_string()
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct RedirectAll {
    #[serde(rename = "HostName", skip_serializing_if = "Option::is_none", default)]
    pub host_name: Option<String>,
    #[serde(rename = "Protocol", skip_serializing_if = "Option::is_none", default)]
    pub protocol: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct IndexDocument {
    #[serde(rename = "Suffix", default)]
    pub suffix: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ErrorDocument {
    #[serde(rename = "Key", default)]
    pub key: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct RoutingRules {
    #[serde(rename = "RoutingRule", default)]
    pub rules: Vec<RoutingRule>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct RoutingRule {
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none", default)]
    pub condition: Option<Condition>,
    #[serde(rename = "Redirect", skip_serializing_if = "Option::is_none", default)]
    pub redirect: Option<Redirect>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Condition {
    #[serde(
        rename = "HttpErrorCodeReturnedEquals",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub http_error_code: Option<String>,
    #[serde(
        rename = "KeyPrefixEquals",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub key_prefix: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Redirect {
    #[serde(rename = "HostName", skip_serializing_if = "Option::is_none", default)]
    pub host_name: Option<String>,
    #[serde(
        rename = "HttpRedirectCode",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub http_redirect_code: Option<String>,
    #[serde(rename = "Protocol", skip_serializing_if = "Option::is_none", default)]
    pub protocol: Option<String>,
    #[serde(
        rename = "ReplaceKeyPrefixWith",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub replace_key_prefix_with: Option<String>,
    #[serde(
        rename = "ReplaceKeyWith",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub replace_key_with: Option<String>,
}

impl WebsiteConfiguration {
    /// Parses and validates a PutBucketWebsite body, with the errors S3 answers.
    pub fn parse(text: &str) -> S3Result<WebsiteConfiguration> {
        if root_element(text).as_deref() != Some("WebsiteConfiguration") {
            return Err(s3_error!(MalformedXML));
        }
        let mut doc: WebsiteConfiguration =
            oos_proto::xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
        doc.xmlns = s3_ns();
        doc.validate()?;
        Ok(doc)
    }

    /// The stored document (validated when it was put).
    pub fn from_stored(text: &str) -> Option<WebsiteConfiguration> {
        oos_proto::xml::from_xml(text).ok()
    }

    pub fn to_xml(&self) -> String {
        oos_proto::xml::to_xml("WebsiteConfiguration", self)
    }

    pub fn suffix(&self) -> &str {
        self.index_document
            .as_ref()
            .and_then(|i| i.suffix.as_deref())
            .unwrap_or_default()
    }

    pub fn error_key(&self) -> Option<&str> {
        self.error_document
            .as_ref()
            .and_then(|e| e.key.as_deref())
            .filter(|k| !k.is_empty())
    }

    pub fn rules(&self) -> &[RoutingRule] {
        self.routing_rules
            .as_ref()
            .map(|r| r.rules.as_slice())
            .unwrap_or_default()
    }

    fn validate(&self) -> S3Result<()> {
        if let Some(all) = &self.redirect_all {
            if self.index_document.is_some()
                || self.error_document.is_some()
                || self.routing_rules.is_some()
            {
                return Err(s3_error!(
                    InvalidArgument,
                    "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."
                ));
            }
            if all.host_name.as_deref().unwrap_or_default().is_empty() {
                return Err(s3_error!(MalformedXML));
            }
            return check_protocol(all.protocol.as_deref());
        }
        let Some(index) = &self.index_document else {
            return Err(s3_error!(
                InvalidArgument,
                "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"
            ));
        };
        let suffix = index.suffix.as_deref().unwrap_or_default();
        if suffix.is_empty() || suffix.contains('/') {
            return Err(s3_error!(
                InvalidArgument,
                "The IndexDocument Suffix is not well formed"
            ));
        }
        if self.error_document.is_some() && self.error_key().is_none() {
            return Err(s3_error!(MalformedXML));
        }
        let Some(rules) = &self.routing_rules else {
            return Ok(());
        };
        if rules.rules.is_empty() {
            return Err(s3_error!(MalformedXML));
        }
        if rules.rules.len() > MAX_ROUTING_RULES {
            return Err(s3_error!(
                InvalidRequest,
                "The number of routing rules in a website configuration is limited to {MAX_ROUTING_RULES}."
            ));
        }
        rules.rules.iter().try_for_each(RoutingRule::validate)
    }
}

impl RoutingRule {
    fn validate(&self) -> S3Result<()> {
        if let Some(c) = &self.condition {
            if c.http_error_code.is_none() && c.key_prefix.is_none() {
                return Err(s3_error!(
                    InvalidRequest,
                    "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present."
                ));
            }
            if let Some(code) = &c.http_error_code {
                let ok = code
                    .parse::<u16>()
                    .is_ok_and(|c| (400..600).contains(&c) && code.len() == 3);
                if !ok {
                    return Err(s3_error!(
                        InvalidRequest,
                        "The provided HTTP error code ({code}) is not valid. Valid codes are 4XX or 5XX."
                    ));
                }
            }
        }
        let Some(r) = &self.redirect else {
            return Err(s3_error!(MalformedXML));
        };
        if r.host_name.is_none()
            && r.http_redirect_code.is_none()
            && r.protocol.is_none()
            && r.replace_key_prefix_with.is_none()
            && r.replace_key_with.is_none()
        {
            return Err(s3_error!(MalformedXML));
        }
        if r.replace_key_with.is_some() && r.replace_key_prefix_with.is_some() {
            return Err(s3_error!(
                InvalidRequest,
                "You can only define ReplaceKeyPrefix or ReplaceKey but not both."
            ));
        }
        if let Some(code) = &r.http_redirect_code {
            let ok = code
                .parse::<u16>()
                .is_ok_and(|c| (301..400).contains(&c) && code.len() == 3);
            if !ok {
                return Err(s3_error!(
                    InvalidRequest,
                    "The provided HTTP redirect code ({code}) is not valid. Valid codes are 3XX except 300."
                ));
            }
        }
        if r.host_name.as_deref() == Some("") {
            return Err(s3_error!(MalformedXML));
        }
        check_protocol(r.protocol.as_deref())
    }
}

fn check_protocol(protocol: Option<&str>) -> S3Result<()> {
    match protocol {
        None | Some("http") | Some("https") => Ok(()),
        Some(_) => Err(s3_error!(
            InvalidRequest,
            "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."
        )),
    }
}

/// The local name of the document's root element.
fn root_element(text: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned())
            }
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

// ---------- the API ----------

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketWebsite", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_WEBSITE_BYTES).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    if text.trim().is_empty() {
        return Err(s3_error!(MissingRequestBodyError));
    }
    let doc = WebsiteConfiguration::parse(text)?;
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KIND, Some(&doc.to_xml()))
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketWebsite", Need::Owner, None)
        .await?;
    let text = stored(&bucket).ok_or_else(|| s3_error!(NoSuchWebsiteConfiguration))?;
    Ok(response::xml_text(StatusCode::OK, text.to_string()))
}

/// 204 whether or not a configuration was set (oos-api A6).
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:DeleteBucketWebsite", CONFIG_KIND)
        .await
}

/// The stored website document of a bucket.
pub fn stored(bucket: &oos_meta::Bucket) -> Option<&str> {
    bucket
        .config
        .iter()
        .find(|(k, _)| k == CONFIG_KIND)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oos_proto::ErrorCode;

    fn err(xml: &str) -> (ErrorCode, String) {
        let e = WebsiteConfiguration::parse(xml).unwrap_err();
        (e.code, e.message)
    }

    #[test]
    fn parses_and_round_trips() {
        let xml = r#"<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <IndexDocument><Suffix>index.html</Suffix></IndexDocument>
            <ErrorDocument><Key>err.html</Key></ErrorDocument>
            <RoutingRules><RoutingRule>
              <Condition><KeyPrefixEquals>docs/</KeyPrefixEquals></Condition>
              <Redirect><ReplaceKeyPrefixWith>documents/</ReplaceKeyPrefixWith></Redirect>
            </RoutingRule><RoutingRule>
              <Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition>
              <Redirect><HostName>example.com</HostName><HttpRedirectCode>302</HttpRedirectCode></Redirect>
            </RoutingRule></RoutingRules>
        </WebsiteConfiguration>"#;
        let doc = WebsiteConfiguration::parse(xml).unwrap();
        assert_eq!(doc.suffix(), "index.html");
        assert_eq!(doc.error_key(), Some("err.html"));
        assert_eq!(doc.rules().len(), 2);
        let again = WebsiteConfiguration::parse(&doc.to_xml()).unwrap();
        assert_eq!(again.to_xml(), doc.to_xml());
        assert_eq!(
            again.rules()[0]
                .redirect
                .as_ref()
                .unwrap()
                .replace_key_prefix_with
                .as_deref(),
            Some("documents/")
        );
    }

    #[test]
    fn empty_replacement_prefix_is_kept() {
        let xml = "<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument>\
            <RoutingRules><RoutingRule><Condition><KeyPrefixEquals>old/</KeyPrefixEquals></Condition>\
            <Redirect><ReplaceKeyPrefixWith></ReplaceKeyPrefixWith></Redirect></RoutingRule></RoutingRules>\
            </WebsiteConfiguration>";
        let doc = WebsiteConfiguration::parse(xml).unwrap();
        let again = WebsiteConfiguration::from_stored(&doc.to_xml()).unwrap();
        let r = again.rules()[0].redirect.clone().unwrap();
        assert_eq!(r.replace_key_prefix_with.as_deref(), Some(""));
    }

    #[test]
    fn validation_errors() {
        let ia = ErrorCode::InvalidArgument;
        assert_eq!(
            err("<WebsiteConfiguration><ErrorDocument><Key>e</Key></ErrorDocument></WebsiteConfiguration>"),
            (ia, "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty".into())
        );
        assert_eq!(
            err("<WebsiteConfiguration><IndexDocument><Suffix>a/b</Suffix></IndexDocument></WebsiteConfiguration>").0,
            ia
        );
        assert_eq!(
            err("<WebsiteConfiguration><IndexDocument><Suffix></Suffix></IndexDocument></WebsiteConfiguration>").0,
            ia
        );
        assert_eq!(
            err("<WebsiteConfiguration><RedirectAllRequestsTo><HostName>h</HostName></RedirectAllRequestsTo>\
                 <IndexDocument><Suffix>i</Suffix></IndexDocument></WebsiteConfiguration>").0,
            ia
        );
        assert_eq!(
            err("<WebsiteConfiguration><RedirectAllRequestsTo><Protocol>http</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>").0,
            ErrorCode::MalformedXML
        );
        assert_eq!(err("<Other/>").0, ErrorCode::MalformedXML);
        assert_eq!(err("<WebsiteConfiguration>").0, ErrorCode::MalformedXML);
        let rule = |inner: &str| {
            format!("<WebsiteConfiguration><IndexDocument><Suffix>i</Suffix></IndexDocument>\
                     <RoutingRules><RoutingRule>{inner}</RoutingRule></RoutingRules></WebsiteConfiguration>")
        };
        assert_eq!(
            err(&rule("<Redirect><ReplaceKeyWith>a</ReplaceKeyWith><ReplaceKeyPrefixWith>b</ReplaceKeyPrefixWith></Redirect>")).1,
            "You can only define ReplaceKeyPrefix or ReplaceKey but not both."
        );
        assert_eq!(
            err(&rule(
                "<Redirect><HttpRedirectCode>300</HttpRedirectCode></Redirect>"
            ))
            .0,
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            err(&rule("<Condition><HttpErrorCodeReturnedEquals>302</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>h</HostName></Redirect>")).0,
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            err(&rule(
                "<Condition></Condition><Redirect><HostName>h</HostName></Redirect>"
            ))
            .0,
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            err(&rule("<Redirect><Protocol>ftp</Protocol></Redirect>")).0,
            ErrorCode::InvalidRequest
        );
        assert_eq!(err(&rule("")).0, ErrorCode::MalformedXML);
    }
}

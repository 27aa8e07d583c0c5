//! The CORS configuration document: parsing with S3's validation, the canonical XML form kept
//! in the bucket's configuration, and rule matching.

use quick_xml::escape::escape;
use quick_xml::events::Event;

use crate::error::{S3Error, S3Result};
use crate::s3_error;

/// S3's limit on the number of rules in one configuration.
pub const MAX_RULES: usize = 100;
/// S3's limit on the length of a rule ID.
pub const MAX_ID_LEN: usize = 255;
/// The methods a rule may allow.
pub const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

/// One `CORSRule`, values as the owner wrote them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: Option<String>,
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub expose: Vec<String>,
    pub max_age: Option<u64>,
}

/// The elements a `CORSRule` may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Origin,
    Method,
    Header,
    Expose,
    MaxAge,
}

impl Field {
    fn parse(name: &[u8]) -> Option<Field> {
        Some(match name {
            b"ID" => Field::Id,
            b"AllowedOrigin" => Field::Origin,
            b"AllowedMethod" => Field::Method,
            b"AllowedHeader" => Field::Header,
            b"ExposeHeader" => Field::Expose,
            b"MaxAgeSeconds" => Field::MaxAge,
            _ => return None,
        })
    }
}

fn malformed() -> S3Error {
    s3_error!(MalformedXML)
}

impl Rule {
    fn set(&mut self, field: Field, value: String) -> S3Result<()> {
        match field {
            Field::Id if self.id.is_some() => return Err(malformed()),
            Field::Id => self.id = Some(value),
            Field::Origin => self.origins.push(value),
            Field::Method => self.methods.push(value),
            Field::Header => self.headers.push(value),
            Field::Expose => self.expose.push(value),
            Field::MaxAge if self.max_age.is_some() => return Err(malformed()),
            Field::MaxAge => self.max_age = Some(value.trim().parse().map_err(|_| malformed())?),
        }
        Ok(())
    }

    /// S3's checks of one rule.
    fn validate(&self) -> S3Result<()> {
        if self.origins.is_empty() || self.methods.is_empty() {
            return Err(malformed());
        }
        if self.id.as_ref().is_some_and(|id| id.len() > MAX_ID_LEN) {
            return Err(malformed());
        }
        if let Some(m) = self.methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
            return Err(s3_error!(
                InvalidRequest,
                "Found unsupported HTTP method in CORS config. Unsupported method is {m}"
            ));
        }
        if let Some(o) = self.origins.iter().find(|o| o.matches('*').count() > 1) {
            return Err(s3_error!(
                InvalidRequest,
                "AllowedOrigin \"{o}\" can not have more than one wildcard."
            ));
        }
        if let Some(h) = self.headers.iter().find(|h| h.matches('*').count() > 1) {
            return Err(s3_error!(
                InvalidRequest,
                "AllowedHeader \"{h}\" can not have more than one wildcard."
            ));
        }
        if let Some(h) = self.expose.iter().find(|h| h.contains('*')) {
            return Err(s3_error!(
                InvalidRequest,
                "ExposeHeader \"{h}\" contains wildcard. We currently do not support wildcard \
                 for ExposeHeader."
            ));
        }
        Ok(())
    }

    /// The first of the rule's origins that matches `origin`.
    pub fn origin_match(&self, origin: &str) -> Option<&str> {
        self.origins
            .iter()
            .find(|p| wildcard(p, origin))
            .map(String::as_str)
    }

    pub fn allows_method(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m == method)
    }

    pub fn allows_header(&self, header: &str) -> bool {
        self.headers.iter().any(|p| wildcard(p, header))
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`: `*` when the rule
    /// allows every origin with a plain `*`, else the origin itself.
    pub fn allow_origin<'a>(&'a self, origin: &'a str) -> &'a str {
        match self.origin_match(origin) {
            Some("*") => "*",
            _ => origin,
        }
    }
}

/// The first rule that allows `origin`, `method` and every one of `headers`.
pub fn find<'a>(
    rules: &'a [Rule],
    origin: &str,
    method: &str,
    headers: &[&str],
) -> Option<&'a Rule> {
    rules.iter().find(|r| {
        r.origin_match(origin).is_some()
            && r.allows_method(method)
            && headers.iter().all(|h| r.allows_header(h))
    })
}

/// Case-insensitive match against a pattern with at most one `*` (any run of characters).
pub fn wildcard(pattern: &str, value: &str) -> bool {
    let value = value.to_ascii_lowercase();
    let pattern = pattern.to_ascii_lowercase();
    match pattern.split_once('*') {
        None => pattern == value,
        Some((prefix, suffix)) => {
            value.len() >= prefix.len() + suffix.len()
                && value.starts_with(prefix)
                && value.ends_with(suffix)
        }
    }
}

/// Parses and validates a `CORSConfiguration` document.
pub fn parse(text: &str) -> S3Result<Vec<Rule>> {
    // Values are taken verbatim (no trimming); whitespace between elements is skipped below.
    let mut reader = quick_xml::Reader::from_str(text);
    let mut rules: Vec<Rule> = Vec::new();
    // Depth 0: before the root; 1: in CORSConfiguration; 2: in a CORSRule; 3: in a field.
    let mut depth = 0;
    let mut seen_root = false;
    let mut field: Option<(Field, String)> = None;
    loop {
        let event = reader.read_event().map_err(|_| malformed())?;
        let is_start = matches!(event, Event::Start(_));
        match &event {
            Event::Start(e) | Event::Empty(e) if depth == 0 => {
                if seen_root || e.local_name().as_ref() != b"CORSConfiguration" {
                    return Err(malformed());
                }
                seen_root = true;
                if is_start {
                    depth = 1;
                }
            }
            Event::Start(e) | Event::Empty(e) if depth == 1 => {
                if e.local_name().as_ref() != b"CORSRule" {
                    return Err(malformed());
                }
                rules.push(Rule::default());
                if is_start {
                    depth = 2;
                }
            }
            Event::Start(e) | Event::Empty(e) if depth == 2 => {
                let f = Field::parse(e.local_name().as_ref()).ok_or_else(malformed)?;
                if is_start {
                    field = Some((f, String::new()));
                    depth = 3;
                } else {
                    rules
                        .last_mut()
                        .ok_or_else(malformed)?
                        .set(f, String::new())?;
                }
            }
            Event::Start(_) | Event::Empty(_) => return Err(malformed()),
            Event::Text(t) if depth == 3 => {
                let value = &mut field.as_mut().ok_or_else(malformed)?.1;
                oos_proto::xml::push_text(value, t).map_err(|_| malformed())?;
            }
            Event::GeneralRef(r) if depth == 3 => {
                let value = &mut field.as_mut().ok_or_else(malformed)?.1;
                oos_proto::xml::push_ref(value, r).map_err(|_| malformed())?;
            }
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => {}
            Event::CData(t) if depth == 3 => {
                let text = std::str::from_utf8(t).map_err(|_| malformed())?;
                field.as_mut().ok_or_else(malformed)?.1.push_str(text);
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => return Err(malformed()),
            Event::End(_) => {
                if depth == 3 {
                    let (f, value) = field.take().ok_or_else(malformed)?;
                    rules.last_mut().ok_or_else(malformed)?.set(f, value)?;
                }
                depth -= 1;
            }
            Event::DocType(_) => return Err(malformed()),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if depth != 0 || !seen_root || rules.is_empty() || rules.len() > MAX_RULES {
        return Err(malformed());
    }
    for rule in &rules {
        rule.validate()?;
    }
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r.id.as_deref()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(s3_error!(
            MalformedXML,
            "The IDs of the rules in a CORS configuration must be unique."
        ));
    }
    Ok(rules)
}

/// The canonical document: what GET answers and what is stored.
pub fn to_xml(rules: &[Rule]) -> String {
    let mut out = String::from(oos_proto::headers::XML_DECL);
    out.push_str("<CORSConfiguration xmlns=\"");
    out.push_str(oos_proto::headers::S3_XMLNS);
    out.push_str("\">");
    let element = |out: &mut String, name: &str, value: &str| {
        out.push('<');
        out.push_str(name);
        out.push('>');
        out.push_str(&escape(value));
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    };
    for rule in rules {
        out.push_str("<CORSRule>");
        if let Some(id) = &rule.id {
            element(&mut out, "ID", id);
        }
        for h in &rule.headers {
            element(&mut out, "AllowedHeader", h);
        }
        for m in &rule.methods {
            element(&mut out, "AllowedMethod", m);
        }
        for o in &rule.origins {
            element(&mut out, "AllowedOrigin", o);
        }
        for h in &rule.expose {
            element(&mut out, "ExposeHeader", h);
        }
        if let Some(age) = rule.max_age {
            element(&mut out, "MaxAgeSeconds", &age.to_string());
        }
        out.push_str("</CORSRule>");
    }
    out.push_str("</CORSConfiguration>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> &'static str {
        parse(text).unwrap_err().code.as_str()
    }

    #[test]
    fn parses_and_round_trips() {
        let doc = r#"<?xml version="1.0"?>
            <CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <CORSRule>
                <ID>r&amp;1</ID>
                <AllowedOrigin>https://*.example.com</AllowedOrigin>
                <AllowedMethod>GET</AllowedMethod>
                <AllowedHeader>x-amz-*</AllowedHeader>
                <AllowedMethod>PUT</AllowedMethod>
                <ExposeHeader>ETag</ExposeHeader>
                <MaxAgeSeconds> 3000 </MaxAgeSeconds>
              </CORSRule>
              <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
            </CORSConfiguration>"#;
        let rules = parse(doc).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].id.as_deref(), Some("r&1"));
        assert_eq!(rules[0].methods, ["GET", "PUT"]);
        assert_eq!(rules[0].max_age, Some(3000));
        assert_eq!(rules[1].max_age, None);
        assert_eq!(parse(&to_xml(&rules)).unwrap(), rules);
    }

    #[test]
    fn rejects_what_s3_rejects() {
        let rule = |inner: &str| {
            format!("<CORSConfiguration><CORSRule>{inner}</CORSRule></CORSConfiguration>")
        };
        assert_eq!(code("<CORSConfiguration/>"), "MalformedXML");
        assert_eq!(
            code("<CORSConfiguration></CORSConfiguration>"),
            "MalformedXML"
        );
        assert_eq!(code("<Other/>"), "MalformedXML");
        assert_eq!(code("<CORSConfiguration><CORSRule>"), "MalformedXML");
        assert_eq!(
            code(&rule("<AllowedMethod>GET</AllowedMethod>")),
            "MalformedXML"
        );
        assert_eq!(
            code(&rule("<AllowedOrigin>*</AllowedOrigin>")),
            "MalformedXML"
        );
        let ok = "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>";
        assert_eq!(
            code(&rule(&format!("{ok}<Bogus>1</Bogus>"))),
            "MalformedXML"
        );
        assert_eq!(
            code(&rule(&format!("{ok}<MaxAgeSeconds>x</MaxAgeSeconds>"))),
            "MalformedXML"
        );
        assert_eq!(
            code(&rule(&format!("{ok}<MaxAgeSeconds>-1</MaxAgeSeconds>"))),
            "MalformedXML"
        );
        let long_id = format!("{ok}<ID>{}</ID>", "i".repeat(256));
        assert_eq!(code(&rule(&long_id)), "MalformedXML");
        let e = parse(&rule(
            "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>",
        ))
        .unwrap_err();
        assert_eq!(e.code.as_str(), "InvalidRequest");
        assert_eq!(
            e.message,
            "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"
        );
        let two = "<AllowedOrigin>http://*.*.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>";
        assert_eq!(code(&rule(two)), "InvalidRequest");
        assert_eq!(
            code(&rule(&format!("{ok}<AllowedHeader>*-*</AllowedHeader>"))),
            "InvalidRequest"
        );
        assert_eq!(
            code(&rule(&format!("{ok}<ExposeHeader>*</ExposeHeader>"))),
            "InvalidRequest"
        );
        let dup = format!(
            "<CORSConfiguration><CORSRule><ID>a</ID>{ok}</CORSRule>\
             <CORSRule><ID>a</ID>{ok}</CORSRule></CORSConfiguration>"
        );
        assert_eq!(code(&dup), "MalformedXML");
        let many = format!(
            "<CORSConfiguration>{}</CORSConfiguration>",
            format!("<CORSRule>{ok}</CORSRule>").repeat(MAX_RULES + 1)
        );
        assert_eq!(code(&many), "MalformedXML");
    }

    #[test]
    fn matches_with_wildcards() {
        assert!(wildcard("*", "http://anything"));
        assert!(wildcard("https://*.example.com", "https://a.b.example.com"));
        assert!(!wildcard("https://*.example.com", "https://example.com"));
        assert!(wildcard("X-Amz-*", "x-amz-date"));
        assert!(wildcard("http://A.com", "http://a.com"));
        assert!(!wildcard("http://a.com", "http://a.com.evil"));
        let rules = vec![
            Rule {
                origins: vec!["http://a.com".into()],
                methods: vec!["GET".into()],
                headers: vec!["x-amz-*".into()],
                ..Rule::default()
            },
            Rule {
                origins: vec!["*".into()],
                methods: vec!["PUT".into()],
                ..Rule::default()
            },
        ];
        assert!(find(&rules, "http://a.com", "GET", &["x-amz-date"]).is_some());
        assert!(find(&rules, "http://a.com", "GET", &["content-type"]).is_none());
        assert!(find(&rules, "http://b.com", "GET", &[]).is_none());
        let put = find(&rules, "http://b.com", "PUT", &[]).unwrap();
        assert_eq!(put.allow_origin("http://b.com"), "*");
        assert_eq!(rules[0].allow_origin("http://a.com"), "http://a.com");
    }
}

//! The IAM AccessKey API (oos-api B 9): `POST /` with a form body, SigV4 with service `sts`
//! (or `iam`), primary keys only. Create, delete, update and list the caller's access keys.

use bytes::Bytes;
use http::request::Parts;
use http::{Response, StatusCode};
use hyper::body::Incoming;
use oos_meta::{AccessKey, MetaError};
use quick_xml::escape::escape;

use crate::accounts::new_key_pair;
use crate::auth::authenticate_iam;
use crate::error::{S3Error, S3Result};
use crate::response::{self, Body};
use crate::s3_error;
use crate::state::{now_millis, Principal, Server};

/// Form bodies of the AccessKey API are a few hundred bytes.
const MAX_FORM_BODY: usize = 16 * 1024;
const VERSION: &str = "2010-05-08";

pub async fn handle(
    server: &Server,
    parts: Parts,
    incoming: Incoming,
    request_id: &str,
) -> S3Result<Response<Body>> {
    let body: Bytes = crate::body::read_small(
        incoming,
        MAX_FORM_BODY,
        server.config.connections.body_timeout,
    )
    .await?;
    let principal = authenticate_iam(server, &parts, &body).await?;
    handle_as(server, &principal, &body, request_id).await
}

/// Runs one IAM call (a form body) for an authenticated caller: the signed API above, or a
/// portal session.
pub async fn handle_as(
    server: &Server,
    principal: &Principal,
    body: &[u8],
    request_id: &str,
) -> S3Result<Response<Body>> {
    if !principal.primary {
        return Err(s3_error!(AccessDenied, "please use primary access key"));
    }
    let form = Form::parse(body)?;
    if form.get("Version").is_some_and(|v| v != VERSION) {
        return Err(s3_error!(
            InvalidAction,
            "Could not find operation for version {}.",
            form.get("Version").unwrap_or("")
        ));
    }
    let action = form
        .get("Action")
        .ok_or_else(|| s3_error!(MissingAction, "Missing Action"))?;
    if let Some(user) = form.get("UserName") {
        // IAM sub-users do not exist here: only the caller's own name is known.
        if user != principal.account.name {
            return Err(s3_error!(
                NoSuchEntity,
                "The user with name {user} cannot be found."
            ));
        }
    }
    let result = match action {
        "CreateAccessKey" => create(server, principal).await?,
        "DeleteAccessKey" => delete(server, principal, &form).await?,
        "UpdateAccessKey" => update(server, principal, &form).await?,
        "ListAccessKey" | "ListAccessKeys" => list(server, principal, &form).await?,
        other => {
            return Err(s3_error!(
                InvalidAction,
                "Could not find operation {other} for version {VERSION}."
            ))
        }
    };
    // Both list spellings answer ListAccessKeysResponse (the tag comes from the result type).
    let tag = if action == "ListAccessKey" {
        "ListAccessKeys"
    } else {
        action
    };
    let xml = match result {
        Some(inner) => format!(
            "<{tag}Response><{tag}Result>{inner}</{tag}Result><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{tag}Response>"
        ),
        None => format!(
            "<{tag}Response><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{tag}Response>"
        ),
    };
    let mut resp = response::xml_text(
        StatusCode::OK,
        format!("{}{xml}", oos_proto::headers::XML_DECL),
    );
    response::set_header(&mut resp, "content-type", "text/xml");
    Ok(resp)
}

struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> S3Result<Form> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(Form)
            .map_err(|_| s3_error!(InvalidArgument, "The request body is not a form."))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A required AccessKeyId: 16–128 letters and digits.
    fn access_key_id(&self) -> S3Result<&str> {
        let id = self.get("AccessKeyId").ok_or_else(|| {
            s3_error!(ValidationError, "1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null")
        })?;
        if !(16..=128).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(s3_error!(
                ValidationError,
                "1 validation error detected: Value '{id}' at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128 and contain only letters and digits"
            ));
        }
        Ok(id)
    }
}

fn date(millis: i64) -> String {
    // yyyy-MM-ddTHH:mm:ssZ, as the OOS IAM server writes dates.
    let iso = oos_proto::time_fmt::iso8601_millis(millis);
    format!("{}Z", &iso[..19])
}

fn not_found(id: &str) -> S3Error {
    s3_error!(NoSuchEntity, "The Access Key with id {id} cannot be found.")
}

async fn create(server: &Server, principal: &Principal) -> S3Result<Option<String>> {
    let (id, secret) = new_key_pair();
    let now = now_millis();
    let key = AccessKey {
        access_key_id: id.clone(),
        account_id: principal.account.id.clone(),
        secret: server.secrets.seal(&id, &secret),
        // New keys start non-primary (confined to their own key prefix) until promoted.
        primary: false,
        active: true,
        created: now,
    };
    let quota = server.config.access_key_quota;
    server
        .meta
        .create_access_key(key, quota)
        .await
        .map_err(|e| match e {
            MetaError::LimitExceeded => s3_error!(
                LimitExceeded,
                "Cannot exceed quota for AccessKeysPerAccount: {quota}."
            ),
            other => other.into(),
        })?;
    Ok(Some(format!(
        "<AccessKey><UserName>{}</UserName><AccessKeyId>{id}</AccessKeyId><Status>Active</Status>\
<SecretAccessKey>{secret}</SecretAccessKey><IsPrimary>false</IsPrimary><CreateDate>{}</CreateDate></AccessKey>",
        escape(&principal.account.name),
        date(now)
    )))
}

async fn delete(server: &Server, principal: &Principal, form: &Form) -> S3Result<Option<String>> {
    let id = form.access_key_id()?;
    server
        .meta
        .delete_access_key(&principal.account.id, id)
        .await
        .map_err(|e| key_error(e, id))?;
    Ok(None)
}

async fn update(server: &Server, principal: &Principal, form: &Form) -> S3Result<Option<String>> {
    let id = form.access_key_id()?;
    let active = match form.get("Status").map(str::to_ascii_lowercase).as_deref() {
        Some("active") => true,
        Some("inactive") => false,
        other => {
            return Err(s3_error!(
                ValidationError,
                "1 validation error detected: Value '{}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
                other.unwrap_or("null")
            ))
        }
    };
    let primary = match form.get("IsPrimary").map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(s3_error!(
                ValidationError,
                "1 validation error detected: Value '{other}' at 'isPrimary' failed to satisfy constraint: Member must be true or false"
            ))
        }
    };
    server
        .meta
        .update_access_key(&principal.account.id, id, active, primary)
        .await
        .map_err(|e| key_error(e, id))?;
    Ok(None)
}

fn key_error(e: MetaError, id: &str) -> S3Error {
    match e {
        MetaError::NotFound => not_found(id),
        MetaError::LastPrimaryKey => s3_error!(
            DeleteConflict,
            "The account must keep at least one active primary access key."
        ),
        other => other.into(),
    }
}

async fn list(server: &Server, principal: &Principal, form: &Form) -> S3Result<Option<String>> {
    let max_items = match form.get("MaxItems") {
        None => 100,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
            s3_error!(ValidationError, "1 validation error detected: Value '{v}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000")
        })?,
    };
    let marker = form.get("Marker");
    if marker == Some("") {
        return Err(s3_error!(
            ValidationError,
            "1 validation error detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1"
        ));
    }
    let keys = server.meta.list_access_keys(&principal.account.id).await?;
    // The page starts at the marker itself (OOS: the marker is the next key id).
    let mut page: Vec<&AccessKey> = keys
        .iter()
        .filter(|k| marker.is_none_or(|m| k.access_key_id.as_str() >= m))
        .take(max_items + 1)
        .collect();
    let next = (page.len() > max_items).then(|| page[max_items].access_key_id.clone());
    page.truncate(max_items);
    let name = escape(&principal.account.name);
    let mut out = String::from("<AccessKeyMetadata>");
    for k in page {
        out.push_str(&format!(
            "<member><UserName>{name}</UserName><AccessKeyId>{}</AccessKeyId><Status>{}</Status>\
<IsPrimary>{}</IsPrimary><CreateDate>{}</CreateDate></member>",
            k.access_key_id,
            if k.active { "Active" } else { "Inactive" },
            k.primary,
            date(k.created)
        ));
    }
    out.push_str("</AccessKeyMetadata>");
    out.push_str(&format!("<IsTruncated>{}</IsTruncated>", next.is_some()));
    if let Some(m) = next {
        out.push_str(&format!("<Marker>{m}</Marker>"));
    }
    out.push_str(&format!("<UserName>{name}</UserName>"));
    Ok(Some(out))
}

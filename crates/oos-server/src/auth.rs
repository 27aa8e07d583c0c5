//! Authentication: SigV4 / SigV2 (header or presigned) or anonymous → a [`Principal`] and the
//! way the body must be verified.

use http::request::Parts;
use oos_sign::{Auth, PayloadMode, RequestView};

use crate::error::S3Result;
use crate::route::Target;
use crate::s3_error;
use crate::state::{Principal, Server};

pub struct Authenticated {
    pub principal: Option<Principal>,
    pub payload: PayloadMode,
}

fn view<'a>(parts: &'a Parts, virtual_bucket: Option<&'a str>) -> RequestView<'a> {
    RequestView {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        v2_virtual_bucket: virtual_bucket,
    }
}

pub async fn authenticate(
    server: &Server,
    parts: &Parts,
    target: &Target,
) -> S3Result<Authenticated> {
    let bucket = target.bucket.as_deref().filter(|_| target.virtual_host);
    let view = view(parts, bucket);
    let auth = oos_sign::parse_auth(&view)?;
    let Some(access_key_id) = auth.access_key_id() else {
        return Ok(Authenticated {
            principal: None,
            payload: PayloadMode::Unsigned,
        });
    };
    let (principal, secret) = lookup(server, access_key_id).await?;
    let verified = oos_sign::verify(&auth, &view, &secret, time::OffsetDateTime::now_utc())?;
    Ok(Authenticated {
        principal: Some(principal),
        payload: verified.payload,
    })
}

/// Whether the request is signed for the IAM service (SigV4 scope `sts` or `iam`): the
/// AccessKey API is served on the same listener (oos-api A9).
pub fn is_iam_request(parts: &Parts) -> bool {
    oos_sign::parse_auth(&view(parts, None))
        .ok()
        .and_then(|a| a.service().map(|s| s == "sts" || s == "iam"))
        .unwrap_or(false)
}

/// A SigV2-signed `POST /` (S3 has no POST on the service root): the shape of an IAM call
/// from an old SDK. IAM answers it (refusing SigV2) rather than S3's `405`, so the client
/// learns what is wrong.
pub fn is_v2_iam_request(parts: &Parts) -> bool {
    parts.method == http::Method::POST
        && parts.uri.path() == "/"
        && matches!(oos_sign::parse_auth(&view(parts, None)), Ok(Auth::V2(_)))
}

/// IAM requests: SigV4 only, the body hash computed from the (small) form body, since boto3
/// does not send `x-amz-content-sha256` for them.
pub async fn authenticate_iam(server: &Server, parts: &Parts, body: &[u8]) -> S3Result<Principal> {
    let view = view(parts, None);
    let auth = oos_sign::parse_auth(&view)?;
    if !matches!(auth, Auth::V4(_)) {
        return Err(s3_error!(
            SignatureDoesNotMatch,
            "The request signature does not conform to IAM standards."
        ));
    }
    let access_key_id = auth.access_key_id().unwrap_or_default();
    let (principal, secret) = lookup(server, access_key_id).await?;
    oos_sign::verify_with_body(&auth, &view, &secret, time::OffsetDateTime::now_utc(), body)?;
    Ok(principal)
}

/// The key's account and its plaintext secret. Unknown and inactive keys are refused at once:
/// every request reads the key from the metadata store, so nothing stale is trusted.
pub async fn lookup(server: &Server, access_key_id: &str) -> S3Result<(Principal, String)> {
    let key = server
        .meta
        .get_access_key(access_key_id)
        .await?
        .ok_or_else(|| s3_error!(InvalidAccessKeyId))?;
    if !key.active {
        return Err(s3_error!(InvalidAccessKeyId, "The access key is inactive."));
    }
    let account = server
        .meta
        .get_account(&key.account_id)
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| s3_error!(AccessDenied, "The account is disabled."))?;
    let secret = server
        .secrets
        .open_secret(&key.access_key_id, &key.secret)
        .map_err(|e| crate::error::S3Error::internal("stored secret", e))?;
    Ok((
        Principal {
            account,
            access_key_id: key.access_key_id,
            primary: key.primary,
        },
        secret,
    ))
}

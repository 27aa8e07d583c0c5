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

pub async fn authenticate(
    server: &Server,
    parts: &Parts,
    target: &Target,
) -> S3Result<Authenticated> {
    let view = RequestView {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        v2_virtual_bucket: target.bucket.as_deref().filter(|_| target.virtual_host),
    };
    let auth = oos_sign::parse_auth(&view)?;
    let Some(access_key_id) = auth.access_key_id().map(str::to_string) else {
        return Ok(Authenticated {
            principal: None,
            payload: PayloadMode::Unsigned,
        });
    };
    // Unknown and disabled keys answer the same as AWS: the key "does not exist".
    let key = server
        .meta
        .get_access_key(&access_key_id)
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
    let verified = verify(&auth, &view, &key.secret)?;
    Ok(Authenticated {
        principal: Some(Principal {
            account,
            access_key_id,
        }),
        payload: verified.payload,
    })
}

fn verify(auth: &Auth, view: &RequestView, secret: &str) -> S3Result<oos_sign::Verified> {
    Ok(oos_sign::verify(
        auth,
        view,
        secret,
        time::OffsetDateTime::now_utc(),
    )?)
}

//! AWS Signature Version 4: header and presigned (query) authentication,
//! verification and signing, with the S3 conventions: the canonical URI is
//! the path as sent (no double encoding, no normalization) and
//! `x-amz-content-sha256` names the payload hash.

use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use http::HeaderMap;
use time::{Duration, OffsetDateTime};

use crate::canonical::{
    canonical_query, ct_eq, header_str, hmac_sha256, joined_header, query_pairs, query_param,
    reencoded_path, sha256_hex, uri_encode,
};
use crate::chunked::{ChunkSigner, ChunkedDecoder};
use crate::date::{format_amz_date, format_amz_day, parse_amz_date, parse_any_date};
use crate::error::SignError;
use crate::{PayloadMode, RequestView, Verified};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
pub const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
pub const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
pub const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// Services whose credential scope we accept; the server routes on [`V4Auth::service`].
pub const SERVICES: [&str; 3] = ["s3", "sts", "iam"];
/// Longest presigned validity S3 allows (7 days).
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;
const MAX_SKEW: Duration = Duration::minutes(15);
/// Never signed: set by the signer itself, or altered by proxies on the way.
const UNSIGNED_HEADERS: [&str; 6] = [
    "authorization",
    "user-agent",
    "expect",
    "transfer-encoding",
    "connection",
    "x-amzn-trace-id",
];
const NEED_DATE: &str = "AWS authentication requires a valid Date or x-amz-date header";

/// A parsed SigV4 `Authorization` header or presigned query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Auth {
    pub presigned: bool,
    pub access_key_id: String,
    /// Credential scope date, `YYYYMMDD`.
    pub date: String,
    pub region: String,
    /// `s3`, `sts` or `iam`.
    pub service: String,
    pub signed_headers: Vec<String>,
    /// Hex signature as sent.
    pub signature: String,
    /// `x-amz-date` / `Date` / `X-Amz-Date`.
    pub request_time: OffsetDateTime,
    /// `X-Amz-Expires` seconds (presigned only).
    pub expires: Option<u64>,
    /// `x-amz-security-token` header or `X-Amz-Security-Token` parameter.
    pub security_token: Option<String>,
}

impl V4Auth {
    /// `YYYYMMDD/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }
}

/// Parses what follows `AWS4-HMAC-SHA256 ` in an `Authorization` header: exactly three
/// comma-separated `name=value` components, refused with S3's messages otherwise.
pub(crate) fn parse_header(rest: &str, req: &RequestView<'_>) -> Result<V4Auth, SignError> {
    let bad = |m: String| SignError::AuthorizationHeaderMalformed(m);
    let components: Vec<&str> = rest.split(',').map(str::trim).collect();
    if components.len() != 3 {
        return Err(bad("the authorization header requires three components: Credential, SignedHeaders, and Signature.".into()));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for component in components {
        let Some((k, v)) = component.split_once('=') else {
            return Err(bad(format!(
                "the authorization component \"{component}\" is malformed."
            )));
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed = Some(v.trim()),
            "Signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    let credential = credential.ok_or_else(|| bad("missing Credential.".into()))?;
    let signed = signed.ok_or_else(|| bad("missing SignedHeaders.".into()))?;
    let signature = signature.ok_or_else(|| bad("missing Signature.".into()))?;
    let (access_key_id, date, region, service) = parse_credential(credential, false)?;

    let request_time = match (
        header_str(req.headers, "x-amz-date"),
        header_str(req.headers, "date"),
    ) {
        (Some(d), _) | (None, Some(d)) => parse_any_date(d),
        (None, None) => None,
    }
    .ok_or_else(|| SignError::AccessDenied(NEED_DATE.into()))?;

    Ok(V4Auth {
        presigned: false,
        access_key_id,
        date,
        region,
        service,
        signed_headers: parse_signed_headers(signed, false)?,
        signature: signature.to_string(),
        request_time,
        expires: None,
        security_token: header_str(req.headers, "x-amz-security-token").map(str::to_string),
    })
}

/// Parses the `X-Amz-*` presigned parameters.
pub(crate) fn parse_query(req: &RequestView<'_>) -> Result<V4Auth, SignError> {
    let bad = |m: &str| SignError::AuthorizationQueryParametersError(m.to_string());
    let p = |name: &str| query_param(req.query, name);
    let (
        Some(algorithm),
        Some(credential),
        Some(date),
        Some(expires),
        Some(signed),
        Some(signature),
    ) = (
        p("X-Amz-Algorithm"),
        p("X-Amz-Credential"),
        p("X-Amz-Date"),
        p("X-Amz-Expires"),
        p("X-Amz-SignedHeaders"),
        p("X-Amz-Signature"),
    )
    else {
        return Err(bad("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."));
    };
    if algorithm != ALGORITHM {
        return Err(bad("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""));
    }
    let request_time = parse_amz_date(&date).ok_or_else(|| {
        bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    })?;
    let expires: i64 = expires
        .trim()
        .parse()
        .map_err(|_| bad("X-Amz-Expires should be a number"))?;
    // A lifetime outside (0, one week] can never be valid: refused like an expired link, as
    // the S3 conformance suites expect (403 AccessDenied).
    if expires <= 0 {
        return Err(SignError::ExpiredRequest);
    }
    let expires = expires as u64;
    if expires > MAX_PRESIGN_EXPIRES {
        return Err(SignError::AccessDenied(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800".into(),
        ));
    }
    let (access_key_id, date, region, service) = parse_credential(&credential, true)?;
    Ok(V4Auth {
        presigned: true,
        access_key_id,
        date,
        region,
        service,
        signed_headers: parse_signed_headers(&signed, true)?,
        signature,
        request_time,
        expires: Some(expires),
        security_token: p("X-Amz-Security-Token")
            .or_else(|| header_str(req.headers, "x-amz-security-token").map(str::to_string)),
    })
}

fn malformed(presigned: bool, msg: String) -> SignError {
    if presigned {
        SignError::AuthorizationQueryParametersError(msg)
    } else {
        SignError::AuthorizationHeaderMalformed(msg)
    }
}

/// `AK/YYYYMMDD/region/service/aws4_request` → parts.
pub(crate) fn parse_credential(
    c: &str,
    presigned: bool,
) -> Result<(String, String, String, String), SignError> {
    let shape = || {
        malformed(
            presigned,
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".".into(),
        )
    };
    // Split from the right so only the key id could hold a '/'.
    let mut it = c.rsplitn(5, '/');
    let (Some(term), Some(service), Some(region), Some(date), Some(ak)) =
        (it.next(), it.next(), it.next(), it.next(), it.next())
    else {
        return Err(shape());
    };
    if term != "aws4_request" || ak.is_empty() || region.is_empty() {
        return Err(shape());
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(
            presigned,
            format!("Invalid credential date \"{date}\". This date is not in the yyyyMMdd format."),
        ));
    }
    if !SERVICES.contains(&service) {
        return Err(malformed(
            presigned,
            format!("the service '{service}' in the Credential is not supported"),
        ));
    }
    Ok((
        ak.to_string(),
        date.to_string(),
        region.to_string(),
        service.to_string(),
    ))
}

fn parse_signed_headers(s: &str, presigned: bool) -> Result<Vec<String>, SignError> {
    let list: Vec<String> = s
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    // Unsigned host would let a signature be replayed against another endpoint.
    if !list.iter().any(|h| h == "host") {
        return Err(malformed(
            presigned,
            "SignedHeaders must include host".into(),
        ));
    }
    Ok(list)
}

/// `HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k = hmac_sha256(&k, region.as_bytes());
    let k = hmac_sha256(&k, service.as_bytes());
    hmac_sha256(&k, b"aws4_request")
}

/// The canonical request, as bytes since header values need not be UTF-8.
pub fn canonical_request(
    method: &str,
    uri: &str,
    canonical_query: &str,
    headers: &HeaderMap,
    signed_headers: &[String],
    payload_hash: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    for part in [method, uri, canonical_query] {
        out.extend_from_slice(part.as_bytes());
        out.push(b'\n');
    }
    for name in signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        // A signed header that is absent canonicalizes as empty and fails the comparison.
        out.extend_from_slice(&joined_header(headers, name).unwrap_or_default());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &[u8]) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request)
    )
}

/// Checks a hash value the way S3 does before using it.
fn check_payload_hash(h: &str) -> Result<(), SignError> {
    let ok = matches!(
        h,
        UNSIGNED_PAYLOAD | STREAMING_SIGNED | STREAMING_SIGNED_TRAILER | STREAMING_UNSIGNED_TRAILER
    ) || (h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(SignError::InvalidArgument(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.".into(),
        ))
    }
}

pub(crate) fn verify(
    auth: &V4Auth,
    req: &RequestView<'_>,
    secret: &str,
    now: OffsetDateTime,
    body_hash: Option<&[u8; 32]>,
) -> Result<Verified, SignError> {
    let t = auth.request_time;
    if let Some(expires) = auth.expires {
        if t - now > MAX_SKEW {
            return Err(SignError::RequestNotYetValid);
        }
        if now > t + Duration::seconds(expires as i64) {
            return Err(SignError::ExpiredRequest);
        }
    } else if (now - t).abs() > MAX_SKEW {
        return Err(SignError::RequestTimeTooSkewed);
    }
    let amz_date = format_amz_date(t);
    if auth.date != format_amz_day(t) {
        return Err(malformed(
            auth.presigned,
            "Invalid credential date. Date is not the same as X-Amz-Date.".into(),
        ));
    }

    let header_hash = header_str(req.headers, "x-amz-content-sha256");
    let hashes: Vec<String> = if auth.presigned {
        // Presigned URLs sign UNSIGNED-PAYLOAD unless the signer fixed a hash.
        let mut v: Vec<String> = Vec::new();
        for h in [
            query_param(req.query, "X-Amz-Content-Sha256"),
            header_hash.map(str::to_string),
        ]
        .into_iter()
        .flatten()
        .chain([UNSIGNED_PAYLOAD.to_string()])
        {
            if !v.contains(&h) && check_payload_hash(&h).is_ok() {
                v.push(h);
            }
        }
        v
    } else {
        match (header_hash, body_hash) {
            (Some(h), _) => {
                check_payload_hash(h)?;
                vec![h.to_string()]
            }
            // S3 requires the header; other services sign the body hash itself.
            (None, Some(b)) if auth.service != "s3" => vec![hex::encode(b)],
            (None, _) => return Err(SignError::MissingContentSha256),
        }
    };

    let provided = {
        let mut p = [0u8; 32];
        hex::decode_to_slice(&auth.signature, &mut p)
            .ok()
            .map(|_| p)
    };
    let key = signing_key(secret, &auth.date, &auth.region, &auth.service);
    let scope = auth.scope();
    let path = if req.path.is_empty() { "/" } else { req.path };
    let mut uris = vec![path.to_string()];
    let reencoded = reencoded_path(path);
    if reencoded != path {
        uris.push(reencoded);
    }
    // Canonical query variants, the documented one first; the others only
    // when they can differ (a '+' in the query, repeated keys).
    let mut queries: Vec<String> = Vec::with_capacity(1);
    for plus_as_space in [false, true] {
        for sort_values in [true, false] {
            let q = canonical_query(req.query, auth.presigned, plus_as_space, sort_values);
            if !queries.contains(&q) {
                queries.push(q);
            }
        }
    }

    let mut matched = None;
    'search: for hash in &hashes {
        for uri in &uris {
            for query in &queries {
                let creq = canonical_request(
                    req.method,
                    uri,
                    query,
                    req.headers,
                    &auth.signed_headers,
                    hash,
                );
                let sig = hmac_sha256(&key, string_to_sign(&amz_date, &scope, &creq).as_bytes());
                if provided.is_some_and(|p| ct_eq(&p, &sig)) {
                    matched = Some((hash.as_str(), sig));
                    break 'search;
                }
            }
        }
    }
    let (hash, sig) = matched.ok_or(SignError::SignatureDoesNotMatch)?;

    let payload = match hash {
        UNSIGNED_PAYLOAD => PayloadMode::Unsigned,
        STREAMING_SIGNED | STREAMING_SIGNED_TRAILER | STREAMING_UNSIGNED_TRAILER => {
            let decoded_len = match header_str(req.headers, "x-amz-decoded-content-length") {
                Some(v) => Some(v.parse::<u64>().map_err(|_| {
                    SignError::InvalidArgument(
                        "x-amz-decoded-content-length must be a number".into(),
                    )
                })?),
                None => None,
            };
            let declared: Vec<String> = req
                .headers
                .get_all("x-amz-trailer")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect();
            let decoder = if hash == STREAMING_UNSIGNED_TRAILER {
                ChunkedDecoder::unsigned_trailer()
            } else {
                let signer = ChunkSigner::new(key, amz_date, scope, hex::encode(sig));
                ChunkedDecoder::from_signer(signer, hash == STREAMING_SIGNED_TRAILER)
            };
            PayloadMode::Chunked(
                decoder
                    .with_decoded_length(decoded_len)
                    .with_declared_trailers(declared),
            )
        }
        hex_hash => {
            let mut h = [0u8; 32];
            hex::decode_to_slice(hex_hash, &mut h).map_err(|_| {
                SignError::InvalidArgument(
                    "x-amz-content-sha256 is not a valid sha256 value".into(),
                )
            })?;
            if body_hash.is_some_and(|b| !ct_eq(b, &h)) {
                return Err(SignError::XAmzContentSha256Mismatch);
            }
            PayloadMode::Sha256(h)
        }
    };
    Ok(Verified {
        access_key_id: Some(auth.access_key_id.clone()),
        payload,
        presigned: auth.presigned,
        region: Some(auth.region.clone()),
        service: Some(auth.service.clone()),
        security_token: auth.security_token.clone(),
    })
}

/// Who signs and when.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    pub access_key: &'a str,
    pub secret: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub session_token: Option<&'a str>,
    pub time: OffsetDateTime,
}

impl<'a> SigningParams<'a> {
    pub fn new(
        access_key: &'a str,
        secret: &'a str,
        region: &'a str,
        service: &'a str,
        time: OffsetDateTime,
    ) -> Self {
        SigningParams {
            access_key,
            secret,
            region,
            service,
            session_token: None,
            time,
        }
    }

    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            format_amz_day(self.time),
            self.region,
            self.service
        )
    }

    pub fn signing_key(&self) -> [u8; 32] {
        signing_key(
            self.secret,
            &format_amz_day(self.time),
            self.region,
            self.service,
        )
    }

    pub(crate) fn chunk_signer(&self, seed_signature: &str) -> ChunkSigner {
        ChunkSigner::new(
            self.signing_key(),
            format_amz_date(self.time),
            self.scope(),
            seed_signature.to_string(),
        )
    }
}

fn headers_to_sign(headers: &HeaderMap) -> Result<Vec<String>, SignError> {
    let mut names: Vec<String> = headers
        .keys()
        .map(|k| k.as_str().to_string())
        .filter(|k| !UNSIGNED_HEADERS.contains(&k.as_str()))
        .collect();
    names.sort();
    names.dedup();
    if !names.iter().any(|n| n == "host") {
        return Err(SignError::InvalidArgument(
            "a host header is required to sign".into(),
        ));
    }
    Ok(names)
}

fn header_value(v: &str) -> Result<HeaderValue, SignError> {
    HeaderValue::from_str(v)
        .map_err(|_| SignError::InvalidArgument(format!("invalid header value {v:?}")))
}

/// Signs a request with an `Authorization` header.
///
/// Sets `x-amz-date`, `x-amz-content-sha256` (= `payload_hash`: a hex SHA-256,
/// `UNSIGNED-PAYLOAD` or a `STREAMING-*` value), `x-amz-security-token` when
/// there is a session token, and `Authorization`. Every other header present
/// is signed (except `user-agent`, `expect` and hop-by-hop ones); `host` must
/// be present. `path` and `query` are as they will be sent. Returns the
/// signature (hex), the seed of an aws-chunked body.
pub fn sign_v4_headers(
    params: &SigningParams<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: &mut HeaderMap,
    payload_hash: &str,
) -> Result<String, SignError> {
    let amz_date = format_amz_date(params.time);
    headers.remove(AUTHORIZATION);
    headers.insert(
        HeaderName::from_static("x-amz-date"),
        header_value(&amz_date)?,
    );
    headers.insert(
        HeaderName::from_static("x-amz-content-sha256"),
        header_value(payload_hash)?,
    );
    if let Some(token) = params.session_token {
        headers.insert(
            HeaderName::from_static("x-amz-security-token"),
            header_value(token)?,
        );
    }
    let signed = headers_to_sign(headers)?;
    let uri = if path.is_empty() { "/" } else { path };
    let creq = canonical_request(
        method,
        uri,
        &canonical_query(query, false, false, true),
        headers,
        &signed,
        payload_hash,
    );
    let sig = hex::encode(hmac_sha256(
        &params.signing_key(),
        string_to_sign(&amz_date, &params.scope(), &creq).as_bytes(),
    ));
    let auth = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={sig}",
        params.access_key,
        params.scope(),
        signed.join(";")
    );
    headers.insert(AUTHORIZATION, header_value(&auth)?);
    Ok(sig)
}

/// Presigns a request: returns the full query string to send (`query`
/// followed by the `X-Amz-*` parameters). Signs every header in `headers`
/// (usually just `host`), with `UNSIGNED-PAYLOAD`.
pub fn presign_v4(
    params: &SigningParams<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    expires_secs: u64,
) -> Result<String, SignError> {
    if expires_secs == 0 || expires_secs > MAX_PRESIGN_EXPIRES {
        return Err(SignError::InvalidArgument(format!(
            "expiry must be 1..={MAX_PRESIGN_EXPIRES} seconds"
        )));
    }
    let signed = headers_to_sign(headers)?;
    let amz_date = format_amz_date(params.time);
    let credential = format!("{}/{}", params.access_key, params.scope());
    let expires = expires_secs.to_string();
    let signed_list = signed.join(";");
    let mut added: Vec<(&str, &str)> = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", &amz_date),
        ("X-Amz-Expires", &expires),
        ("X-Amz-SignedHeaders", &signed_list),
    ];
    if let Some(token) = params.session_token {
        added.push(("X-Amz-Security-Token", token));
    }
    let mut out = query.to_string();
    for (k, v) in added {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(&uri_encode(v.as_bytes(), false));
    }
    let uri = if path.is_empty() { "/" } else { path };
    let creq = canonical_request(
        method,
        uri,
        &canonical_query(&out, true, false, true),
        headers,
        &signed,
        UNSIGNED_PAYLOAD,
    );
    let sig = hex::encode(hmac_sha256(
        &params.signing_key(),
        string_to_sign(&amz_date, &params.scope(), &creq).as_bytes(),
    ));
    out.push_str("&X-Amz-Signature=");
    out.push_str(&sig);
    Ok(out)
}

/// Whether a query carries SigV4 presigned parameters.
pub(crate) fn is_presigned(query: &str) -> bool {
    query_pairs(query).any(|(k, _)| {
        matches!(
            k,
            "X-Amz-Algorithm" | "X-Amz-Credential" | "X-Amz-Signature"
        )
    })
}

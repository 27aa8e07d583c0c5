//! oos-sign: AWS Signature V2 and V4 for an S3-compatible server.
//!
//! Verify: [`parse_auth`] the request, look the secret up by
//! [`Auth::access_key_id`], then [`verify`]. The [`Verified::payload`] says how
//! the body must be checked: against a SHA-256, through a [`ChunkedDecoder`]
//! (aws-chunked), or not at all. Sign: [`sign_v4_headers`], [`presign_v4`],
//! [`sign_v2`], [`presign_v2`], [`ChunkedEncoder`]. Browser (POST Object) forms:
//! [`post_signature_v4`], [`verify_post_v4`], [`post_signature_v2`], [`verify_post_v2`].

mod canonical;
mod checksum;
mod chunked;
mod date;
mod error;
mod post;
mod v2;
mod v4;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub use canonical::uri_encode;
pub use checksum::{content_md5_base64, parse_content_md5, ChecksumAlgorithm, Checksummer};
pub use chunked::{
    encoded_length, ChunkedDecoder, ChunkedEncoder, Trailers, MAX_LINE, MAX_TRAILERS,
    MAX_TRAILER_BYTES,
};
pub use date::{format_amz_date, format_http_date, parse_any_date};
pub use error::SignError;
pub use post::{
    post_signature_v2, post_signature_v4, verify_post_v2, verify_post_v4, PostCredential,
    POST_ALGORITHM,
};
pub use v2::{presign_v2, sign_v2, V2Auth, SUB_RESOURCES};
pub use v4::{
    canonical_request, presign_v4, sign_v4_headers, signing_key, string_to_sign, SigningParams,
    V4Auth, MAX_PRESIGN_EXPIRES, SERVICES, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD,
};

/// Entry points for the fuzz targets (`fuzz/`, `crates/oos-fuzz-checks`) into the private
/// canonicalisation. Not an API: nothing but the fuzz checks uses it.
#[doc(hidden)]
pub mod fuzzing {
    /// The SigV4 canonical query as AWS documents it (`+` literal, values sorted).
    pub fn canonical_query(query: &str) -> String {
        crate::canonical::canonical_query(query, false, false, true)
    }

    /// The path re-encoded segment by segment, as the verifier's second candidate.
    pub fn reencoded_path(path: &str) -> String {
        crate::canonical::reencoded_path(path)
    }

    /// The percent-decoded keys of a raw query, as the presigned parameters are looked up.
    pub fn decoded_query_keys(query: &str) -> Vec<Vec<u8>> {
        crate::canonical::query_pairs(query)
            .map(|(k, _)| crate::canonical::percent_decode(k).into_owned())
            .collect()
    }
}

/// SHA-256 of the empty body, hex.
pub const EMPTY_SHA256_HEX: &str = canonical::EMPTY_SHA256;

/// What the verifier needs to see of an HTTP request.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    pub method: &'a str,
    /// Raw path exactly as on the wire (percent-encoded), e.g. `/bucket/my%20key`.
    pub path: &'a str,
    /// Raw query string without `?`, may be empty.
    pub query: &'a str,
    pub headers: &'a http::HeaderMap,
    /// SigV2 only: the bucket when addressed virtual-host style, since the
    /// V2 canonical resource is then `/bucket` + path.
    pub v2_virtual_bucket: Option<&'a str>,
}

/// How a request authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Anonymous,
    V4(V4Auth),
    V2(V2Auth),
}

impl Auth {
    pub fn access_key_id(&self) -> Option<&str> {
        match self {
            Auth::Anonymous => None,
            Auth::V4(a) => Some(&a.access_key_id),
            Auth::V2(a) => Some(&a.access_key_id),
        }
    }

    pub fn is_presigned(&self) -> bool {
        match self {
            Auth::Anonymous => false,
            Auth::V4(a) => a.presigned,
            Auth::V2(a) => a.presigned,
        }
    }

    /// The SigV4 credential-scope service (`s3`, `sts`, `iam`); `None` for V2 and anonymous.
    pub fn service(&self) -> Option<&str> {
        match self {
            Auth::V4(a) => Some(&a.service),
            _ => None,
        }
    }

    /// Session token sent with the request, if any.
    pub fn security_token(&self) -> Option<&str> {
        match self {
            Auth::Anonymous => None,
            Auth::V4(a) => a.security_token.as_deref(),
            Auth::V2(a) => a.security_token.as_deref(),
        }
    }
}

/// Parses the `Authorization` header or else the presigned query parameters.
///
/// The header's refusals are S3's: an empty or unreadable value is `403 AccessDenied`, a
/// value without a space between scheme and parameters `400 InvalidArgument` ("one and only
/// one ' ' (space) required"), a scheme other than `AWS4-HMAC-SHA256` and `AWS` `400
/// InvalidArgument` ("Unsupported Authorization Type").
pub fn parse_auth(req: &RequestView<'_>) -> Result<Auth, SignError> {
    if let Some(value) = req.headers.get(http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| SignError::AccessDenied("Access Denied".into()))?
            .trim();
        if value.is_empty() {
            return Err(SignError::AccessDenied("Access Denied".into()));
        }
        let Some((scheme, rest)) = value.split_once([' ', '\t']) else {
            return Err(SignError::InvalidArgument(
                "Authorization header is invalid -- one and only one ' ' (space) required.".into(),
            ));
        };
        return match scheme {
            v4::ALGORITHM => v4::parse_header(rest, req).map(Auth::V4),
            "AWS" => v2::parse_header(rest, req).map(Auth::V2),
            _ => Err(SignError::InvalidArgument(
                "Unsupported Authorization Type".into(),
            )),
        };
    }
    if v4::is_presigned(req.query) {
        return v4::parse_query(req).map(Auth::V4);
    }
    if v2::is_presigned(req.query) {
        return v2::parse_query(req).map(Auth::V2);
    }
    Ok(Auth::Anonymous)
}

/// Verifies a request with the secret of its access key; `now` is the server clock.
///
/// SigV4 header auth needs `x-amz-content-sha256` (the S3 rule). For `sts` and
/// `iam`, whose clients sign the body hash without that header, use
/// [`verify_with_body`].
pub fn verify(
    auth: &Auth,
    req: &RequestView<'_>,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Verified, SignError> {
    match auth {
        Auth::Anonymous => Ok(Verified::anonymous()),
        Auth::V4(a) => v4::verify(a, req, secret, now, None),
        Auth::V2(a) => v2::verify(a, req, secret, now),
    }
}

/// Like [`verify`] with the whole (small) body at hand: a missing
/// `x-amz-content-sha256` on non-S3 services means the body's hash was
/// signed, and a hex `x-amz-content-sha256` must match the body.
pub fn verify_with_body(
    auth: &Auth,
    req: &RequestView<'_>,
    secret: &str,
    now: OffsetDateTime,
    body: &[u8],
) -> Result<Verified, SignError> {
    match auth {
        Auth::V4(a) => v4::verify(a, req, secret, now, Some(&canonical::sha256(body))),
        _ => verify(auth, req, secret, now),
    }
}

/// A request whose signature checked out.
#[derive(Debug)]
pub struct Verified {
    /// `None` for anonymous requests.
    pub access_key_id: Option<String>,
    pub payload: PayloadMode,
    pub presigned: bool,
    /// SigV4 credential scope region.
    pub region: Option<String>,
    /// SigV4 credential scope service.
    pub service: Option<String>,
    pub security_token: Option<String>,
}

impl Verified {
    fn anonymous() -> Self {
        Verified {
            access_key_id: None,
            payload: PayloadMode::Unsigned,
            presigned: false,
            region: None,
            service: None,
            security_token: None,
        }
    }
}

/// How the body must be checked.
// One per request and rarely moved, so the decoder's size is no concern.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum PayloadMode {
    /// `UNSIGNED-PAYLOAD`, SigV2, presigned, anonymous: nothing to check.
    Unsigned,
    /// The body must hash to this (`x-amz-content-sha256`); check at EOF with [`PayloadHashCheck`].
    Sha256([u8; 32]),
    /// aws-chunked body: decode (and verify) it through the decoder.
    Chunked(ChunkedDecoder),
}

/// Hashes a body incrementally and compares with `x-amz-content-sha256` at the end.
#[derive(Debug, Clone)]
pub struct PayloadHashCheck {
    expected: [u8; 32],
    hasher: Sha256,
}

impl PayloadHashCheck {
    pub fn new(expected: [u8; 32]) -> Self {
        PayloadHashCheck {
            expected,
            hasher: Sha256::new(),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
    }

    /// `XAmzContentSHA256Mismatch` when the body hashed to something else.
    pub fn finish(self) -> Result<(), SignError> {
        let got: [u8; 32] = self.hasher.finalize().into();
        if canonical::ct_eq(&got, &self.expected) {
            Ok(())
        } else {
            Err(SignError::XAmzContentSha256Mismatch)
        }
    }
}

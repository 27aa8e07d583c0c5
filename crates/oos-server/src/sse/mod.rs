//! Server-side encryption as requests ask for it: which key a write encrypts with (SSE-C,
//! SSE-S3, SSE-KMS, or the bucket's default), which key opens an object for a read, the
//! headers that tell the client, and the plaintext ⇄ stored-bytes adapters. The format itself
//! is `oos-sse`'s; this module only chooses keys.

pub mod kms;

use bytes::Bytes;
use http::{HeaderMap, Response};
use md5::{Digest, Md5};
use oos_meta::{Bucket, ObjectAttrs, Sse};
use oos_sse::{Encryptor, ObjectKey};
use serde::{Deserialize, Serialize};

use crate::config::PlainHttpKeys;
use crate::error::{S3Error, S3Result};
use crate::response::{set_header, Body};
use crate::s3_error;
use crate::state::Server;

pub const SSE: &str = "x-amz-server-side-encryption";
pub const KMS_KEY_ID: &str = "x-amz-server-side-encryption-aws-kms-key-id";
pub const CONTEXT: &str = "x-amz-server-side-encryption-context";
pub const BUCKET_KEY: &str = "x-amz-server-side-encryption-bucket-key-enabled";
pub const CUSTOMER_ALGORITHM: &str = "x-amz-server-side-encryption-customer-algorithm";
pub const CUSTOMER_KEY: &str = "x-amz-server-side-encryption-customer-key";
pub const CUSTOMER_KEY_MD5: &str = "x-amz-server-side-encryption-customer-key-md5";
const COPY_SOURCE: &str = "x-amz-copy-source-";

pub const MODE_S3: &str = "AES256";
pub const MODE_KMS: &str = "aws:kms";
pub const MODE_CUSTOMER: &str = "SSE-C";
/// Associated data of SSE-S3 sealed keys.
const S3_CONTEXT: &[u8] = b"oos sse-s3";

/// How a write encrypts: what its attributes record, and the object key.
pub struct Sealing {
    pub sse: Sse,
    pub key: ObjectKey,
}

/// A bucket's default encryption (PutBucketEncryption), as stored in its `encryption`
/// configuration document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketDefault {
    /// `AES256` or `aws:kms`.
    pub algorithm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub bucket_key: bool,
}

pub const BUCKET_CONFIG: &str = "encryption";

impl BucketDefault {
    pub fn of(bucket: &Bucket) -> Option<BucketDefault> {
        bucket
            .config
            .iter()
            .find(|(kind, _)| kind == BUCKET_CONFIG)
            .and_then(|(_, doc)| serde_json::from_str(doc).ok())
    }
}

/// What a customer key is presented for: the errors differ (AWS answers a key of the wrong
/// length 400 on writes and 403 on reads, and a read needs no key MD5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Write,
    Read,
}

struct CustomerKey {
    key: ObjectKey,
    /// base64 MD5 of the key, as answered.
    md5: String,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).map(|v| v.to_str().unwrap_or(""))
}

/// The customer key of a request (`prefix`: `""`, or `x-amz-copy-source-` for a copy's
/// source), checked as AWS checks it.
fn customer_key(
    server: &Server,
    remote: std::net::SocketAddr,
    headers: &HeaderMap,
    prefix: &str,
    purpose: Purpose,
) -> S3Result<Option<CustomerKey>> {
    // `x-amz-server-side-…` becomes `x-amz-copy-source-server-side-…` for a copy's source.
    let get = |name: &str| match prefix {
        "" => header(headers, name),
        _ => header(headers, &format!("{prefix}{}", &name["x-amz-".len()..])),
    };
    let (algorithm, key, md5) = (
        get(CUSTOMER_ALGORITHM),
        get(CUSTOMER_KEY),
        get(CUSTOMER_KEY_MD5),
    );
    if algorithm.is_none() && key.is_none() && md5.is_none() {
        return Ok(None);
    }
    let plain_ok = match server.config.sse_c_plain_http {
        PlainHttpKeys::Any => true,
        PlainHttpKeys::Loopback => remote.ip().is_loopback(),
        PlainHttpKeys::Never => false,
    };
    if server.config.tls.is_none() && !plain_ok {
        return Err(s3_error!(InvalidRequest, "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."));
    }
    let algorithm = algorithm.ok_or_else(|| s3_error!(InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."))?;
    if algorithm != "AES256" {
        return Err(s3_error!(InvalidEncryptionAlgorithmError));
    }
    let key = key.ok_or_else(|| s3_error!(InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."))?;
    let invalid_key = || {
        s3_error!(
            InvalidArgument,
            "The secret key was invalid for the specified algorithm."
        )
    };
    let bytes = b64(key).filter(|b| !b.is_empty()).ok_or_else(invalid_key)?;
    let digest: [u8; 16] = Md5::digest(&bytes).into();
    match md5 {
        Some(sent) if b64(sent).as_deref() != Some(digest.as_slice()) => {
            return Err(s3_error!(
                InvalidArgument,
                "The calculated MD5 hash of the key did not match the hash that was provided."
            ))
        }
        None if purpose == Purpose::Write => return Err(s3_error!(InvalidArgument, "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.")),
        _ => {}
    }
    let bytes: [u8; 32] = match bytes.try_into() {
        Ok(b) => b,
        Err(_) if purpose == Purpose::Read => return Err(s3_error!(AccessDenied)),
        Err(_) => return Err(invalid_key()),
    };
    Ok(Some(CustomerKey {
        key: ObjectKey::from_bytes(bytes),
        md5: {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(digest)
        },
    }))
}

fn b64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// The encryption a write asks for (its headers, else the bucket's default); `None`: stored
/// as sent.
pub async fn for_write(
    server: &Server,
    remote: std::net::SocketAddr,
    bucket: &Bucket,
    headers: &HeaderMap,
) -> S3Result<Option<Sealing>> {
    let customer = customer_key(server, remote, headers, "", Purpose::Write)?;
    let asked = header(headers, SSE);
    let kms_key_id = header(headers, KMS_KEY_ID);
    let context = header(headers, CONTEXT);
    if let Some(c) = customer {
        if asked.is_some() || kms_key_id.is_some() {
            return Err(s3_error!(InvalidArgument, "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"));
        }
        return Ok(Some(Sealing {
            sse: Sse {
                mode: MODE_CUSTOMER.into(),
                key_check: Some(oos_sse::key_check(&c.key)),
                key_md5: Some(c.md5),
                ..empty_sse()
            },
            key: c.key,
        }));
    }
    let bucket_key = match header(headers, BUCKET_KEY) {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => {
            return Err(s3_error!(
                InvalidArgument,
                "The header x-amz-server-side-encryption-bucket-key-enabled must be true or false."
            ))
        }
    };
    let needs_kms = || {
        s3_error!(InvalidArgument, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
    };
    match asked {
        Some(MODE_S3) if kms_key_id.is_some() || context.is_some() => Err(needs_kms()),
        Some(MODE_S3) => Ok(Some(seal_s3(server))),
        Some(MODE_KMS) => {
            let context = context.map(check_context).transpose()?;
            Ok(Some(
                seal_kms(server, kms_key_id, context, bucket_key.unwrap_or(false)).await?,
            ))
        }
        Some("aws:kms:dsse") => Err(s3_error!(
            NotImplemented,
            "Dual-layer server-side encryption (aws:kms:dsse) is not implemented."
        )),
        Some(_) => Err(s3_error!(
            InvalidArgument,
            "The encryption method specified is not supported"
        )),
        None if kms_key_id.is_some() || context.is_some() => Err(needs_kms()),
        None => match BucketDefault::of(bucket) {
            None => Ok(None),
            Some(d) if d.algorithm == MODE_KMS => Ok(Some(
                seal_kms(
                    server,
                    d.kms_key_id.as_deref(),
                    None,
                    bucket_key.unwrap_or(d.bucket_key),
                )
                .await?,
            )),
            Some(_) => Ok(Some(seal_s3(server))),
        },
    }
}

fn empty_sse() -> Sse {
    Sse {
        mode: String::new(),
        kms_key_id: None,
        kms_key: None,
        context: None,
        sealed_key: None,
        key_check: None,
        key_md5: None,
        bucket_key: false,
    }
}

fn seal_s3(server: &Server) -> Sealing {
    let key = ObjectKey::generate();
    Sealing {
        sse: Sse {
            mode: MODE_S3.into(),
            sealed_key: Some(oos_sse::seal_key(
                server.secrets.sse_s3_kek(),
                &key,
                S3_CONTEXT,
            )),
            ..empty_sse()
        },
        key,
    }
}

/// The associated data of a KMS-sealed key: the key store's id and the encryption context.
fn kms_context(kms_key: &str, context: Option<&str>) -> Vec<u8> {
    format!("oos sse-kms\0{kms_key}\0{}", context.unwrap_or("")).into_bytes()
}

async fn seal_kms(
    server: &Server,
    named: Option<&str>,
    context: Option<String>,
    bucket_key: bool,
) -> S3Result<Sealing> {
    let meta = server.meta.as_ref();
    let kms_key = match named {
        Some(n) => kms::resolve(meta, n).await?,
        None => kms::default_key(meta, &server.secrets).await?,
    };
    let kek = kms::kek(&server.secrets, &kms_key)?;
    let key = ObjectKey::generate();
    let sealed = oos_sse::seal_key(&kek, &key, &kms_context(&kms_key.id, context.as_deref()));
    Ok(Sealing {
        sse: Sse {
            mode: MODE_KMS.into(),
            kms_key_id: Some(named.map_or_else(|| kms_key.id.clone(), str::to_string)),
            kms_key: Some(kms_key.id),
            context,
            sealed_key: Some(sealed),
            bucket_key,
            ..empty_sse()
        },
        key,
    })
}

/// `x-amz-server-side-encryption-context`: base64 of a JSON object of strings (AWS).
fn check_context(raw: &str) -> S3Result<String> {
    let ok = b64(raw)
        .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
        .and_then(|v| v.as_object().map(|o| o.values().all(|v| v.is_string())))
        .unwrap_or(false);
    if !ok {
        return Err(s3_error!(InvalidArgument, "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map"));
    }
    Ok(raw.to_string())
}

/// Where the key of a read comes from: the request's own SSE-C headers, or a copy's
/// `x-amz-copy-source-…` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    Object,
    CopySource,
    /// A part of an encrypted multipart upload being written.
    UploadPart,
}

/// The key that opens an object (or, with [`ReadAs::UploadPart`], encrypts the next part of an
/// upload) whose attributes are `attrs`; `None`: not encrypted.
pub async fn for_read(
    server: &Server,
    remote: std::net::SocketAddr,
    headers: &HeaderMap,
    attrs: &ObjectAttrs,
    read_as: ReadAs,
) -> S3Result<Option<ObjectKey>> {
    let prefix = if read_as == ReadAs::CopySource {
        COPY_SOURCE
    } else {
        ""
    };
    let customer = customer_key(server, remote, headers, prefix, Purpose::Read)?;
    let not_applicable = || {
        s3_error!(
            InvalidRequest,
            "The encryption parameters are not applicable to this object."
        )
    };
    let Some(sse) = &attrs.sse else {
        return match customer {
            Some(_) => Err(not_applicable()),
            None => Ok(None),
        };
    };
    if sse.mode == MODE_CUSTOMER {
        let Some(c) = customer else {
            return Err(match read_as {
                ReadAs::UploadPart => s3_error!(InvalidRequest, "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."),
                _ => s3_error!(InvalidRequest, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."),
            });
        };
        let check = sse.key_check.as_deref().unwrap_or("");
        if !oos_sse::verify_key_check(&c.key, check) {
            return Err(match read_as {
                ReadAs::UploadPart => s3_error!(
                    InvalidArgument,
                    "The provided encryption parameters did not match the ones used originally."
                ),
                _ => s3_error!(AccessDenied),
            });
        }
        return Ok(Some(c.key));
    }
    if customer.is_some() {
        return Err(not_applicable());
    }
    server_key(server, sse).await.map(Some)
}

/// The key of an object for a read that cannot carry a customer key (the website
/// endpoint): SSE-S3 and SSE-KMS objects open; SSE-C objects cannot.
pub async fn without_customer_key(
    server: &Server,
    attrs: &ObjectAttrs,
) -> S3Result<Option<ObjectKey>> {
    match &attrs.sse {
        None => Ok(None),
        Some(sse) if sse.mode == MODE_CUSTOMER => Err(s3_error!(InvalidRequest, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")),
        Some(sse) => server_key(server, sse).await.map(Some),
    }
}

/// Unseals the object key of an SSE-S3 or SSE-KMS object.
async fn server_key(server: &Server, sse: &Sse) -> S3Result<ObjectKey> {
    let sealed = sse.sealed_key.as_deref().unwrap_or("");
    let unsealed = if sse.mode == MODE_KMS {
        let id = sse.kms_key.as_deref().unwrap_or("");
        let kms_key = kms::resolve(server.meta.as_ref(), id).await?;
        let kek = kms::kek(&server.secrets, &kms_key)?;
        oos_sse::open_key(&kek, sealed, &kms_context(id, sse.context.as_deref()))
    } else {
        oos_sse::open_key(server.secrets.sse_s3_kek(), sealed, S3_CONTEXT)
    };
    unsealed.map_err(|e| S3Error::internal("object key", e))
}

/// The headers that tell a client how its object is encrypted (writes and reads alike).
pub fn write_headers(resp: &mut Response<Body>, sse: Option<&Sse>) {
    let Some(sse) = sse else { return };
    match sse.mode.as_str() {
        MODE_CUSTOMER => {
            set_header(resp, CUSTOMER_ALGORITHM, "AES256");
            if let Some(md5) = &sse.key_md5 {
                set_header(resp, "x-amz-server-side-encryption-customer-key-MD5", md5);
            }
        }
        mode => {
            set_header(resp, SSE, mode);
            if let Some(id) = &sse.kms_key_id {
                set_header(resp, KMS_KEY_ID, id);
            }
            if let Some(c) = &sse.context {
                set_header(resp, CONTEXT, c);
            }
            if sse.bucket_key {
                set_header(resp, BUCKET_KEY, "true");
            }
        }
    }
}

/// Whether a request names any encryption for what it writes (a copy onto itself that does
/// is a legal change of the object's encryption).
pub fn requests_encryption(headers: &HeaderMap) -> bool {
    [SSE, KMS_KEY_ID, CUSTOMER_ALGORITHM]
        .iter()
        .any(|h| headers.contains_key(*h))
}

/// Turns plaintext pieces into the bytes to store: the same pieces, or their encryption.
pub enum Sealer {
    Plain,
    Encrypting(Box<Encryptor>),
}

impl Sealer {
    pub fn new(key: Option<&ObjectKey>) -> Sealer {
        match key {
            Some(k) => Sealer::Encrypting(Box::new(Encryptor::new(k))),
            None => Sealer::Plain,
        }
    }

    pub fn push(&mut self, piece: Bytes, out: &mut Vec<Bytes>) {
        match self {
            Sealer::Plain => out.push(piece),
            Sealer::Encrypting(e) => e.update(&piece, out),
        }
    }

    pub fn finish(self, out: &mut Vec<Bytes>) {
        if let Sealer::Encrypting(e) = self {
            e.finish(out);
        }
    }
}

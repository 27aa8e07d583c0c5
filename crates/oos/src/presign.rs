//! Presigned URLs (SigV4 or SigV2, whichever the client is configured for).

use std::time::Duration;

use http::header::{HeaderValue, HOST};
use http::{HeaderMap, Method};

use crate::client::{enc_query, Client};
use crate::config::SignatureVersion;
use crate::error::{Error, Result};

/// Options of [`Client::presign`].
#[derive(Debug, Clone)]
pub struct PresignOptions {
    /// Validity; 15 minutes by default as in the guide, at most 7 days.
    pub expires: Duration,
    /// Speed limit in KiB/s baked into the URL (`x-amz-limit=rate=N`).
    pub limit_rate: Option<u64>,
}

impl Default for PresignOptions {
    fn default() -> Self {
        PresignOptions {
            expires: Duration::from_secs(15 * 60),
            limit_rate: None,
        }
    }
}

impl Client {
    /// A URL anyone can use for `method` on the object (or bucket when `key` is `None`)
    /// until it expires.
    ///
    /// ```no_run
    /// # fn f(client: oos::Client) -> oos::Result<()> {
    /// let url = client.presign(http::Method::GET, "photos", Some("a.jpg"), Default::default())?;
    /// println!("{url}");
    /// # Ok(()) }
    /// ```
    pub fn presign(
        &self,
        method: Method,
        bucket: &str,
        key: Option<&str>,
        options: PresignOptions,
    ) -> Result<String> {
        let secs = options.expires.as_secs();
        if secs == 0 || secs > oos_sign::MAX_PRESIGN_EXPIRES {
            return Err(Error::InvalidArgument(format!(
                "expiry of {secs} s is outside 1..={} s",
                oos_sign::MAX_PRESIGN_EXPIRES
            )));
        }
        let (host, path, virtual_bucket) = self.locate(Some(bucket), key);
        let query = options
            .limit_rate
            .map(|r| format!("x-amz-limit={}", enc_query(&format!("rate={r}"))))
            .unwrap_or_default();
        let mut headers = HeaderMap::new();
        headers.insert(
            HOST,
            HeaderValue::from_str(&host)
                .map_err(|_| Error::InvalidArgument(format!("invalid host {host:?}")))?,
        );
        let cfg = self.config();
        let creds = &cfg.credentials;
        let now = time::OffsetDateTime::now_utc();
        let mut params = oos_sign::SigningParams::new(
            &creds.access_key_id,
            &creds.secret_access_key,
            self.region(),
            "s3",
            now,
        );
        params.session_token = creds.session_token.as_deref();
        let full_query = match cfg.signature {
            SignatureVersion::V4 => {
                oos_sign::presign_v4(&params, method.as_str(), &path, &query, &headers, secs)
                    .map_err(|e| Error::InvalidArgument(format!("presign: {e}")))?
            }
            SignatureVersion::V2 => oos_sign::presign_v2(
                &params,
                method.as_str(),
                &path,
                &query,
                &headers,
                now.unix_timestamp() + secs as i64,
                virtual_bucket.as_deref(),
            ),
        };
        Ok(format!("{}://{host}{path}?{full_query}", self.scheme()))
    }
}

/// The `${filename}` variable of a form's `key`: the server puts the uploaded file's name there.
pub const FILENAME_VARIABLE: &str = "${filename}";

/// Fields [`Client::presign_post`] writes itself; [`PresignPost::field`] refuses them.
const RESERVED_FIELDS: [&str; 11] = [
    "key",
    "bucket",
    "file",
    "policy",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-signature",
    "x-amz-security-token",
    "awsaccesskeyid",
    "signature",
];

/// One condition of a POST policy (the `conditions` list of S3's POST policy document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostCondition {
    /// The field must have exactly this value: `{"acl": "public-read"}`.
    Eq {
        /// The form field's name, without `$` (matched without case by the server).
        field: String,
        /// The value it must have.
        value: String,
    },
    /// The field's value must start with `prefix` (an empty prefix admits any value):
    /// `["starts-with", "$Content-Type", "image/"]`.
    StartsWith {
        /// The form field's name, without `$`.
        field: String,
        /// What the value must start with.
        prefix: String,
    },
    /// The file's size in bytes, both bounds included: `["content-length-range", 0, 1048576]`.
    ContentLengthRange {
        /// Smallest size admitted.
        min: u64,
        /// Largest size admitted.
        max: u64,
    },
}

impl PostCondition {
    fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            PostCondition::Eq { field, value } => {
                let mut one = serde_json::Map::new();
                one.insert(field.clone(), value.clone().into());
                serde_json::Value::Object(one)
            }
            PostCondition::StartsWith { field, prefix } => {
                json!(["starts-with", format!("${field}"), prefix])
            }
            PostCondition::ContentLengthRange { min, max } => {
                json!(["content-length-range", min, max])
            }
        }
    }
}

/// A signed browser form: POST `fields` (in this order, then the `file` field last) as
/// `multipart/form-data` to `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedPost {
    /// Where the form goes: the bucket's URL (`http://host/bucket`, or `http://bucket.host/`
    /// with virtual-host addressing).
    pub url: String,
    /// Name and value of every field the form must carry before its file: `key`, the fields
    /// given to the builder, the credential fields and the signature.
    pub fields: Vec<(String, String)>,
    /// When the policy stops admitting uploads.
    pub expiration: time::OffsetDateTime,
}

impl PresignedPost {
    /// A field's value, its name matched without case (as the server matches it).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The policy document as JSON text (the `policy` field decoded).
    pub fn policy_json(&self) -> Option<String> {
        use base64::Engine;
        let b64 = self.field("policy")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        String::from_utf8(bytes).ok()
    }
}

/// The builder [`Client::presign_post`] returns; [`PresignPost::build`] signs the form.
#[derive(Debug, Clone)]
#[must_use = "a PresignPost does nothing until built"]
pub struct PresignPost<'c> {
    client: &'c Client,
    bucket: String,
    key: String,
    expires: Duration,
    fields: Vec<(String, String)>,
    conditions: Vec<PostCondition>,
}

impl Client {
    /// A browser form upload to `bucket`/`key`, as boto3's `generate_presigned_post`: whoever
    /// holds the form may upload one file under the policy's conditions until it expires
    /// (one hour by default). A key ending in `${filename}` takes the uploaded file's name.
    ///
    /// ```no_run
    /// # fn f(client: oos::Client) -> oos::Result<()> {
    /// let post = client
    ///     .presign_post("photos", "uploads/${filename}")
    ///     .expires(std::time::Duration::from_secs(600))
    ///     .content_length_range(1, 10 << 20)
    ///     .content_type("image/jpeg")
    ///     .acl("public-read")
    ///     .metadata("album", "summer")
    ///     .success_action_status(201)
    ///     .build()?;
    /// println!("POST {}", post.url);
    /// for (name, value) in &post.fields {
    ///     println!("  {name} = {value}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn presign_post(&self, bucket: &str, key: &str) -> PresignPost<'_> {
        PresignPost {
            client: self,
            bucket: bucket.to_string(),
            key: key.to_string(),
            expires: Duration::from_secs(3600),
            fields: Vec::new(),
            conditions: Vec::new(),
        }
    }
}

impl<'c> PresignPost<'c> {
    /// How long the policy admits uploads (1 hour by default, at most 7 days).
    pub fn expires(mut self, expires: Duration) -> Self {
        self.expires = expires;
        self
    }

    /// The file's size must be within `min..=max` bytes (else `400 EntityTooSmall` or
    /// `EntityTooLarge`).
    pub fn content_length_range(self, min: u64, max: u64) -> Self {
        self.condition(PostCondition::ContentLengthRange { min, max })
    }

    /// A field the form carries with this value, and the policy condition that it keeps it.
    /// `acl`, `Content-Type`, `Cache-Control`, `Content-Disposition`, `Content-Encoding`,
    /// `Expires`, `x-amz-meta-*`, `x-amz-storage-class`, `tagging`, `success_action_status`,
    /// `success_action_redirect`… become the new object's headers as in a PutObject.
    pub fn field(mut self, name: &str, value: &str) -> Self {
        self.fields.push((name.to_string(), value.to_string()));
        self.conditions.push(PostCondition::Eq {
            field: name.to_string(),
            value: value.to_string(),
        });
        self
    }

    /// Lets the form's user choose the field's value as long as it starts with `prefix`
    /// (empty: any value). The field itself is left to the page that fills the form.
    pub fn starts_with(self, name: &str, prefix: &str) -> Self {
        self.condition(PostCondition::StartsWith {
            field: name.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// Any policy condition, for the field the page fills in.
    pub fn condition(mut self, condition: PostCondition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// The canned ACL of the new object (`x-amz-acl`).
    pub fn acl(self, acl: &str) -> Self {
        self.field("acl", acl)
    }

    /// The new object's Content-Type.
    pub fn content_type(self, content_type: &str) -> Self {
        self.field("Content-Type", content_type)
    }

    /// User metadata `x-amz-meta-<name>` of the new object.
    pub fn metadata(self, name: &str, value: &str) -> Self {
        self.field(&format!("x-amz-meta-{name}"), value)
    }

    /// The status of a successful upload: 200, 201 (with a `PostResponse` document) or 204
    /// (the server's default).
    pub fn success_action_status(self, status: u16) -> Self {
        self.field("success_action_status", &status.to_string())
    }

    /// A URL the browser is sent to (`303`) after a successful upload, with `bucket`, `key`
    /// and `etag` in its query.
    pub fn success_action_redirect(self, url: &str) -> Self {
        self.field("success_action_redirect", url)
    }

    /// Signs the policy (SigV4 or SigV2, as the client is configured) and returns the form.
    pub fn build(self) -> Result<PresignedPost> {
        self.build_at(time::OffsetDateTime::now_utc())
    }

    fn build_at(self, now: time::OffsetDateTime) -> Result<PresignedPost> {
        let secs = self.expires.as_secs();
        if secs == 0 || secs > oos_sign::MAX_PRESIGN_EXPIRES {
            return Err(Error::InvalidArgument(format!(
                "expiry of {secs} s is outside 1..={} s",
                oos_sign::MAX_PRESIGN_EXPIRES
            )));
        }
        if self.key.is_empty() {
            return Err(Error::InvalidArgument("a POST form needs a key".into()));
        }
        for (name, _) in &self.fields {
            if RESERVED_FIELDS.contains(&name.to_ascii_lowercase().as_str()) {
                return Err(Error::InvalidArgument(format!(
                    "the form field {name} is written by presign_post itself"
                )));
            }
        }
        for c in &self.conditions {
            if let PostCondition::ContentLengthRange { min, max } = c {
                if min > max {
                    return Err(Error::InvalidArgument(format!(
                        "content-length-range {min}..={max} admits no size"
                    )));
                }
            }
        }
        let client = self.client;
        let cfg = client.config();
        let creds = &cfg.credentials;
        // Whole seconds, as the policy writes it.
        let expiration = (now + self.expires)
            .replace_nanosecond(0)
            .expect("0 is a valid nanosecond");

        let mut conditions = vec![PostCondition::Eq {
            field: "bucket".into(),
            value: self.bucket.clone(),
        }];
        conditions.extend(self.conditions);
        // The server checks the key after putting the file's name into it (S3's order).
        conditions.push(match self.key.split_once(FILENAME_VARIABLE) {
            Some((prefix, _)) => PostCondition::StartsWith {
                field: "key".into(),
                prefix: prefix.to_string(),
            },
            None => PostCondition::Eq {
                field: "key".into(),
                value: self.key.clone(),
            },
        });
        let mut fields = vec![("key".to_string(), self.key.clone())];
        fields.extend(self.fields);
        let mut signed_fields = Vec::new();
        if let SignatureVersion::V4 = cfg.signature {
            let credential = oos_sign::PostCredential {
                access_key_id: creds.access_key_id.clone(),
                date: oos_sign::format_amz_date(now)[..8].to_string(),
                region: client.region().to_string(),
                service: "s3".into(),
            };
            signed_fields.push(("x-amz-algorithm", oos_sign::POST_ALGORITHM.to_string()));
            signed_fields.push(("x-amz-credential", credential.to_field()));
            signed_fields.push(("x-amz-date", oos_sign::format_amz_date(now)));
            if let Some(token) = &creds.session_token {
                signed_fields.push(("x-amz-security-token", token.clone()));
            }
            for (name, value) in &signed_fields {
                conditions.push(PostCondition::Eq {
                    field: name.to_string(),
                    value: value.clone(),
                });
            }
            let policy = policy_b64(expiration, &conditions)?;
            let signature =
                oos_sign::post_signature_v4(&creds.secret_access_key, &credential, &policy);
            signed_fields.push(("policy", policy));
            signed_fields.push(("x-amz-signature", signature));
        } else {
            if let Some(token) = &creds.session_token {
                signed_fields.push(("x-amz-security-token", token.clone()));
                conditions.push(PostCondition::Eq {
                    field: "x-amz-security-token".into(),
                    value: token.clone(),
                });
            }
            let policy = policy_b64(expiration, &conditions)?;
            let signature = oos_sign::post_signature_v2(&creds.secret_access_key, &policy);
            signed_fields.push(("AWSAccessKeyId", creds.access_key_id.clone()));
            signed_fields.push(("policy", policy));
            signed_fields.push(("signature", signature));
        }
        fields.extend(signed_fields.into_iter().map(|(n, v)| (n.to_string(), v)));

        let (host, path, _) = client.locate(Some(&self.bucket), None);
        Ok(PresignedPost {
            url: format!("{}://{host}{path}", client.scheme()),
            fields,
            expiration,
        })
    }
}

/// The policy document, base64: `{"expiration": "…Z", "conditions": […]}`.
fn policy_b64(expiration: time::OffsetDateTime, conditions: &[PostCondition]) -> Result<String> {
    use base64::Engine;
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let expiration = expiration
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .map_err(|e| Error::InvalidArgument(format!("policy expiration: {e}")))?;
    let doc = serde_json::json!({
        "expiration": expiration,
        "conditions": conditions.iter().map(PostCondition::to_json).collect::<Vec<_>>(),
    });
    Ok(base64::engine::general_purpose::STANDARD.encode(doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    /// The policy document, byte for byte, for a fixed clock (AWS's example credentials).
    #[test]
    fn post_policy_document_and_fields() {
        let client = Client::new(
            Config::new(
                "http://127.0.0.1:9000",
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
            .with_region("us-east-1"),
        )
        .unwrap();
        let now = time::macros::datetime!(2015-12-29 00:00:00 UTC);
        let post = client
            .presign_post("sigv4examplebucket", "user/user1/${filename}")
            .acl("public-read")
            .starts_with("Content-Type", "image/")
            .content_length_range(0, 1 << 20)
            .build_at(now)
            .unwrap();
        assert_eq!(post.url, "http://127.0.0.1:9000/sigv4examplebucket");
        assert_eq!(
            post.policy_json().unwrap(),
            concat!(
                r#"{"conditions":[{"bucket":"sigv4examplebucket"},{"acl":"public-read"},"#,
                r#"["starts-with","$Content-Type","image/"],["content-length-range",0,1048576],"#,
                r#"["starts-with","$key","user/user1/"],{"x-amz-algorithm":"AWS4-HMAC-SHA256"},"#,
                r#"{"x-amz-credential":"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},"#,
                r#"{"x-amz-date":"20151229T000000Z"}],"expiration":"2015-12-29T01:00:00Z"}"#
            )
        );
        let names: Vec<&str> = post.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "key",
                "acl",
                "x-amz-algorithm",
                "x-amz-credential",
                "x-amz-date",
                "policy",
                "x-amz-signature"
            ]
        );
        let credential =
            oos_sign::PostCredential::parse(post.field("x-amz-credential").unwrap()).unwrap();
        assert!(oos_sign::verify_post_v4(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            &credential,
            post.field("policy").unwrap(),
            post.field("x-amz-signature").unwrap()
        )
        .is_ok());
    }
}

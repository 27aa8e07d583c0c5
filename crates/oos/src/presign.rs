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
        let scheme = cfg
            .endpoint
            .split("://")
            .next()
            .filter(|s| *s != cfg.endpoint)
            .unwrap_or("http");
        Ok(format!("{scheme}://{host}{path}?{full_query}"))
    }
}

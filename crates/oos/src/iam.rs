//! The OOS AccessKey API (IAM-style form POSTs signed with SigV4 service `iam`).

use http::Method;

use crate::client::{Client, Request, Service};
use crate::error::{Error, Result};
use crate::model::{
    AccessKey, CreateAccessKeyResponse, ListAccessKeysResponse, ListAccessKeysResult,
};

/// Options of [`Client::list_access_keys`].
#[derive(Debug, Clone, Default)]
pub struct ListAccessKeysOptions {
    /// Page size (1..=1000, server default 100).
    pub max_items: Option<u32>,
    /// The previous page's `marker`.
    pub marker: Option<String>,
}

impl Client {
    async fn iam(&self, params: &[(&str, &str)]) -> Result<bytes::Bytes> {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.push(("Version", "2010-05-08"));
        let body = serde_urlencoded::to_string(&form)
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let mut req = Request::new(Method::POST)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )?
            .body(body);
        req.service = Service::Iam;
        Ok(self.send_bytes(req).await?.0)
    }

    /// Creates an access key (new keys start active and non-primary); the answer holds the
    /// only copy of its secret.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let key = client.create_access_key().await?;
    /// println!("{} {:?}", key.access_key_id, key.secret_access_key);
    /// # Ok(()) }
    /// ```
    pub async fn create_access_key(&self) -> Result<AccessKey> {
        let body = self.iam(&[("Action", "CreateAccessKey")]).await?;
        let doc: CreateAccessKeyResponse = parse(&body)?;
        Ok(doc.create_access_key_result.access_key)
    }

    /// Deletes an access key.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_access_key("0123456789abcdef0123").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_access_key(&self, access_key_id: &str) -> Result<()> {
        self.iam(&[
            ("Action", "DeleteAccessKey"),
            ("AccessKeyId", access_key_id),
        ])
        .await
        .map(|_| ())
    }

    /// Activates or deactivates a key and optionally makes it primary or not.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.update_access_key("0123456789abcdef0123", false, None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_access_key(
        &self,
        access_key_id: &str,
        active: bool,
        primary: Option<bool>,
    ) -> Result<()> {
        let status = if active { "Active" } else { "Inactive" };
        let mut params = vec![
            ("Action", "UpdateAccessKey"),
            ("AccessKeyId", access_key_id),
            ("Status", status),
        ];
        if let Some(p) = primary {
            params.push(("IsPrimary", if p { "true" } else { "false" }));
        }
        self.iam(&params).await.map(|_| ())
    }

    /// One page of the caller's access keys.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let page = client.list_access_keys(Default::default()).await?;
    /// for k in page.access_key_metadata.member { println!("{} {}", k.access_key_id, k.status); }
    /// # Ok(()) }
    /// ```
    pub async fn list_access_keys(
        &self,
        options: ListAccessKeysOptions,
    ) -> Result<ListAccessKeysResult> {
        let max = options.max_items.map(|m| m.to_string());
        let mut params = vec![("Action", "ListAccessKeys")];
        if let Some(m) = &max {
            params.push(("MaxItems", m));
        }
        if let Some(m) = &options.marker {
            params.push(("Marker", m));
        }
        let body = self.iam(&params).await?;
        let doc: ListAccessKeysResponse = parse(&body)?;
        Ok(doc.list_access_keys_result)
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    let text = std::str::from_utf8(body).map_err(|_| Error::Response("not UTF-8".into()))?;
    oos_proto::xml::from_xml(text).map_err(|e| Error::Response(format!("{e}: {text}")))
}

//! Browser-based uploads (POST Object): the form carries a base64 POST policy and a signature
//! over that base64 text as received, not over a canonical request.
//!
//! SigV4: `hex(HMAC-SHA256(signing_key(date, region, service), policy_b64))` with the
//! credential of the `x-amz-credential` field. SigV2: `base64(HMAC-SHA1(secret, policy_b64))`.

use base64::Engine;

use crate::canonical::{ct_eq, hmac_sha1, hmac_sha256};
use crate::error::SignError;
use crate::v4::{parse_credential, signing_key};

/// The algorithm a SigV4 form names in `x-amz-algorithm`.
pub const POST_ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The `x-amz-credential` field: `<AKID>/<yyyymmdd>/<region>/<service>/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostCredential {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

impl PostCredential {
    /// Parses the field; a malformed one is S3's `InvalidArgument`, as for presigned URLs.
    pub fn parse(credential: &str) -> Result<PostCredential, SignError> {
        let (access_key_id, date, region, service) =
            parse_credential(credential, true).map_err(|e| match e {
                SignError::AuthorizationQueryParametersError(m) => SignError::InvalidArgument(m),
                other => other,
            })?;
        Ok(PostCredential {
            access_key_id,
            date,
            region,
            service,
        })
    }

    /// The field's text.
    pub fn to_field(&self) -> String {
        format!(
            "{}/{}/{}/{}/aws4_request",
            self.access_key_id, self.date, self.region, self.service
        )
    }
}

/// The SigV4 `x-amz-signature` of a policy (hex).
pub fn post_signature_v4(secret: &str, credential: &PostCredential, policy_b64: &str) -> String {
    let key = signing_key(
        secret,
        &credential.date,
        &credential.region,
        &credential.service,
    );
    hex::encode(hmac_sha256(&key, policy_b64.as_bytes()))
}

/// The SigV2 `signature` of a policy (base64).
pub fn post_signature_v2(secret: &str, policy_b64: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha1(secret.as_bytes(), policy_b64.as_bytes()))
}

/// Checks a SigV4 form signature in constant time (hex of either case accepted).
pub fn verify_post_v4(
    secret: &str,
    credential: &PostCredential,
    policy_b64: &str,
    provided: &str,
) -> Result<(), SignError> {
    let want = post_signature_v4(secret, credential, policy_b64);
    if ct_eq(want.as_bytes(), provided.to_ascii_lowercase().as_bytes()) {
        Ok(())
    } else {
        Err(SignError::SignatureDoesNotMatch)
    }
}

/// Checks a SigV2 form signature in constant time.
pub fn verify_post_v2(secret: &str, policy_b64: &str, provided: &str) -> Result<(), SignError> {
    let want = post_signature_v2(secret, policy_b64);
    if ct_eq(want.as_bytes(), provided.as_bytes()) {
        Ok(())
    } else {
        Err(SignError::SignatureDoesNotMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn credential() -> PostCredential {
        PostCredential::parse("AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request").unwrap()
    }

    /// The example of AWS's "POST Object" SigV4 page (sigv4-post-example), byte for byte.
    #[test]
    fn aws_sigv4_post_example() {
        let policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        let sig = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";
        assert_eq!(post_signature_v4(SECRET, &credential(), policy), sig);
        assert!(verify_post_v4(SECRET, &credential(), policy, sig).is_ok());
        assert!(verify_post_v4(SECRET, &credential(), policy, &sig.to_uppercase()).is_ok());
        assert_eq!(
            verify_post_v4(SECRET, &credential(), &policy[..policy.len() - 2], sig),
            Err(SignError::SignatureDoesNotMatch)
        );
    }

    /// botocore's `generate_presigned_post` with a fixed clock (2015-12-29T00:00:00Z).
    #[test]
    fn botocore_presigned_post_vector() {
        let policy = "eyJleHBpcmF0aW9uIjogIjIwMTUtMTItMjlUMDE6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAic2lndjRleGFtcGxlYnVja2V0In0sIHsia2V5IjogInVzZXIvdXNlcjEvcGhvdG8uanBnIn0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSUFJT1NGT0ROTjdFWEFNUExFLzIwMTUxMjI5L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMTUxMjI5VDAwMDAwMFoifV19";
        assert_eq!(
            post_signature_v4(SECRET, &credential(), policy),
            "3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6"
        );
    }

    #[test]
    fn sigv2_form_signature() {
        let sig = post_signature_v2(SECRET, "cG9saWN5");
        assert!(verify_post_v2(SECRET, "cG9saWN5", &sig).is_ok());
        assert_eq!(
            verify_post_v2("other", "cG9saWN5", &sig),
            Err(SignError::SignatureDoesNotMatch)
        );
    }

    #[test]
    fn malformed_credentials_are_invalid_argument() {
        for bad in [
            "AKID/20151229/us-east-1/s3",
            "AKID/2015-12-29/us-east-1/s3/aws4_request",
        ] {
            assert!(matches!(
                PostCredential::parse(bad),
                Err(SignError::InvalidArgument(_))
            ));
        }
        assert_eq!(
            credential().to_field(),
            "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"
        );
    }
}

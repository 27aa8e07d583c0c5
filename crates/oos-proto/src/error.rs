//! The S3 error-code table: each code with its HTTP status and the default message AWS sends.

/// Codes are their variant's name unless given (`as "KMS.NotFoundException"`).
macro_rules! error_codes {
    (@code $name:ident) => { stringify!($name) };
    (@code $name:ident $code:literal) => { $code };
    ($($name:ident $(as $code:literal)? => $status:literal, $msg:literal;)*) => {
        /// Every error code the server can answer with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($name,)* }

        impl ErrorCode {
            /// The code as it appears in `<Code>`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => error_codes!(@code $name $($code)?),)* }
            }
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$name => $status,)* }
            }
            pub fn default_message(self) -> &'static str {
                match self { $(ErrorCode::$name => $msg,)* }
            }
        }
    };
}

error_codes! {
    AccessDenied => 403, "Access Denied";
    AuthorizationHeaderMalformed => 400, "The authorization header is malformed.";
    AuthorizationQueryParametersError => 400, "Error parsing the query parameters as authorization.";
    BadRequest => 400, "Insufficient information.";
    BadDigest => 400, "The Content-MD5 or checksum value that you specified did not match what the server received.";
    BucketAlreadyExists => 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.";
    BucketAlreadyOwnedByYou => 409, "Your previous request to create the named bucket succeeded and you already own it.";
    BucketNotEmpty => 409, "The bucket you tried to delete is not empty";
    EntityTooLarge => 400, "Your proposed upload exceeds the maximum allowed object size.";
    EntityTooSmall => 400, "Your proposed upload is smaller than the minimum allowed object size.";
    IncompleteBody => 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.";
    InsufficientStorage => 507, "There is not enough space to store the object.";
    InternalError => 500, "We encountered an internal error. Please try again.";
    InvalidAccessKeyId => 403, "The AWS Access Key Id you provided does not exist in our records.";
    InvalidArgument => 400, "Invalid Argument";
    InvalidEncryptionAlgorithmError => 400, "The encryption request you specified is not valid. The valid value is AES256.";
    KmsNotFound as "KMS.NotFoundException" => 400, "The specified KMS key does not exist.";
    KmsDisabled as "KMS.DisabledException" => 400, "The specified KMS key is disabled.";
    ServerSideEncryptionConfigurationNotFoundError => 404, "The server side encryption configuration was not found";
    InvalidBucketName => 400, "The specified bucket is not valid.";
    InvalidDigest => 400, "The Content-MD5 you specified is not valid.";
    InvalidLocationConstraint => 400, "The specified location constraint is not valid.";
    InvalidPart => 400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.";
    InvalidPartOrder => 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number.";
    InvalidPartNumber => 400, "The requested partnumber is not satisfiable";
    InvalidRange => 416, "The requested range is not satisfiable";
    InvalidRedirectLocation => 400, "The website redirect location must have a prefix of http:// or https:// or /.";
    InvalidRequest => 400, "Invalid Request";
    InvalidStorageClass => 400, "The storage class you specified is not valid.";
    InvalidURI => 400, "Couldn't parse the specified URI.";
    KeyTooLongError => 400, "Your key is too long";
    MaxMessageLengthExceeded => 400, "Your request was too big.";
    MalformedXML => 400, "The XML you provided was not well-formed or did not validate against our published schema.";
    MetadataTooLarge => 400, "Your metadata headers exceed the maximum allowed metadata size.";
    MethodNotAllowed => 405, "The specified method is not allowed against this resource.";
    MissingContentLength => 411, "You must provide the Content-Length HTTP header.";
    MissingRequestBodyError => 400, "Request Body is empty";
    MissingSecurityHeader => 400, "Your request is missing a required header.";
    NoSuchBucket => 404, "The specified bucket does not exist";
    NoSuchKey => 404, "The specified key does not exist.";
    NoSuchVersion => 404, "The specified version does not exist.";
    NoSuchUpload => 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.";
    NoSuchBucketPolicy => 404, "The bucket policy does not exist";
    NotImplemented => 501, "A header you provided implies functionality that is not implemented.";
    NotModified => 304, "Not Modified";
    PreconditionFailed => 412, "At least one of the pre-conditions you specified did not hold";
    RequestHeaderSectionTooLarge => 400, "Your request header section exceeds the maximum allowed size.";
    RequestTimeTooSkewed => 403, "The difference between the request time and the current time is too large.";
    RequestTimeout => 400, "Your socket connection to the server was not read from or written to within the timeout period.";
    SignatureDoesNotMatch => 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
    SlowDown => 503, "Please reduce your request rate.";
    ServiceUnavailable => 503, "Service is unable to handle request.";
    XAmzContentSHA256Mismatch => 400, "The provided 'x-amz-content-sha256' header does not match what was computed.";
    UnexpectedContent => 400, "This request does not support content.";
    MalformedACLError => 400, "The XML you provided was not well-formed or did not validate against our published schema.";
    UnresolvableGrantByEmailAddress => 400, "The email address you provided does not match any account on record.";
    InvalidTag => 400, "The tag provided was not a valid tag.";
    // POST Object (browser uploads), with the texts S3 sends.
    InvalidPolicyDocument => 400, "The content of the form does not meet the conditions specified in the policy document.";
    MalformedPOSTRequest => 400, "The body of your POST request is not well-formed multipart/form-data.";
    MaxPostPreDataLengthExceeded => 400, "Your POST request fields preceeding the upload file was too large.";
    NoSuchTagSet => 404, "The TagSet does not exist";
    NoSuchWebsiteConfiguration => 404, "The specified bucket does not have a website configuration";
    NoSuchCORSConfiguration => 404, "The CORS configuration does not exist";
    NoSuchLifecycleConfiguration => 404, "The lifecycle configuration does not exist";
    InvalidTargetBucketForLogging => 400, "The target bucket for logging does not exist, is not owned by you, or does not have the appropriate grants for the log-delivery group.";
    AccessForbidden => 403, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";
    // OOS accelerate (oos-api B 3.11), with the OOS names.
    InvalidStatusParam => 400, "Input xml file is not valid";
    InvalidAccelerateParam => 400, "Input xml file is not valid";
    NotMoreThan5IPSections => 400, "Input xml file is not valid";
    InvalidIpAddress => 400, "Input xml file is not valid";
    // OOS regions (oos-api A4, B 2.2, B 3.1).
    CanNotModifyMetadataLocation => 400, "The metadata location of an existing bucket cannot be modified.";
    InvalidUser => 403, "The account may not use any metadata or data region.";
    MalformedPolicy => 400, "Policies must be valid JSON and the first byte must be '{'";
    // The IAM AccessKey API (oos-api B 9).
    NoSuchEntity => 404, "The request was rejected because it referenced an entity that does not exist.";
    LimitExceeded => 409, "The request was rejected because it attempted to create resources beyond the current account limits.";
    ValidationError => 400, "The request did not pass validation.";
    DeleteConflict => 409, "The request was rejected because it attempted to delete or disable the last active primary access key.";
    MissingAction => 400, "The request is missing an action or a required parameter.";
    InvalidAction => 400, "The action or operation requested is invalid.";
    InvalidChunkSizeError => 400, "Only the last chunk is allowed to have a size less than 8192 bytes";
    // Object Lock.
    InvalidBucketState => 409, "The request is not valid with the current state of the bucket.";
    ObjectLockConfigurationNotFoundError => 404, "Object Lock configuration does not exist for this bucket";
    NoSuchObjectLockConfiguration => 404, "The specified object does not have a ObjectLock configuration";
    // Public access and object ownership.
    NoSuchPublicAccessBlockConfiguration => 404, "The public access block configuration was not found";
    OwnershipControlsNotFoundError => 404, "The bucket ownership controls were not found";
    AccessControlListNotSupported => 400, "The bucket does not allow ACLs";
    InvalidBucketAclWithObjectOwnership => 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_s3_statuses() {
        assert_eq!(ErrorCode::NoSuchKey.as_str(), "NoSuchKey");
        assert_eq!(ErrorCode::NoSuchKey.status(), 404);
        assert_eq!(ErrorCode::InvalidRange.status(), 416);
        assert_eq!(ErrorCode::MissingContentLength.status(), 411);
        assert_eq!(ErrorCode::NotImplemented.status(), 501);
    }
}

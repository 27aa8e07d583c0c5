//! The error a policy document is rejected with.

/// Why a policy document was rejected. Every variant maps to the S3 error code
/// `MalformedPolicy` (see [`PolicyError::code`]); its `Display` text is the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The document is larger than [`crate::MAX_POLICY_SIZE`] bytes.
    #[error("Policies cannot exceed 20 KB (this one is {size} bytes)")]
    TooLarge { size: usize },
    /// The document is not a JSON object.
    #[error("Policies must be valid JSON and the first byte must be '{{'")]
    InvalidJson,
    /// The document is JSON but breaks the policy grammar; the text says how.
    #[error("{0}")]
    Malformed(String),
}

impl PolicyError {
    /// The S3 error code to answer with.
    pub fn code(&self) -> &'static str {
        "MalformedPolicy"
    }

    /// The message to put in the S3 error response.
    pub fn reason(&self) -> String {
        self.to_string()
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        PolicyError::Malformed(reason.into())
    }
}

/// Shorthands for the messages used in several places.
pub(crate) mod msg {
    pub const INVALID_ACTION: &str = "Policy has invalid action";
    pub const INVALID_RESOURCE: &str = "Policy has invalid resource";
    pub const INVALID_PRINCIPAL: &str = "Invalid principal in policy";
    pub const ACTION_NO_RESOURCE: &str = "Action does not apply to any resource(s) in statement";
    pub const INVALID_CONDITION_KEY: &str = "Policy has an invalid condition key";
    pub const EMPTY_STATEMENT: &str = "Could not parse the policy: Statement is empty!";
    pub const DUPLICATE_SID: &str = "Statement IDs (SID) in a single policy must be unique.";
    pub const INVALID_VERSION: &str = "The policy must contain a valid version string";
}

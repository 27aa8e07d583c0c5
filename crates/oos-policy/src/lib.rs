//! oos-policy: S3 bucket policies — parsing, strict validation and evaluation of the JSON
//! policy language (the subset that applies to a bucket). Pure logic, no I/O.
//!
//! ```
//! use oos_policy::{parse, Context, Decision, Principal, Request};
//!
//! let policy = parse(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
//!         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"
//!     }]
//! }"#, "photos").unwrap();
//! let ctx = Context::default();
//! let req = Request {
//!     principal: Principal::Anonymous,
//!     action: "s3:GetObject",
//!     resource: "arn:aws:s3:::photos/cat.jpg",
//!     context: &ctx,
//! };
//! assert_eq!(policy.evaluate(&req), Decision::Allow);
//! ```
//!
//! Not supported: policy variables (`${aws:username}` is compared literally), the `Binary*`
//! condition operators (rejected), IAM user/role and service principals (accepted, but no
//! request matches them: requests carry only an account id).

mod actions;
mod condition;
mod error;
mod eval;
mod parse;
mod public;
pub mod wildcard;

pub use actions::{resource_kind, s3_actions, ResourceKind};
pub use condition::{Cidr, Condition};
pub use error::PolicyError;
pub use eval::{resource_arn, Context, Decision, Principal, Request, HEADER_KEYS};
pub use parse::{parse, Effect, Policy, Statement, MAX_POLICY_SIZE, VERSIONS};

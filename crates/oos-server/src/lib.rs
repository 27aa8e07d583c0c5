//! `oosd`: an OOS-compatible object server.
//!
//! Layers (DESIGN §1): [`front`] (listeners, request ids, metrics) → [`route`] (bucket, key,
//! [`route::Endpoint`]) → [`auth`] (SigV2/SigV4 via `oos-sign`) → [`api`] (one module per API
//! family) → storage (`oos-meta` for metadata, `oos-store` for bytes). Errors become S3 XML in
//! one place ([`error`], [`response::error_response`]).

pub mod access;
pub mod accounts;
pub mod api;
pub mod auth;
pub mod body;
pub mod checksums;
pub mod config;
pub mod connections;
pub mod doctor;
pub mod error;
pub mod front;
#[doc(hidden)]
pub mod fuzzing;
pub mod gc;
pub mod metrics;
pub mod placement;
pub mod portal;
pub mod response;
pub mod route;
pub mod secrets;
pub mod speed;
pub mod sse;
pub mod start;
pub mod state;
pub mod storage;

//! The checks behind the fuzz targets of `fuzz/`: one module per target, each a
//! `check(&[u8])` that feeds the bytes to the real parser and panics when an invariant breaks.
//!
//! The libFuzzer binaries (`fuzz/fuzz_targets/*.rs`, nightly) call these functions, and so does
//! `tests/corpus.rs` on stable for every file of `fuzz/corpus/<target>/`, so each corpus, the
//! regression inputs of what the fuzzers found included, runs in `cargo test --workspace`.
//!
//! Inputs are text where the thing parsed is text (an HTTP request head, an XML or JSON
//! document), so corpus files are readable and can be written by hand; [`input::Bytes`] reads
//! numbers and choices off the front where a target needs them.

pub mod aws_chunked;
pub mod data_location;
pub mod input;
pub mod limit_header;
pub mod policy;
pub mod post_policy;
pub mod range_and_conditions;
pub mod router;
pub mod sigv2;
pub mod sigv4;
pub mod sse_decrypt;
pub mod xml_documents;

/// A target's check: panics when an invariant does not hold for this input.
pub type Check = fn(&[u8]);

/// Every target: its name (the `fuzz/fuzz_targets/<name>.rs` binary and the
/// `fuzz/corpus/<name>/` directory) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("sigv4", sigv4::check),
    ("sigv2", sigv2::check),
    ("aws_chunked", aws_chunked::check),
    ("xml_documents", xml_documents::check),
    ("range_and_conditions", range_and_conditions::check),
    ("policy", policy::check),
    ("limit_header", limit_header::check),
    ("data_location", data_location::check),
    ("router", router::check),
    ("post_policy", post_policy::check),
    ("sse_decrypt", sse_decrypt::check),
];

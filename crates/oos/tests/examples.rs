//! Runs every `examples/*.rs` program against a real `oosd`, with the endpoint and keys in
//! the environment as a user would set them.

mod support;

use std::path::PathBuf;
use std::process::Command;

fn example_bin(name: &str) -> PathBuf {
    // target/debug/deps/examples-… → target/debug/examples/<name>
    let dir = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples");
    let bin = dir.join(name);
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "oos", "--examples"])
            .current_dir(support::workspace())
            .status()
            .unwrap();
        assert!(status.success());
    }
    bin
}

#[test]
fn guide_examples_run_against_oosd() {
    let srv = support::Oosd::start();
    for name in ["service", "bucket", "object", "access_key"] {
        let out = Command::new(example_bin(name))
            .env("OOS_ENDPOINT", &srv.endpoint)
            .env("OOS_ACCESS_KEY_ID", support::ACCESS_KEY)
            .env("OOS_SECRET_ACCESS_KEY", support::SECRET_KEY)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "example {name} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("{} example done", name.replace('_', " "))),
            "{stdout}"
        );
    }
    // Each example cleans up after itself.
    let c = srv.client();
    let rt = tokio::runtime::Runtime::new().unwrap();
    assert!(rt.block_on(c.list_buckets()).unwrap().buckets.is_empty());
}

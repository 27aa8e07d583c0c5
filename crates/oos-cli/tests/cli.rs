//! The real `oos` binary against a real `oosd`.

#[path = "../../oos/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::{data, Oosd};

struct Env {
    srv: Oosd,
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            srv: Oosd::start(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// `oos` with the endpoint and keys in the environment, a private config file.
    fn cmd(&self) -> Command {
        self.with_env(Command::new(env!("CARGO_BIN_EXE_oos")))
    }

    /// `cmdline` run by `script` in a pseudo-terminal, with the same environment; its output
    /// is everything the terminal showed.
    fn in_terminal(&self, cmdline: &str) -> std::io::Result<Output> {
        self.with_env(Command::new("script"))
            .args(["-qec", cmdline, "/dev/null"])
            .output()
    }

    fn with_env(&self, mut c: Command) -> Command {
        c.env("OOS_CONFIG_FILE", self.home.path().join("config"))
            .env("OOS_ENDPOINT", &self.srv.endpoint)
            .env("OOS_ACCESS_KEY_ID", support::ACCESS_KEY)
            .env("OOS_SECRET_ACCESS_KEY", support::SECRET_KEY)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("OOS_PROFILE")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run oos")
    }

    /// Runs and asserts success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "oos {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn config_profile_and_overrides() {
    let env = Env::new();
    // Without env keys: the profile file is used.
    let bare = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_oos"))
            .env("OOS_CONFIG_FILE", env.home.path().join("config"))
            .env_remove("OOS_ENDPOINT")
            .env_remove("OOS_ACCESS_KEY_ID")
            .env_remove("OOS_SECRET_ACCESS_KEY")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("OOS_PROFILE")
            .args(args)
            .output()
            .unwrap()
    };
    let out = bare(&["ls"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no configuration is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("oos: error: "));
    for (k, v) in [
        ("endpoint", env.srv.endpoint.as_str()),
        ("access_key_id", support::ACCESS_KEY),
        ("secret_access_key", support::SECRET_KEY),
    ] {
        assert!(bare(&["config", "set", k, v]).status.success());
    }
    assert_eq!(
        bare(&["config", "set", "signature", "v3"]).status.code(),
        Some(2)
    );
    assert_eq!(
        bare(&["config", "set", "colour", "x"]).status.code(),
        Some(2)
    );
    let shown = String::from_utf8(bare(&["config", "get"]).stdout).unwrap();
    assert!(shown.contains("access_key_id = OOSTESTACCESSKEY0001"));
    assert!(!shown.contains(support::SECRET_KEY), "secrets are masked");
    assert!(bare(&["mb", "s3://fromprofile"]).status.success());
    let ls = String::from_utf8(bare(&["ls"]).stdout).unwrap();
    assert!(ls.contains("fromprofile"), "{ls}");
    // A second profile with a wrong secret; --profile selects it, --endpoint overrides.
    let cfg = env.home.path().join("config");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        format!(
            "{text}\n[bad]\nendpoint = http://127.0.0.1:1\naccess_key_id = {}\nsecret_access_key = nope\n",
            support::ACCESS_KEY
        ),
    )
    .unwrap();
    let out = bare(&["--profile", "bad", "--endpoint", &env.srv.endpoint, "ls"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "SignatureDoesNotMatch is 'denied'"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SignatureDoesNotMatch") && err.contains("request id"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    // Env beats the profile: the good keys from the environment.
    assert!(env
        .cmd()
        .args(["--profile", "bad", "--endpoint", &env.srv.endpoint, "ls"])
        .output()
        .unwrap()
        .status
        .success());
    assert_eq!(bare(&["--profile", "missing", "ls"]).status.code(), Some(2));
}

/// `oos` with only a private config file: no endpoint or keys in the environment.
fn bare_cmd(config: &Path) -> Command {
    without_settings(Command::new(env!("CARGO_BIN_EXE_oos")), config)
}

/// `c` with `config` as the profile file and no endpoint or keys in its environment.
fn without_settings(mut c: Command, config: &Path) -> Command {
    c.env("OOS_CONFIG_FILE", config);
    for var in [
        "OOS_ENDPOINT",
        "OOS_ACCESS_KEY_ID",
        "OOS_SECRET_ACCESS_KEY",
        "OOS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "OOS_PROFILE",
    ] {
        c.env_remove(var);
    }
    c
}

/// `oos config` with `answers` piped in: (exit code, stderr).
fn config_with_answers(config: &Path, answers: &str) -> (Option<i32>, String) {
    let mut child = bare_cmd(config)
        .arg("config")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), answers.as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn interactive_config_asks_keeps_defaults_and_writes_the_profile() {
    let env = Env::new();
    let cfg = env.home.path().join("asked");
    let (code, err) = config_with_answers(
        &cfg,
        &format!(
            "{}\n{}\n{}\n\n",
            env.srv.endpoint,
            support::ACCESS_KEY,
            support::SECRET_KEY
        ),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with("Endpoint [None]: \nAccess Key ID [None]: \nSecret Access Key [None]: \nRegion [None]: \n"),
        "{err}"
    );
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        text.contains(&format!("endpoint = {}\n", env.srv.endpoint)),
        "{text}"
    );
    assert!(
        text.contains(&format!("secret_access_key = {}\n", support::SECRET_KEY)),
        "{text}"
    );
    assert!(
        !text.contains("region"),
        "an empty answer sets nothing: {text}"
    );
    // The same file a command then uses (and that `config set` writes).
    let made = bare_cmd(&cfg).args(["mb", "s3://asked"]).output().unwrap();
    assert!(made.status.success(), "{made:?}");
    let out = bare_cmd(&cfg).args(["ls"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("asked"));
    let shown = bare_cmd(&cfg)
        .args(["config", "get", "access_key_id"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout).trim(),
        support::ACCESS_KEY
    );

    // Empty answers keep every value; the keys are shown masked as defaults.
    let (code, err) = config_with_answers(&cfg, "\n\n\n\n");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(&format!("Endpoint [{}]: ", env.srv.endpoint)),
        "{err}"
    );
    assert!(err.contains("Access Key ID [****0001]: "), "{err}");
    assert!(err.contains("Secret Access Key [****ghij]: "), "{err}");
    assert!(
        !err.contains(support::SECRET_KEY) && !err.contains(support::ACCESS_KEY),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), text);
    // One answer changes one value.
    let (code, _) = config_with_answers(&cfg, "\n\n\nChengDu\n");
    assert_eq!(code, Some(0));
    let changed = std::fs::read_to_string(&cfg).unwrap();
    assert_eq!(changed.replace("region = ChengDu\n", ""), text);
    // A bad endpoint is refused and the file is left as it was.
    let (code, err) = config_with_answers(&cfg, "ftp://example.com\n\n\n\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("http or https"), "{err}");
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), changed);
}

#[test]
fn interactive_config_does_not_echo_the_secret_on_a_terminal() {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    let env = Env::new();
    let cfg = env.home.path().join("tty");
    let cmdline = format!("{} config", env!("CARGO_BIN_EXE_oos"));
    let mut script = without_settings(Command::new("script"), &cfg);
    script
        .args(["-qec", &cmdline, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut proc = script.spawn().expect("script(1)");
    let seen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut stdout = proc.stdout.take().unwrap();
    let reader = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let wait_for = |text: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !String::from_utf8_lossy(&seen.lock().unwrap()).contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {text:?} in {:?}",
                String::from_utf8_lossy(&seen.lock().unwrap())
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // The prompt is written just before the terminal's echo is turned off.
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    let mut stdin = proc.stdin.take().unwrap();
    let secret = "tty-secret-never-echoed-XYZW";
    for (prompt, answer) in [
        ("Endpoint [None]: ", env.srv.endpoint.as_str()),
        ("Access Key ID [None]: ", support::ACCESS_KEY),
        ("Secret Access Key [None]: ", secret),
        ("Region [None]: ", ""),
    ] {
        wait_for(prompt);
        writeln!(stdin, "{answer}").unwrap();
        stdin.flush().unwrap();
    }
    wait_for("wrote [default]");
    drop(stdin);
    assert!(proc.wait().unwrap().success());
    reader.join().unwrap();
    let screen = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    assert!(
        screen.contains(support::ACCESS_KEY),
        "other answers echo: {screen:?}"
    );
    assert!(
        !screen.contains(secret),
        "the secret is not echoed: {screen:?}"
    );
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        text.contains(&format!("secret_access_key = {secret}\n")),
        "{text}"
    );
}

#[test]
fn buckets_objects_and_exit_codes() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let regions = env.json(&["regions"]);
    let region = regions["data_regions"][0].as_str().unwrap().to_string();
    env.ok(&[
        "mb",
        "s3://one",
        "--region",
        &region,
        "--data-location",
        &region,
        "--acl",
        "public-read",
    ]);
    let st = env.json(&["stat", "s3://one"]);
    assert_eq!(st["metadata_location"], region.as_str());
    assert_eq!(st["data_location"]["type"], "Specified");
    env.ok(&["mb", "s3://two"]);
    let ls = env.json(&["ls"]);
    let names: Vec<&str> = ls["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one", "two"]);

    let f = dir.path().join("hello.txt");
    std::fs::write(&f, b"hello world").unwrap();
    env.ok(&[
        "cp",
        p(&f),
        "s3://one/docs/",
        "--storage-class",
        "STANDARD_IA",
        "--content-type",
        "text/plain",
    ]);
    env.ok(&["cp", p(&f), "s3://one/top.txt"]);
    assert_eq!(env.ok(&["cat", "s3://one/docs/hello.txt"]), "hello world");
    let st = env.json(&["stat", "s3://one/docs/hello.txt"]);
    assert_eq!(st["size"], 11);
    assert_eq!(st["storage_class"], "STANDARD_IA");
    assert_eq!(st["content_type"], "text/plain");
    // --data-location reaches the server: the server's own region is fine, another is refused.
    env.ok(&[
        "cp",
        p(&f),
        "s3://one/placed.txt",
        "--data-location",
        &region,
    ]);
    let out = env.run(&["cp", p(&f), "s3://one/x.txt", "--data-location", "Atlantis"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("LocationConstraint"));
    env.ok(&["rm", "s3://one/placed.txt"]);
    // Without --content-type it is guessed from the file name.
    assert_eq!(
        env.json(&["stat", "s3://one/top.txt"])["content_type"],
        "text/plain"
    );

    // ls: one level with prefixes, recursive, human sizes.
    let out = env.ok(&["ls", "s3://one"]);
    assert!(out.contains("PRE docs/"), "{out}");
    assert!(
        out.contains("top.txt") && !out.contains("hello.txt"),
        "{out}"
    );
    let out = env.ok(&["ls", "--recursive", "-H", "--summarize", "s3://one"]);
    assert!(
        out.contains("docs/hello.txt") && out.contains("11 B"),
        "{out}"
    );
    assert!(out.contains("Total Objects: 2"), "{out}");

    // remote → remote, remote → local, mv.
    env.ok(&["cp", "s3://one/top.txt", "s3://two/copied.txt"]);
    let back = dir.path().join("back.txt");
    env.ok(&["cp", "s3://two/copied.txt", p(&back)]);
    assert_eq!(std::fs::read(&back).unwrap(), b"hello world");
    env.ok(&["mv", "s3://two/copied.txt", "s3://two/moved.txt"]);
    let keys = env.json(&["ls", "--recursive", "s3://two"]);
    let keys: Vec<&str> = keys["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["moved.txt"]);
    env.ok(&["mv", p(&back), "s3://two/"]);
    assert!(!back.exists());
    assert_eq!(env.ok(&["cat", "s3://two/back.txt"]), "hello world");

    // stdin / stdout.
    let mut child = env
        .cmd()
        .args(["cp", "-", "s3://two/stdin.bin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"piped bytes").unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    assert_eq!(env.ok(&["cp", "s3://two/stdin.bin", "-"]), "piped bytes");

    // Exit codes and one-line errors.
    let out = env.run(&["cat", "s3://one/nope"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("oos: error: s3://one/nope: NoSuchKey:") && err.contains("request id"),
        "{err}"
    );
    assert_eq!(env.run(&["ls", "s3://nobucket"]).status.code(), Some(3));
    assert_eq!(
        env.run(&["rb", "s3://one"]).status.code(),
        Some(5),
        "BucketNotEmpty is a conflict"
    );
    assert_eq!(env.run(&["cp", "a", "b"]).status.code(), Some(2));
    assert_eq!(env.run(&["frobnicate"]).status.code(), Some(2));

    // rm, rm --recursive, rb --force.
    env.ok(&["rm", "s3://one/top.txt"]);
    env.ok(&["rm", "--recursive", "s3://one/docs/"]);
    assert_eq!(
        env.json(&["ls", "--recursive", "s3://one"])["total_objects"],
        0
    );
    env.ok(&["rb", "s3://one"]);
    env.ok(&["rb", "--force", "s3://two"]);
    assert!(env.json(&["ls"])["buckets"].as_array().unwrap().is_empty());
}

#[test]
fn recursive_copy_multipart_and_sync() {
    let env = Env::new();
    env.ok(&["mb", "s3://data"]);
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("sub/deeper")).unwrap();
    let big = data(7 * 1024 * 1024 + 5, 9);
    std::fs::write(src.path().join("big.bin"), &big).unwrap();
    std::fs::write(src.path().join("sub/a.txt"), b"a").unwrap();
    std::fs::write(src.path().join("sub/deeper/b.txt"), b"bb").unwrap();

    // Multipart: 5 MiB parts above a 5 MiB threshold.
    env.ok(&[
        "cp",
        "--recursive",
        p(src.path()),
        "s3://data/set",
        "--part-size",
        "5MiB",
        "--multipart-threshold",
        "5MiB",
    ]);
    let st = env.json(&["stat", "s3://data/set/big.bin"]);
    assert!(st["etag"].as_str().unwrap().ends_with("-2"), "{st}");
    let listed = env.json(&["ls", "--recursive", "s3://data/set/"]);
    let keys: Vec<&str> = listed["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["set/big.bin", "set/sub/a.txt", "set/sub/deeper/b.txt"]
    );

    // Server-side copy above the threshold: parallel UploadPartCopy.
    env.ok(&[
        "cp",
        "s3://data/set/big.bin",
        "s3://data/copy.bin",
        "--part-size",
        "5MiB",
        "--multipart-threshold",
        "5MiB",
    ]);
    let st = env.json(&["stat", "s3://data/copy.bin"]);
    assert!(st["etag"].as_str().unwrap().ends_with("-2"), "{st}");
    assert_eq!(st["size"], big.len() as u64);

    // Download the prefix with parallel ranges and compare.
    let out = tempfile::tempdir().unwrap();
    env.ok(&[
        "cp",
        "--recursive",
        "s3://data/set/",
        p(out.path()),
        "--part-size",
        "5MiB",
        "--multipart-threshold",
        "5MiB",
    ]);
    assert!(std::fs::read(out.path().join("big.bin")).unwrap() == big);
    assert_eq!(
        std::fs::read(out.path().join("sub/deeper/b.txt")).unwrap(),
        b"bb"
    );

    // sync up: nothing to do the second time; a changed file goes; --delete removes extras.
    // --json: one JSON object per transfer (JSON Lines).
    let first = env.ok(&["--json", "sync", p(src.path()), "s3://data/mirror"]);
    let lines: Vec<serde_json::Value> = first
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{first}");
    assert!(lines.iter().all(|l| l["op"] == "upload"));
    let again = env.ok(&["sync", p(src.path()), "s3://data/mirror"]);
    assert!(
        again.trim().is_empty(),
        "second sync uploads nothing: {again}"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(src.path().join("sub/a.txt"), b"changed").unwrap();
    std::fs::remove_file(src.path().join("sub/deeper/b.txt")).unwrap();
    let out_sync = env.ok(&["sync", "--delete", p(src.path()), "s3://data/mirror"]);
    assert!(out_sync.contains("sub/a.txt"), "{out_sync}");
    assert!(
        out_sync.contains("delete: s3://data/mirror/sub/deeper/b.txt"),
        "{out_sync}"
    );
    assert!(!out_sync.contains("big.bin"), "{out_sync}");
    assert_eq!(env.ok(&["cat", "s3://data/mirror/sub/a.txt"]), "changed");

    // sync down, then again: no transfers; --delete removes local extras.
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("extra.txt"), b"x").unwrap();
    let down = env.ok(&["sync", "--delete", "s3://data/mirror", p(local.path())]);
    assert!(down.contains("download"), "{down}");
    assert!(!local.path().join("extra.txt").exists());
    assert_eq!(
        std::fs::read(local.path().join("sub/a.txt")).unwrap(),
        b"changed"
    );
    let down2 = env.ok(&["sync", "s3://data/mirror", p(local.path())]);
    assert!(down2.trim().is_empty(), "{down2}");
}

#[test]
fn bucket_configs_presign_keys() {
    let env = Env::new();
    env.ok(&["mb", "s3://cfg"]);
    env.ok(&["mb", "s3://logs"]);
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"s1","Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::cfg/*"]}]}"#;
    env.ok(&["bucket", "policy", "set", "s3://cfg", policy]);
    assert_eq!(
        env.json(&["bucket", "policy", "get", "s3://cfg"])["Statement"][0]["Sid"],
        "s1"
    );
    env.ok(&["bucket", "policy", "delete", "s3://cfg"]);
    assert_eq!(
        env.run(&["bucket", "policy", "get", "s3://cfg"])
            .status
            .code(),
        Some(3)
    );

    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.json");
    std::fs::write(&site, r#"{"IndexDocument":{"Suffix":"index.html"}}"#).unwrap();
    env.ok(&["bucket", "website", "set", "s3://cfg", "--file", p(&site)]);
    assert_eq!(
        env.json(&["bucket", "website", "get", "s3://cfg"])["IndexDocument"]["Suffix"],
        "index.html"
    );
    env.ok(&["bucket", "website", "delete", "s3://cfg"]);

    env.ok(&[
        "bucket",
        "cors",
        "set",
        "s3://cfg",
        r#"{"CORSRule":[{"AllowedOrigin":["*"],"AllowedMethod":["GET"]}]}"#,
    ]);
    assert_eq!(
        env.json(&["bucket", "cors", "get", "s3://cfg"])["CORSRule"][0]["AllowedMethod"][0],
        "GET"
    );
    env.ok(&["bucket", "cors", "delete", "s3://cfg"]);

    env.ok(&[
        "bucket",
        "lifecycle",
        "set",
        "s3://cfg",
        r#"{"Rule":[{"ID":"r1","Prefix":"tmp/","Status":"Enabled","Expiration":{"Days":3}}]}"#,
    ]);
    assert_eq!(
        env.json(&["bucket", "lifecycle", "get", "s3://cfg"])["Rule"][0]["Expiration"]["Days"],
        3
    );
    env.ok(&["bucket", "lifecycle", "delete", "s3://cfg"]);

    env.ok(&[
        "bucket",
        "logging",
        "set",
        "s3://cfg",
        r#"{"LoggingEnabled":{"TargetBucket":"logs","TargetPrefix":"cfg/"}}"#,
    ]);
    assert_eq!(
        env.json(&["bucket", "logging", "get", "s3://cfg"])["LoggingEnabled"]["TargetBucket"],
        "logs"
    );
    env.ok(&["bucket", "logging", "delete", "s3://cfg"]);
    assert!(env
        .json(&["bucket", "logging", "get", "s3://cfg"])
        .get("LoggingEnabled")
        .is_none());

    env.ok(&[
        "bucket",
        "accelerate",
        "set",
        "s3://cfg",
        r#"{"Status":"Enabled","IPWhiteLists":{"IP":["192.0.2.1"]}}"#,
    ]);
    assert_eq!(
        env.json(&["bucket", "accelerate", "get", "s3://cfg"])["Status"],
        "Enabled"
    );

    env.ok(&["bucket", "acl", "set", "s3://cfg", "public-read"]);
    let acl = env.json(&["bucket", "acl", "get", "s3://cfg"]);
    assert!(acl["AccessControlList"]["Grant"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["Permission"] == "READ"));
    assert!(env
        .json(&["bucket", "location", "get", "s3://cfg"])
        .is_object());
    assert_eq!(
        env.run(&["bucket", "location", "set", "s3://cfg", "{}"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        env.run(&["bucket", "cors", "set", "s3://cfg", "not json"])
            .status
            .code(),
        Some(2)
    );

    // presign: a URL a plain HTTP client can use.
    let f = dir.path().join("obj");
    std::fs::write(&f, b"presigned content").unwrap();
    env.ok(&["cp", p(&f), "s3://cfg/obj"]);
    let url = env.ok(&[
        "presign",
        "s3://cfg/obj",
        "--expires",
        "120",
        "--limit-rate",
        "512",
    ]);
    let url = url.trim();
    assert!(
        url.contains("X-Amz-Expires=120") && url.contains("x-amz-limit"),
        "{url}"
    );
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.ends_with("presigned content"), "{resp}");

    // Access keys.
    let created = env.json(&["keys", "create"]);
    let id = created["AccessKeyId"].as_str().unwrap().to_string();
    assert!(created["SecretAccessKey"].as_str().unwrap().len() >= 16);
    let list = env.json(&["keys", "list", "--max-items", "1"]);
    let ids: Vec<&str> = list["access_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&id.as_str()) && ids.len() == 2,
        "paged through: {ids:?}"
    );
    env.ok(&["keys", "update", &id, "--status", "Inactive"]);
    let list = env.json(&["keys", "list"]);
    let k = list["access_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["AccessKeyId"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(k["Status"], "Inactive");
    env.ok(&["keys", "delete", &id]);
    assert_eq!(env.run(&["keys", "delete", &id]).status.code(), Some(3));
}

/// `curl` posting `fields` and `file` to `url`: (HTTP status, response body).
fn curl_form(
    url: &str,
    fields: &serde_json::Map<String, serde_json::Value>,
    file: &Path,
) -> (u16, String) {
    let out_dir = tempfile::tempdir().unwrap();
    let body = out_dir.path().join("body");
    let mut c = Command::new("curl");
    c.args(["-sS", "-o", p(&body), "-w", "%{http_code}"]);
    for (name, value) in fields {
        c.arg("--form-string")
            .arg(format!("{name}={}", value.as_str().unwrap()));
    }
    let out = c
        .arg("-F")
        .arg(format!("file=@{}", p(file)))
        .arg(url)
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (status, std::fs::read_to_string(&body).unwrap_or_default())
}

#[test]
fn presign_post_prints_a_form_that_curl_can_submit() {
    let env = Env::new();
    env.ok(&["mb", "s3://forms"]);
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, b"uploaded through a form").unwrap();

    // --json: the fields, submitted one by one.
    let form = env.json(&[
        "presign",
        "--post",
        "s3://forms/in/${filename}",
        "--expires",
        "300",
        "--max-size",
        "1KiB",
        "--content-type",
        "text/plain",
        "--meta",
        "origin=cli",
        "--success-status",
        "201",
    ]);
    let url = form["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/forms", env.srv.endpoint));
    let fields = form["fields"].as_object().unwrap();
    assert_eq!(fields["key"], "in/${filename}");
    assert_eq!(fields["x-amz-meta-origin"], "cli");
    assert!(form["curl"].as_str().unwrap().starts_with("curl "));
    let (status, body) = curl_form(url, fields, &note);
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("<Key>in/note.txt</Key>"), "{body}");
    assert_eq!(
        env.ok(&["cat", "s3://forms/in/note.txt"]),
        "uploaded through a form"
    );
    let st = env.json(&["stat", "s3://forms/in/note.txt"]);
    assert_eq!(st["content_type"], "text/plain");
    assert_eq!(st["metadata"]["origin"], "cli");

    // Over --max-size: refused, nothing stored.
    let big = dir.path().join("big.txt");
    std::fs::write(&big, data(2000, 5)).unwrap();
    let (status, body) = curl_form(url, fields, &big);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>EntityTooLarge</Code>"), "{body}");
    assert_eq!(
        env.run(&["stat", "s3://forms/in/big.txt"]).status.code(),
        Some(3)
    );

    // The human form: URL, fields, and a curl line that works as printed once FILE is named.
    let text = env.ok(&[
        "presign",
        "--post",
        "s3://forms/exact.txt",
        "--acl",
        "public-read",
    ]);
    assert!(
        text.starts_with(&format!("POST {}/forms\n", env.srv.endpoint)),
        "{text}"
    );
    assert!(
        text.contains("\n  key: exact.txt\n") && text.contains("\n  acl: public-read\n"),
        "{text}"
    );
    assert!(text.contains("\n  x-amz-signature: "), "{text}");
    let curl = text.lines().find(|l| l.starts_with("curl ")).unwrap();
    let line = curl.replace("file=@FILE", &format!("file=@{}", p(&note)));
    let out = Command::new("sh").arg("-c").arg(&line).output().unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        env.ok(&["cat", "s3://forms/exact.txt"]),
        "uploaded through a form"
    );
    // --post is a form, not a URL: URL options do not go with it.
    assert_eq!(
        env.run(&["presign", "--post", "s3://forms/k", "--limit-rate", "1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        env.run(&["presign", "--post", "s3://forms"]).status.code(),
        Some(2)
    );
}

/// Runs and expects failure with `code`; returns the one stderr line.
fn failure(out: Output, code: i32) -> String {
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err.trim_end().to_string()
}

#[test]
fn errors_name_the_key_the_local_file_and_the_endpoint() {
    let env = Env::new();
    env.ok(&["mb", "s3://errs"]);
    let dir = tempfile::tempdir().unwrap();

    // A missing source key: named, whichever command reads it.
    for args in [
        vec!["mv", "s3://errs/missing.txt", "s3://errs/there.txt"],
        vec!["cp", "s3://errs/missing.txt", p(dir.path())],
        vec!["cat", "s3://errs/missing.txt"],
        vec!["stat", "s3://errs/missing.txt"],
    ] {
        let err = failure(env.run(&args), 3);
        assert!(
            err.starts_with("oos: error: s3://errs/missing.txt: ") && err.contains("status 404"),
            "{args:?}: {err}"
        );
        assert!(!err.contains(": -"), "{args:?}: {err}");
    }
    let err = failure(env.run(&["rm", "s3://nosuchbucket/k"]), 3);
    assert!(
        err.starts_with("oos: error: s3://nosuchbucket/k: NoSuchBucket: "),
        "{err}"
    );
    let err = failure(env.run(&["ls", "s3://nosuchbucket"]), 3);
    assert!(
        err.starts_with("oos: error: s3://nosuchbucket: NoSuchBucket: "),
        "{err}"
    );

    // A missing local file or directory: its path.
    let missing = dir.path().join("nope.txt");
    for args in [
        vec!["cp", p(&missing), "s3://errs/"],
        vec!["mv", p(&missing), "s3://errs/k"],
        vec!["cp", "-r", p(&missing), "s3://errs/tree/"],
        vec!["sync", p(&missing), "s3://errs/tree/"],
        vec![
            "bucket",
            "policy",
            "set",
            "s3://errs",
            "--file",
            p(&missing),
        ],
    ] {
        let err = failure(env.run(&args), 1);
        assert_eq!(
            err,
            format!(
                "oos: error: {}: No such file or directory (os error 2)",
                p(&missing)
            ),
            "{args:?}"
        );
    }

    // An unreachable endpoint: the endpoint and the system's reason.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = format!("http://127.0.0.1:{port}");
    for args in [
        vec!["ls"],
        vec!["cat", "s3://errs/k"],
        vec!["cp", "s3://errs/a", "s3://errs/b"],
    ] {
        let mut all = vec!["--endpoint", dead.as_str()];
        all.extend(args.iter().copied());
        let err = failure(env.run(&all), 1);
        assert!(
            err.starts_with(&format!("oos: error: connection to {dead} failed: "))
                && err.ends_with("Connection refused (os error 111)"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn bench_reports_and_verifies() {
    let env = Env::new();
    let out = env.json(&[
        "bench",
        "s3://benchb",
        "--size",
        "64KiB",
        "--objects",
        "8",
        "--concurrency",
        "4",
        "--duration",
        "1s",
    ]);
    let phases = out["phases"].as_array().unwrap();
    let names: Vec<&str> = phases
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["put", "get", "mixed", "list"]);
    for p in phases {
        assert!(p["ops"].as_u64().unwrap() > 0, "{p}");
        assert_eq!(p["errors"], 0, "{p}");
        assert_eq!(p["verify_errors"], 0, "{p}");
        assert!(p["ops_per_sec"].as_f64().unwrap() > 0.0);
        let l = &p["latency_ms"];
        assert!(l["p50"].as_f64().unwrap() <= l["p99"].as_f64().unwrap());
        assert!(l["p99"].as_f64().unwrap() <= l["max"].as_f64().unwrap());
    }
    assert_eq!(phases[0]["ops"], 8);
    assert_eq!(phases[0]["bytes"], 8 * 65536);
    // The bucket it created is gone again.
    assert!(env.json(&["ls"])["buckets"].as_array().unwrap().is_empty());
    // Table output.
    let table = env.ok(&[
        "bench",
        "s3://benchb",
        "--size",
        "4KiB",
        "--objects",
        "4",
        "--duration",
        "300ms",
        "--phases",
        "put,get",
    ]);
    assert!(table.starts_with("PHASE"), "{table}");
    assert!(
        table.contains("PUT") && table.contains("GET") && !table.contains("MIXED"),
        "{table}"
    );
}

#[test]
fn progress_bars_on_a_terminal_plain_lines_otherwise() {
    let env = Env::new();
    env.ok(&["mb", "s3://bars"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.bin"), data(6 * 1024 * 1024, 1)).unwrap();
    std::fs::write(dir.path().join("two.bin"), data(1024, 2)).unwrap();
    let one = dir.path().join("one.bin");

    // Not a terminal: one plain line, no bar.
    let out = env.run(&["cp", p(&one), "s3://bars/plain.bin"]);
    assert!(out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stdout.starts_with("upload: ") && stdout.lines().count() == 1,
        "{stdout}"
    );
    assert!(
        !stdout.contains("ETA") && !stderr.contains("ETA"),
        "{stderr}"
    );
    // Nothing drawn at all: no bar, no cursor or erase escapes.
    assert!(
        !stderr.contains('\x1b') && !stderr.contains("[#") && !stdout.contains('\x1b'),
        "{stderr:?}"
    );

    // A terminal (a pty from `script`): a bar with rate and ETA on stderr.
    let bin = env!("CARGO_BIN_EXE_oos");
    let Ok(out) = env.in_terminal(&format!("{bin} cp {} s3://bars/tty.bin", p(&one))) else {
        eprintln!("skipping the terminal check: no `script`");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("ETA") && text.contains("/s"), "{text}");
    // Redrawn in place: each frame erases the line before it.
    assert!(text.contains("\r\x1b[2K["), "{text:?}");
    // The last frame is a full bar of the whole 6 MiB.
    assert!(
        text.contains(&format!("[{}] 6.0 MiB / 6.0 MiB", "#".repeat(30))),
        "{text}"
    );
    assert!(text.contains("upload: "), "{text}");
    // Several files share one bar.
    let out = env
        .in_terminal(&format!("{bin} cp -r {} s3://bars/dir", p(dir.path())))
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("ETA") && text.contains("2 files"), "{text}");
    // --no-progress: lines only, even on a terminal.
    let out = env
        .in_terminal(&format!(
            "{bin} --no-progress cp {} s3://bars/np.bin",
            p(&one)
        ))
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ETA"));
}

#[test]
fn tags_and_no_clobber() {
    let env = Env::new();
    env.ok(&["mb", "s3://tagged"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "first").unwrap();

    // cp --tags: URL-encoded pairs; stat counts them, `oos tag get` prints them as JSON.
    env.ok(&[
        "cp",
        "--tags",
        "project=oos&note=a%20b",
        p(&file),
        "s3://tagged/a.txt",
    ]);
    assert_eq!(env.json(&["stat", "s3://tagged/a.txt"])["tag_count"], 2);
    assert_eq!(
        env.json(&["tag", "get", "s3://tagged/a.txt"]),
        serde_json::json!({"project": "oos", "note": "a b"})
    );
    // A copy keeps them, unless --tags replaces them.
    env.ok(&["cp", "s3://tagged/a.txt", "s3://tagged/b.txt"]);
    assert_eq!(
        env.json(&["tag", "get", "s3://tagged/b.txt"])["project"],
        "oos"
    );
    env.ok(&[
        "cp",
        "--tags",
        "v=2",
        "s3://tagged/a.txt",
        "s3://tagged/c.txt",
    ]);
    assert_eq!(
        env.json(&["tag", "get", "s3://tagged/c.txt"]),
        serde_json::json!({"v": "2"})
    );

    // tag set: k=v arguments or a JSON object; delete empties.
    env.ok(&["tag", "set", "s3://tagged/a.txt", "state=done", "owner=me"]);
    assert_eq!(
        env.json(&["tag", "get", "s3://tagged/a.txt"]),
        serde_json::json!({"state": "done", "owner": "me"})
    );
    env.ok(&["tag", "set", "s3://tagged/a.txt", r#"{"only":"this"}"#]);
    assert_eq!(
        env.json(&["tag", "get", "s3://tagged/a.txt"]),
        serde_json::json!({"only": "this"})
    );
    env.ok(&["tag", "delete", "s3://tagged/a.txt"]);
    assert_eq!(
        env.json(&["tag", "get", "s3://tagged/a.txt"]),
        serde_json::json!({})
    );
    let bad = env.run(&["tag", "set", "s3://tagged/a.txt", "aws:x=1"]);
    assert_eq!(bad.status.code(), Some(1), "InvalidTag is a 400");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("InvalidTag"));
    assert_eq!(
        env.run(&["tag", "get", "s3://tagged/missing"])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(
        env.run(&["tag", "set", "s3://tagged"]).status.code(),
        Some(2)
    );

    // Bucket tags: 404 (exit 3) until set.
    assert_eq!(
        env.run(&["bucket", "tagging", "get", "s3://tagged"])
            .status
            .code(),
        Some(3)
    );
    env.ok(&[
        "bucket",
        "tagging",
        "set",
        "s3://tagged",
        r#"{"team":"storage","cost":"42"}"#,
    ]);
    assert_eq!(
        env.json(&["bucket", "tagging", "get", "s3://tagged"]),
        serde_json::json!({"team": "storage", "cost": "42"})
    );
    env.ok(&["bucket", "tagging", "delete", "s3://tagged"]);
    assert_eq!(
        env.run(&["bucket", "tagging", "get", "s3://tagged"])
            .status
            .code(),
        Some(3)
    );

    // --no-clobber: existing destinations are skipped, new ones written.
    std::fs::write(&file, "second").unwrap();
    let out = env.ok(&["cp", "-n", p(&file), "s3://tagged/a.txt"]);
    assert!(out.starts_with("skip: "), "{out}");
    assert_eq!(env.ok(&["cat", "s3://tagged/a.txt"]), "first");
    let skipped = env.json(&["cp", "--no-clobber", p(&file), "s3://tagged/a.txt"]);
    assert_eq!(skipped["op"], "skip");
    env.ok(&["cp", "-n", p(&file), "s3://tagged/new.txt"]);
    assert_eq!(env.ok(&["cat", "s3://tagged/new.txt"]), "second");
    let out = env.ok(&["cp", "-n", "s3://tagged/new.txt", p(&file)]);
    assert!(out.starts_with("skip: "), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "second");
    let out = env.ok(&["cp", "-n", "s3://tagged/new.txt", "s3://tagged/b.txt"]);
    assert!(out.starts_with("skip: "), "{out}");
    assert_eq!(env.ok(&["cat", "s3://tagged/b.txt"]), "first");
    // Without -n the upload overwrites.
    env.ok(&["cp", p(&file), "s3://tagged/a.txt"]);
    assert_eq!(env.ok(&["cat", "s3://tagged/a.txt"]), "second");
}

#[test]
fn object_and_bucket_acls() {
    let env = Env::new();
    env.ok(&["mb", "s3://acls"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "hi").unwrap();
    let public = |acl: &serde_json::Value| {
        acl["AccessControlList"]["Grant"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["Permission"] == "READ" && g["Grantee"]["URI"].is_string())
    };
    // cp --acl, then acl set / get on the object.
    env.ok(&["cp", "--acl", "public-read", p(&file), "s3://acls/a.txt"]);
    assert!(public(&env.json(&["acl", "get", "s3://acls/a.txt"])));
    env.ok(&["acl", "set", "s3://acls/a.txt", "private"]);
    let private = env.json(&["acl", "get", "s3://acls/a.txt"]);
    assert!(!public(&private), "{private}");
    env.ok(&[
        "acl",
        "set",
        "s3://acls/a.txt",
        "READ=uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
    ]);
    assert!(public(&env.json(&["acl", "get", "s3://acls/a.txt"])));
    // The JSON `get` prints is what `set` takes.
    env.ok(&["acl", "set", "s3://acls/a.txt", &private.to_string()]);
    assert!(!public(&env.json(&["acl", "get", "s3://acls/a.txt"])));
    // Without a key: the bucket's.
    env.ok(&["acl", "set", "s3://acls", "public-read"]);
    assert!(public(&env.json(&["acl", "get", "s3://acls"])));
    assert_eq!(
        env.run(&["acl", "set", "s3://acls/missing", "private"])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(
        env.run(&["acl", "delete", "s3://acls/a.txt"]).status.code(),
        Some(2)
    );
}

#[test]
fn versions_restore_retention_and_legal_hold() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("f.txt");
    env.ok(&["mb", "s3://vers"]);
    env.ok(&["bucket", "versioning", "set", "s3://vers", "Enabled"]);
    assert_eq!(
        env.json(&["bucket", "versioning", "get", "s3://vers"])["status"],
        "Enabled"
    );
    for text in ["first", "second"] {
        std::fs::write(&f, text).unwrap();
        env.ok(&["cp", p(&f), "s3://vers/doc.txt"]);
    }
    env.ok(&["rm", "s3://vers/doc.txt"]);
    // Newest first: the marker, then the second and first versions.
    let listed = env.json(&["ls", "--versions", "s3://vers"]);
    let versions = listed["versions"].as_array().unwrap();
    let shape: Vec<(bool, bool, u64)> = versions
        .iter()
        .map(|v| {
            (
                v["is_latest"].as_bool().unwrap(),
                v["delete_marker"].as_bool().unwrap(),
                v["size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [(true, true, 0), (false, false, 6), (false, false, 5)]
    );
    let id = |i: usize| versions[i]["version_id"].as_str().unwrap().to_string();
    let (marker, second, first) = (id(0), id(1), id(2));
    let plain = env.ok(&["ls", "--versions", "s3://vers"]);
    assert!(plain.contains(&first) && plain.contains("DEL"), "{plain}");
    // Read an old version, to a file and to stdout.
    let out = dir.path().join("out.txt");
    env.ok(&["cp", "--version-id", &first, "s3://vers/doc.txt", p(&out)]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "first");
    assert_eq!(
        env.ok(&["cat", "--version-id", &second, "s3://vers/doc.txt"]),
        "second"
    );
    env.ok(&[
        "cp",
        "--version-id",
        &first,
        "s3://vers/doc.txt",
        "s3://vers/copy.txt",
    ]);
    assert_eq!(env.ok(&["cat", "s3://vers/copy.txt"]), "first");
    env.ok(&["rm", "s3://vers/copy.txt"]);
    let bad = env.run(&["mv", "--version-id", &first, "s3://vers/doc.txt", p(&out)]);
    assert_eq!(bad.status.code(), Some(2));
    // Restore makes the first version current again; the marker stays in the history.
    let r = env.json(&["restore", "--version-id", &first, "s3://vers/doc.txt"]);
    let restored = r["version_id"].as_str().unwrap().to_string();
    assert_ne!(restored, first);
    assert_eq!(env.ok(&["cat", "s3://vers/doc.txt"]), "first");
    // rm --version-id removes exactly one version for good.
    env.ok(&["rm", "--version-id", &marker, "s3://vers/doc.txt"]);
    env.ok(&["rm", "--version-id", &second, "s3://vers/doc.txt"]);
    let left = env.json(&["ls", "--versions", "s3://vers/doc"]);
    let ids: Vec<&str> = left["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [restored.as_str(), first.as_str()]);

    // Object Lock: a default retention, then per-version retention and legal hold.
    env.ok(&["mb", "--object-lock", "s3://worm"]);
    env.ok(&[
        "bucket",
        "object-lock",
        "set",
        "s3://worm",
        r#"{"mode":"GOVERNANCE","days":1}"#,
    ]);
    let conf = env.json(&["bucket", "object-lock", "get", "s3://worm"]);
    assert_eq!(
        (
            conf["enabled"].as_bool(),
            conf["mode"].as_str(),
            conf["days"].as_i64()
        ),
        (Some(true), Some("GOVERNANCE"), Some(1))
    );
    env.ok(&["cp", p(&f), "s3://worm/rec.txt"]);
    let v = env.json(&["ls", "--versions", "s3://worm"])["versions"][0]["version_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        env.json(&["retention", "get", "s3://worm/rec.txt"])["mode"],
        "GOVERNANCE"
    );
    let denied = env.run(&["rm", "--version-id", &v, "s3://worm/rec.txt"]);
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("AccessDenied"));
    env.ok(&[
        "retention",
        "set",
        "s3://worm/rec.txt",
        "--mode",
        "GOVERNANCE",
        "--until",
        "2030-01-01T00:00:00Z",
    ]);
    assert_eq!(
        env.json(&["retention", "get", "--version-id", &v, "s3://worm/rec.txt"])["retain_until"],
        "2030-01-01T00:00:00.000Z"
    );
    env.ok(&["legal-hold", "on", "s3://worm/rec.txt"]);
    assert_eq!(
        env.json(&["legal-hold", "get", "s3://worm/rec.txt"])["legal_hold"],
        "ON"
    );
    let held = env.run(&[
        "rm",
        "--version-id",
        &v,
        "--bypass-governance",
        "s3://worm/rec.txt",
    ]);
    assert!(!held.status.success(), "a legal hold outlasts the bypass");
    env.ok(&["legal-hold", "off", "s3://worm/rec.txt"]);
    env.ok(&[
        "retention",
        "delete",
        "--bypass-governance",
        "s3://worm/rec.txt",
    ]);
    env.ok(&["rm", "--version-id", &v, "s3://worm/rec.txt"]);
    assert!(env.json(&["ls", "--versions", "s3://worm"])["versions"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn bucket_public_access_and_ownership() {
    let env = Env::new();
    env.ok(&["mb", "s3://guarded"]);
    let missing = env.run(&["bucket", "public-access", "get", "s3://guarded"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("NoSuchPublicAccessBlockConfiguration")
    );
    env.ok(&[
        "bucket",
        "public-access",
        "set",
        "s3://guarded",
        r#"{"block_public_acls":true,"restrict_public_buckets":true}"#,
    ]);
    let flags = env.json(&["bucket", "public-access", "get", "s3://guarded"]);
    assert_eq!(
        flags,
        serde_json::json!({
            "block_public_acls": true, "ignore_public_acls": false,
            "block_public_policy": false, "restrict_public_buckets": true,
            "policy_is_public": null,
        })
    );
    let typo = env.run(&[
        "bucket",
        "public-access",
        "set",
        "s3://guarded",
        r#"{"block_acls":true}"#,
    ]);
    assert!(!typo.status.success());
    let refused = env.run(&["bucket", "acl", "set", "s3://guarded", "public-read"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("AccessDenied"));
    env.ok(&["bucket", "public-access", "delete", "s3://guarded"]);
    assert!(!env
        .run(&["bucket", "public-access", "get", "s3://guarded"])
        .status
        .success());

    env.ok(&[
        "bucket",
        "ownership",
        "set",
        "s3://guarded",
        "BucketOwnerEnforced",
    ]);
    assert_eq!(
        env.json(&["bucket", "ownership", "get", "s3://guarded"])["object_ownership"],
        "BucketOwnerEnforced"
    );
    let refused = env.run(&["bucket", "acl", "set", "s3://guarded", "public-read"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("AccessControlListNotSupported"));
    assert!(!env
        .run(&["bucket", "ownership", "set", "s3://guarded", "Mine"])
        .status
        .success());
    env.ok(&["bucket", "ownership", "delete", "s3://guarded"]);
    let gone = env.run(&["bucket", "ownership", "get", "s3://guarded"]);
    assert!(String::from_utf8_lossy(&gone.stderr).contains("OwnershipControlsNotFoundError"));
    env.ok(&[
        "mb",
        "--object-ownership",
        "BucketOwnerPreferred",
        "s3://preferred",
    ]);
    assert_eq!(
        env.json(&["bucket", "ownership", "get", "s3://preferred"])["object_ownership"],
        "BucketOwnerPreferred"
    );
}

#[test]
fn encryption_flags_and_bucket_default() {
    let env = Env::new();
    env.ok(&["mb", "s3://sealed"]);
    let dir = tempfile::tempdir().unwrap();
    let big = data(20 << 20, 7); // multipart: every part carries the customer key
    let file = dir.path().join("big.bin");
    std::fs::write(&file, &big).unwrap();
    let key_file = dir.path().join("key.bin");
    std::fs::write(&key_file, [9u8; 32]).unwrap();
    let key_arg = format!("@{}", p(&key_file));

    // SSE-C: upload (multipart), then every read needs the key.
    env.ok(&[
        "cp",
        "--sse-c-key",
        &key_arg,
        p(&file),
        "s3://sealed/big.bin",
    ]);
    let err = failure(env.run(&["cat", "s3://sealed/big.bin"]), 1);
    assert!(err.contains("InvalidRequest"), "{err}");
    let out = env
        .cmd()
        .args(["cat", "--sse-c-key", &key_arg, "s3://sealed/big.bin"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout == big, "cat returns the plaintext");
    let back = dir.path().join("back.bin");
    env.ok(&[
        "cp",
        "--sse-c-key",
        &key_arg,
        "s3://sealed/big.bin",
        p(&back),
    ]);
    assert!(std::fs::read(&back).unwrap() == big);
    let stat = env.json(&["stat", "--sse-c-key", &key_arg, "s3://sealed/big.bin"]);
    assert!(stat["encryption"].as_str().unwrap().starts_with("SSE-C"));

    // SSE-S3, and a copy re-encrypted under the same key.
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "hello").unwrap();
    env.ok(&["cp", "--sse", "AES256", p(&small), "s3://sealed/s3.txt"]);
    assert_eq!(
        env.json(&["stat", "s3://sealed/s3.txt"])["encryption"],
        "AES256"
    );
    env.ok(&[
        "cp",
        "--sse-c-key",
        &key_arg,
        "s3://sealed/big.bin",
        "s3://sealed/copy.bin",
    ]);
    assert_eq!(
        env.json(&["stat", "--sse-c-key", &key_arg, "s3://sealed/copy.bin"])["size"],
        big.len()
    );

    // Usage errors: exit 2, nothing sent.
    let err = failure(
        env.run(&["cp", "--sse", "ROT13", p(&small), "s3://sealed/x"]),
        2,
    );
    assert!(err.contains("AES256 or aws:kms"), "{err}");
    let err = failure(
        env.run(&[
            "cp",
            "--sse",
            "--sse-c-key",
            &key_arg,
            p(&small),
            "s3://sealed/x",
        ]),
        2,
    );
    assert!(err.contains("exclude"), "{err}");

    // Bucket default encryption.
    assert_eq!(
        env.json(&["bucket", "encryption", "get", "s3://sealed"]),
        serde_json::Value::Null
    );
    env.ok(&["bucket", "encryption", "set", "s3://sealed", "AES256"]);
    assert_eq!(
        env.json(&["bucket", "encryption", "get", "s3://sealed"])["algorithm"],
        "AES256"
    );
    env.ok(&["cp", p(&small), "s3://sealed/default.txt"]);
    assert_eq!(
        env.json(&["stat", "s3://sealed/default.txt"])["encryption"],
        "AES256"
    );
    env.ok(&["bucket", "encryption", "delete", "s3://sealed"]);
    env.ok(&["cp", p(&small), "s3://sealed/plain.txt"]);
    assert_eq!(
        env.json(&["stat", "s3://sealed/plain.txt"])["encryption"],
        "none"
    );
}

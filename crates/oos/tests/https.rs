//! `https://` endpoints: oosd with a certificate from a test CA (made with the `openssl`
//! command; the test is skipped without it).

mod support;

use std::path::Path;
use std::process::Command;

use oos::{Client, Error};

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn make_certs(dir: &Path) -> bool {
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=oos-test-ca",
    ]);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "key.pem",
        "-out",
        "req.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &ca)
        && openssl(dir, &csr)
        && openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "req.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "cert.pem",
                "-days",
                "1",
                "-extfile",
                "ext.cnf",
            ],
        )
}

#[tokio::test]
async fn https_endpoint_with_a_private_ca() {
    let certs = tempfile::tempdir().unwrap();
    if !make_certs(certs.path()) {
        eprintln!("skipping: openssl could not make test certificates");
        return;
    }
    let cfg = format!(
        "tls_cert = {:?}\ntls_key = {:?}\n",
        certs.path().join("cert.pem"),
        certs.path().join("key.pem")
    );
    let srv = support::Oosd::start_with_config(Some(&cfg));
    assert!(srv.endpoint.starts_with("https://"), "{}", srv.endpoint);

    // Trusting the CA: everything works, bodies included.
    let c = Client::new(srv.config().with_ca_file(certs.path().join("ca.pem"))).unwrap();
    c.create_bucket("tls", Default::default()).await.unwrap();
    let body = support::data(300_000, 4);
    c.put_object("tls", "k", body.clone(), Default::default())
        .await
        .unwrap();
    let got = c
        .get_object("tls", "k", Default::default())
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap();
    assert!(got == body);
    let url = c
        .presign(oos::Method::GET, "tls", Some("k"), Default::default())
        .unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    // Not trusting it: the handshake fails, reported as a connection error.
    let untrusted = Client::new(srv.config().with_max_retries(0)).unwrap();
    let err = untrusted.list_buckets().await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    let chain = format!("{:?}", err);
    assert!(chain.to_lowercase().contains("certificate"), "{chain}");
}

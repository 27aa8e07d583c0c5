//! First start and every start: open the data directory, make sure the root account exists,
//! bind the listener, run until SIGTERM.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use oos_meta::{AccessKey, Account, MetaStore, SqliteStore};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::front::Role;
use crate::metrics::Metrics;
use crate::state::{now_millis, Server};

/// The root credentials file in the data directory (mode 0600).
pub const ROOT_CREDENTIALS_FILE: &str = "root-credentials.toml";

#[derive(Debug, Serialize, Deserialize)]
pub struct RootCredentials {
    pub account_id: String,
    pub access_key: String,
    pub secret_key: String,
}

/// Runs the server until SIGTERM or Ctrl-C. Errors are one line for the operator.
pub async fn run(config: Config) -> Result<(), String> {
    let started_at = SystemTime::now();
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "cannot create data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    let meta = SqliteStore::open(&config.data_dir.join("meta.sqlite"))
        .map_err(|e| format!("cannot open metadata store: {e}"))?;
    let meta: Arc<dyn MetaStore> = Arc::new(meta);
    let pools = crate::storage::Pools::open(&config)?;
    let secrets = crate::secrets::SecretBox::open(&config.data_dir).map_err(|e| e.to_string())?;
    let (root, created) = root_credentials(&config.data_dir)?;
    meta.ensure_account(
        Account {
            id: root.account_id.clone(),
            name: "root".to_string(),
            created: now_millis(),
            disabled: false,
            regions: None,
        },
        AccessKey {
            access_key_id: root.access_key.clone(),
            account_id: root.account_id.clone(),
            secret: secrets.seal(&root.access_key, &root.secret_key),
            primary: true,
            active: true,
            created: now_millis(),
        },
    )
    .await
    .map_err(|e| format!("cannot create the root account: {e}"))?;
    if created {
        // Printed once, on the start that created them; afterwards they live in the file.
        println!("root access key: {}", root.access_key);
        println!("root secret key: {}", root.secret_key);
        println!(
            "(stored in {} with mode 0600)",
            config.data_dir.join(ROOT_CREDENTIALS_FILE).display()
        );
    }

    let tls = match &config.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    // Installed before the listening line: a SIGTERM right after it (`systemctl stop` just
    // after start) must be a clean stop, not the default action that kills the process.
    let stop_signals = {
        use tokio::signal::unix::{signal, SignalKind};
        let handle = |kind| signal(kind).map_err(|e| format!("cannot handle signals: {e}"));
        (
            handle(SignalKind::terminate())?,
            handle(SignalKind::interrupt())?,
        )
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!(
        "oosd listening on {scheme}://{local} (data in {})",
        config.data_dir.display()
    );
    let _ = std::io::stdout().flush();

    let server = Arc::new(Server {
        config,
        meta,
        pools,
        metrics: Metrics::install(),
        secrets,
        heal: Default::default(),
        transfers: Default::default(),
        portal: Default::default(),
        clock: Default::default(),
        root_account_id: root.account_id,
        s3_endpoint: format!("{scheme}://{local}"),
        started: Instant::now(),
    });
    crate::gc::spawn(server.clone(), started_at);
    crate::storage::spawn_healer(server.clone());
    crate::storage::spawn_scrubber(server.clone());
    crate::api::lifecycle::spawn_worker(server.clone());
    crate::api::logging::spawn_delivery(server.clone());
    // One shutdown signal for every listener.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    // The optional extra listeners: (address, config key, what it serves, its role).
    let extra = [
        (
            server.config.iam_listen,
            "iam_listen",
            "IAM API",
            "",
            Role::IamOnly,
        ),
        (
            server.config.portal_listen,
            "portal_listen",
            "portal",
            "/_portal/",
            Role::PortalOnly,
        ),
    ];
    let mut tasks = Vec::new();
    for (addr, key, what, path, role) in extra {
        let Some(addr) = addr else { continue };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr} ({key}): {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!("oosd {what} listening on {scheme}://{local}{path}");
        tasks.push(tokio::spawn(crate::front::serve(
            server.clone(),
            listener,
            tls.clone(),
            role,
            stopped(),
        )));
    }
    tokio::spawn(async move {
        shutdown_signal(stop_signals).await;
        let _ = stop_tx.send(true);
    });
    crate::front::serve(server, listener, tls, Role::Main, stopped()).await;
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal(
    (mut term, mut int): (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
) {
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// Loads the root credentials, or creates them from `OOS_ROOT_ACCESS_KEY` /
/// `OOS_ROOT_SECRET_KEY` (or random ones) on first start. Returns whether they were created.
fn root_credentials(data_dir: &Path) -> Result<(RootCredentials, bool), String> {
    let path = data_dir.join(ROOT_CREDENTIALS_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let creds: RootCredentials =
            toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        if let Ok(env_key) = std::env::var("OOS_ROOT_ACCESS_KEY") {
            if env_key != creds.access_key {
                tracing::warn!("OOS_ROOT_ACCESS_KEY differs from the stored root key; the stored key stays in force");
            }
        }
        return Ok((creds, false));
    }
    let access_key = std::env::var("OOS_ROOT_ACCESS_KEY")
        .unwrap_or_else(|_| hex::encode(rand::random::<[u8; 10]>()));
    let secret_key = std::env::var("OOS_ROOT_SECRET_KEY")
        .unwrap_or_else(|_| hex::encode(rand::random::<[u8; 20]>()));
    if access_key.is_empty() || secret_key.is_empty() {
        return Err("OOS_ROOT_ACCESS_KEY and OOS_ROOT_SECRET_KEY must not be empty".into());
    }
    let creds = RootCredentials {
        account_id: hex::encode(rand::random::<[u8; 32]>()),
        access_key,
        secret_key,
    };
    write_private(&path, &toml::to_string(&creds).map_err(|e| e.to_string())?)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((creds, true))
}

/// Writes a file only its owner can read, durably.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn tls_acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let certs = rustls_pemfile::certs(&mut read(cert)?.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("bad certificate {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("no certificate found in {}", cert.display()));
    }
    let key = rustls_pemfile::private_key(&mut read(key)?.as_slice())
        .map_err(|e| format!("bad private key {}: {e}", key.display()))?
        .ok_or_else(|| format!("no private key found in {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("TLS certificate and key do not match: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

//! `llmcfg serve` over TLS, as the built binary: `[server]
//! tls_cert` and `tls_key` serve HTTPS; after the files are replaced and the
//! server gets SIGHUP, new connections get the new certificate while a
//! connection opened before keeps working; and listening on a non-loopback
//! address without TLS prints a warning naming the risk.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmcfg_process::llmcfg_command;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

const MASTER_HEX: &str = "0404040404040404040404040404040404040404040404040404040404040404";

/// A test CA: its certificate and what signs leaves.
struct Ca {
    cert: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "llmcfg serve test CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    Ca {
        cert: cert.der().clone(),
        issuer: Issuer::new(params, key),
    }
}

/// A `localhost` leaf signed by `ca`, written to `dir/tls.crt` and
/// `dir/tls.key`; its DER.
fn write_leaf(ca: &Ca, dir: &Path, name: &str) -> CertificateDer<'static> {
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, name);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca.issuer).unwrap();
    // Written beside and renamed, as certbot replaces a certificate.
    std::fs::write(dir.join("tls.crt.new"), cert.pem()).unwrap();
    std::fs::write(dir.join("tls.key.new"), key.serialize_pem()).unwrap();
    std::fs::rename(dir.join("tls.key.new"), dir.join("tls.key")).unwrap();
    std::fs::rename(dir.join("tls.crt.new"), dir.join("tls.crt")).unwrap();
    cert.der().clone()
}

/// `llmcfg serve` killed on drop, with the address it printed.
struct Serve {
    child: Child,
    line: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_serve(home: &Path, listen: &str) -> Serve {
    let mut child = llmcfg_command(home, MASTER_HEX)
        .args(["serve", "--listen", listen])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Serve { child, line }
}

async fn connect(addr: &str, ca: &Ca) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.cert.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("TLS handshake with the CA's certificate")
}

fn peer(tls: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    tls.get_ref().1.peer_certificates().unwrap()[0]
        .clone()
        .into_owned()
}

/// `GET /healthz` on a kept-alive connection; its status line.
async fn healthz(tls: &mut TlsStream<TcpStream>) -> String {
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(20), tls.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_certificate_reloaded_on_sighup_without_dropping_connections() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("config/llmcfg");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("config.toml"),
        "[server]\ntls_cert = \"tls.crt\"\ntls_key = \"tls.key\"\n",
    )
    .unwrap();
    let ca = ca();
    let first = write_leaf(&ca, &conf, "first");
    let serve = spawn_serve(home.path(), "127.0.0.1:0");
    let url = serve.line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("https://"), "{}", serve.line);
    let addr = url.trim_start_matches("https://").to_string();

    let mut before = connect(&addr, &ca).await;
    assert_eq!(peer(&before), first);
    assert!(healthz(&mut before).await.starts_with("HTTP/1.1 200"));

    let second = write_leaf(&ca, &conf, "second");
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(
        unsafe { libc::kill(serve.child.id() as libc::pid_t, libc::SIGHUP) },
        0
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut after = loop {
        let tls = connect(&addr, &ca).await;
        if peer(&tls) == second {
            break tls;
        }
        assert!(Instant::now() < deadline, "still the first certificate");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(healthz(&mut after).await.starts_with("HTTP/1.1 200"));
    // The connection made before the reload was not dropped.
    assert!(healthz(&mut before).await.starts_with("HTTP/1.1 200"));
}

#[test]
fn plain_http_on_a_non_loopback_address_is_warned_about() {
    let home = tempfile::tempdir().unwrap();
    let mut serve = spawn_serve(home.path(), "0.0.0.0:0");
    assert!(serve.line.contains("http://0.0.0.0:"), "{}", serve.line);
    let _ = serve.child.kill();
    let mut err = String::new();
    serve
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("without TLS"), "{err}");
    assert!(err.contains("in clear"), "{err}");
}

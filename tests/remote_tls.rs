//! `[remote] ca_file`: a control plane behind a private CA. The seed server
//! is served over real TLS with a leaf certificate signed by a CA made for
//! the test; the client trusts it only when given that CA's PEM file.

mod seed_server;

use std::sync::Arc;

use llmcfg::domain::Scope;
use llmcfg::remote::{RemoteClient, RemoteError, RemoteOptions};
use llmcfg::service::ServiceError;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use seed_server::{ADMIN_TOKEN, SeedOptions, SeedServer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::server::TlsStream;
use zeroize::Zeroizing;

/// Accepts TCP connections and completes the TLS handshake; a failed
/// handshake (the client refusing our certificate) is skipped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A CA (its PEM) and a `localhost` server config signed by it.
fn private_ca() -> (String, rustls::ServerConfig) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "llmcfg test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.use_authority_key_identifier_extension = true;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    (ca_cert.pem(), config)
}

fn client(url: &str, ca_file: Option<std::path::PathBuf>) -> Result<RemoteClient, RemoteError> {
    RemoteClient::with_options(RemoteOptions {
        ca_file,
        ..RemoteOptions::new(url, Zeroizing::new(ADMIN_TOKEN.into()))
    })
}

#[tokio::test]
async fn a_private_ca_is_trusted_only_through_ca_file() {
    let (ca_pem, config) = private_ca();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();

    let (app, _state) = SeedServer::app(SeedOptions::default());
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", tcp.local_addr().unwrap().port());
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });

    let trusted = client(&url, Some(ca_file)).unwrap();
    assert_eq!(trusted.get(&Scope::Global).await.unwrap(), None);

    let untrusted = client(&url, None).unwrap();
    match untrusted.get(&Scope::Global).await {
        Err(ServiceError::Remote(m)) => assert!(m.contains("cannot reach"), "{m}"),
        other => panic!("a certificate of an unknown CA was accepted: {other:?}"),
    }

    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    match client(&url, Some(junk)) {
        Err(RemoteError::Client(m)) => assert!(m.contains("ca_file"), "{m}"),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a ca_file without certificates was accepted"),
    }
}

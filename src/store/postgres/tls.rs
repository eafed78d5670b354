//! TLS to PostgreSQL with rustls, on the aws-lc-rs provider reqwest already
//! brings (no second crypto library, no OpenSSL). The `sslmode` decides which
//! certificate check runs, as in libpq:
//!
//! - `prefer`/`require` without a CA: the link is encrypted but any
//!   certificate is accepted (handshake signatures are still verified, so the
//!   peer holds the key of the certificate it shows); this stops eavesdropping,
//!   not an active impostor;
//! - a CA with `prefer`/`require`/`verify-ca`: the chain must lead to that CA,
//!   whatever host name the certificate carries;
//! - `verify-full`: the chain and the host name connected to (a DNS name or
//!   an IP address in the certificate's subjectAltName).
//!
//! [`PgConnector`] opens connections with the result; its errors carry the
//! whole cause chain (tokio-postgres's own `Display` stops at "error
//! performing TLS handshake") but never the URL.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::connect_settings::SslMode;
use super::pinned::NameCheck;
use crate::store::StoreError;

/// Where the trusted CA certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaSource {
    /// A PEM file (`[store] ca_file`, `sslrootcert=PATH`).
    File(PathBuf),
    /// The operating system's trust store (`sslrootcert=system`).
    System,
}

/// Builds the rustls connector for `mode` and `ca`.
pub(super) fn make_connector(
    mode: SslMode,
    ca: Option<&CaSource>,
) -> Result<MakeRustlsConnect, StoreError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match (mode, ca) {
        (SslMode::VerifyFull, Some(CaSource::System)) => Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
                StoreError::Open(format!("cannot load the system's CA certificates: {e}"))
            })?,
        ),
        (SslMode::VerifyFull, Some(CaSource::File(path))) => {
            let (chain, trusted) = webpki(path, &provider)?;
            Arc::new(Pinned {
                chain,
                trusted,
                names: NameCheck::Required,
            })
        }
        (_, Some(CaSource::File(path))) => {
            let (chain, trusted) = webpki(path, &provider)?;
            Arc::new(Pinned {
                chain: Arc::new(ChainOnly(chain)),
                trusted,
                names: NameCheck::Skipped,
            })
        }
        // Refused by `PgConnectOptions::parse`; checked again so a verifying
        // mode can never fall through to accepting any certificate.
        (SslMode::VerifyCa | SslMode::VerifyFull, _) | (_, Some(CaSource::System)) => {
            return Err(StoreError::Open(format!(
                "sslmode={} needs a CA file",
                mode.as_str()
            )));
        }
        // `disable` never starts TLS; the connector is there only to
        // give every mode one type.
        (SslMode::Disable | SslMode::Prefer | SslMode::Require, None) => Arc::new(EncryptOnly {
            algorithms: provider.signature_verification_algorithms,
        }),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Open(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// A verifier trusting the CA certificates in the PEM file at `path`, and
/// those certificates.
fn webpki(
    path: &std::path::Path,
    provider: &Arc<CryptoProvider>,
) -> Result<(Arc<WebPkiServerVerifier>, Vec<CertificateDer<'static>>), StoreError> {
    let shown = path.display();
    let pem = std::fs::read(path)
        .map_err(|e| StoreError::Open(format!("cannot read the CA file {shown}: {e}")))?;
    let mut roots = RootCertStore::empty();
    let mut trusted = Vec::new();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert
            .map_err(|e| StoreError::Open(format!("the CA file {shown} is not valid PEM: {e}")))?;
        trusted.push(cert.clone());
        roots.add(cert).map_err(|e| {
            StoreError::Open(format!(
                "the CA file {shown} holds an unusable certificate: {e}"
            ))
        })?;
    }
    if roots.is_empty() {
        return Err(StoreError::Open(format!(
            "the CA file {shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )));
    }
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| StoreError::Open(format!("cannot use the CA file {shown}: {e}")))?;
    Ok((verifier, trusted))
}

/// A CA file's verifier that also accepts a server certificate that is
/// itself in the CA file, as libpq does ([`super::pinned`]).
#[derive(Debug)]
struct Pinned {
    chain: Arc<dyn ServerCertVerifier>,
    trusted: Vec<CertificateDer<'static>>,
    names: NameCheck,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(verdict) =
            super::pinned::verify(&self.trusted, end_entity, server_name, now, self.names)
        {
            return verdict.map(|()| ServerCertVerified::assertion());
        }
        self.chain
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}

/// `require` without a CA: encryption without authentication, as in libpq.
#[derive(Debug)]
struct EncryptOnly {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the full WebPKI check, except that a certificate for
/// another host name passes. webpki checks the chain before the name, so a
/// name error means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Opens connections to one store: parsed config, TLS connector and what to
/// say about them in an error. Cheap to clone (one shared allocation).
#[derive(Clone)]
pub struct PgConnector(Arc<ConnectorParts>);

struct ConnectorParts {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    describe: String,
}

impl PgConnector {
    pub(super) fn new(
        config: tokio_postgres::Config,
        tls: MakeRustlsConnect,
        describe: String,
    ) -> PgConnector {
        PgConnector(Arc::new(ConnectorParts {
            config,
            tls,
            describe,
        }))
    }

    /// Opens one connection and spawns its I/O task on the current runtime.
    pub async fn connect(&self) -> Result<Client, StoreError> {
        let (client, connection) = self
            .0
            .config
            .connect(self.0.tls.clone())
            .await
            .map_err(|e| self.connect_error(&e))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %error_chain(&e), "PostgreSQL connection ended");
            }
        });
        Ok(client)
    }

    /// A connection failure with its cause and the TLS rules in force; the
    /// URL is not repeated, as it may carry a password.
    pub fn connect_error(&self, e: &tokio_postgres::Error) -> StoreError {
        let mut message = format!(
            "cannot connect to PostgreSQL ({}): {}",
            self.0.describe,
            error_chain(e)
        );
        // A hostssl-only pg_hba.conf answers a plaintext client with "no
        // pg_hba.conf entry … no encryption"; say what to change.
        if self.0.config.get_ssl_mode() == tokio_postgres::config::SslMode::Disable
            && e.code() == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
        {
            message.push_str(
                " (with sslmode=disable; if the server accepts only TLS connections, use \
                 sslmode=verify-full or require)",
            );
        }
        StoreError::Open(message)
    }
}

/// `e` and its causes, joined by ": ", each said once.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

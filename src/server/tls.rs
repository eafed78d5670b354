//! TLS for `llmcfg serve`: `[server] tls_cert` and `tls_key` (PEM), served
//! with rustls on the aws-lc-rs provider the rest of the crate uses.
//!
//! The certificate and key are read again on SIGHUP, so a renewed
//! certificate (certbot, cert-manager) takes effect without a restart:
//! connections already open keep the session they negotiated, every new
//! handshake gets the new pair. A pair that fails to load on reload is
//! logged and the previous one stays in use.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

/// Where the certificate chain and its key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The certificate in use, replaceable while the server runs.
#[derive(Debug)]
pub struct Reloadable {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl Reloadable {
    /// Loads `files`; the error names the file and what is wrong with it.
    pub fn load(files: TlsFiles) -> Result<Arc<Reloadable>, String> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let current = load_pair(&files, &provider)?;
        Ok(Arc::new(Reloadable {
            files,
            provider,
            current: RwLock::new(current),
        }))
    }

    /// Reads the files again; on failure the pair in use stays.
    pub fn reload(&self) -> Result<(), String> {
        let fresh = load_pair(&self.files, &self.provider)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    /// The acceptor of new connections, always handing out the current pair.
    pub fn acceptor(self: &Arc<Self>) -> Result<TlsAcceptor, String> {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("cannot set up TLS: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }

    /// Reloads on every SIGHUP until the process ends.
    #[cfg(unix)]
    pub fn reload_on_sighup(self: &Arc<Self>) {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; the TLS certificate will not be reloaded");
            return;
        };
        let me = self.clone();
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match me.reload() {
                    Ok(()) => {
                        tracing::info!(cert = %me.files.cert.display(), "TLS certificate reloaded")
                    }
                    Err(why) => {
                        tracing::warn!(%why, "TLS certificate not reloaded; keeping the previous one")
                    }
                }
            }
        });
    }
}

impl ResolvesServerCert for Reloadable {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

fn load_pair(files: &TlsFiles, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, String> {
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("server.tls_cert {}: {e}", files.cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "server.tls_cert {}: no certificate in the file",
            files.cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| format!("server.tls_key {}: {e}", files.key.display()))?;
    let certified = CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        format!(
            "server.tls_key {}: does not match server.tls_cert, or is not a usable key: {e}",
            files.key.display()
        )
    })?;
    Ok(Arc::new(certified))
}

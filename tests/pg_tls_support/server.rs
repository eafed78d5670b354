//! The TLS-only PostgreSQL server, shared by every test of a binary: its
//! certificate names [`SERVER_NAME`] and is signed by a test CA; a second CA
//! signed nothing. URLs to fresh databases on it, and a session that holds
//! a table locked so a statement has to wait.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use llmcfg::store::PgConnectOptions;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

use super::{PASSWORD, SERVER_NAME};
use crate::pg_cluster::{self, ServerTls, TlsCluster};

/// The TLS server and the CA files of these tests.
pub struct Fixture {
    pub cluster: TlsCluster,
    /// The CA that signed the server's certificate.
    pub ca: PathBuf,
    /// A CA that did not.
    pub wrong_ca: PathBuf,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let ca = test_ca("llmcfg test CA");
        let wrong = test_ca("some other CA");
        let server_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![SERVER_NAME.to_string()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, SERVER_NAME);
        let server_cert = params.signed_by(&server_key, &ca).unwrap();
        let cluster = pg_cluster::start_tls_cluster(&ServerTls {
            cert_pem: server_cert.pem(),
            key_pem: server_key.serialize_pem(),
        });
        let write = |name: &str, pem: String| {
            let path = cluster.dir().join(name);
            std::fs::write(&path, pem).unwrap();
            path
        };
        Fixture {
            ca: write("ca.pem", ca.pem()),
            wrong_ca: write("wrong-ca.pem", wrong.pem()),
            cluster,
        }
    })
}

/// A self-signed CA that may sign server certificates.
pub fn test_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A URL to a fresh database through the server's certificate name, with
/// `query` (sslmode, sslrootcert) appended.
pub fn url(query: &str) -> String {
    let f = fixture();
    let db = f.cluster.create_db();
    format!(
        "postgres://postgres:{PASSWORD}@{SERVER_NAME}:{}/{db}?hostaddr=127.0.0.1&{query}",
        f.cluster.port
    )
}

pub fn root(path: &Path) -> String {
    url::form_urlencoded::byte_serialize(path.to_str().unwrap().as_bytes()).collect()
}

/// A session on the database of `store_url`, over the cluster's socket,
/// that holds the configs table locked for as long as it lives: its
/// transaction never ends.
pub async fn lock_configs(f: &Fixture, store_url: &str) -> tokio_postgres::Client {
    let db = store_url
        .split('/')
        .nth(3)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let (client, conn) = tokio_postgres::connect(&f.cluster.socket_url(db), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("BEGIN; LOCK TABLE configs IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    client
}

/// The first column of the one row `sql` returns, in a session opened as
/// the pool opens one: `options`' parsed config and its TLS connector.
pub fn in_a_pool_session<T>(options: &PgConnectOptions, sql: &str) -> T
where
    T: for<'a> tokio_postgres::types::FromSql<'a>,
{
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (client, conn) = options
            .pg_config()
            .connect(options.tls_connector().unwrap())
            .await
            .unwrap();
        tokio::spawn(conn);
        client.query_one(sql, &[]).await.unwrap().get(0)
    })
}

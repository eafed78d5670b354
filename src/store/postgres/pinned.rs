//! A server certificate that is itself in `sslrootcert`, checked as libpq
//! checks it.
//!
//! The PostgreSQL documentation makes a server certificate with
//! `openssl req -new -x509 … -subj "/CN=db.example.com"`: self-signed,
//! marked `CA:TRUE`, and naming the host only in its common name. libpq
//! (OpenSSL) trusts it when it is in `sslrootcert`; webpki refuses it
//! twice over (`CaUsedAsEndEntity`, and no subjectAltName). So when the
//! certificate the server shows is byte for byte one of the trusted
//! certificates, trust comes from that identity — the handshake signature
//! still proves the server holds its key — and what libpq still checks is
//! checked here: the validity period, and with `verify-full` the host name,
//! in the subjectAltName entries when there are any, else in the common
//! name, with a `*.` wildcard in the first label as libpq allows.

use std::net::IpAddr;

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, Error};
use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// OID of subjectAltName (2.5.29.17).
const SUBJECT_ALT_NAME: &str = "2.5.29.17";
/// OID of commonName (2.5.4.3).
const COMMON_NAME: &str = "2.5.4.3";

/// Whether the host name is checked too (`verify-full`) or only the
/// certificate (`verify-ca`, and `prefer`/`require` with a CA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameCheck {
    /// The host connected to must be named in the certificate.
    Required,
    /// Any name passes.
    Skipped,
}

/// `Some(result)` when `end_entity` is one of `trusted` (then the result
/// is the verdict), `None` when it is not and the chain check applies.
pub fn verify(
    trusted: &[CertificateDer<'static>],
    end_entity: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
    names: NameCheck,
) -> Option<Result<(), Error>> {
    if !trusted.iter().any(|t| t.as_ref() == end_entity.as_ref()) {
        return None;
    }
    Some(check(end_entity, server_name, now, names))
}

fn check(
    der: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
    names: NameCheck,
) -> Result<(), Error> {
    let cert = Certificate::from_der(der.as_ref())
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let validity = &cert.tbs_certificate.validity;
    let now = now.as_secs();
    if now < validity.not_before.to_unix_duration().as_secs() {
        return Err(Error::InvalidCertificate(CertificateError::NotValidYet));
    }
    if now > validity.not_after.to_unix_duration().as_secs() {
        return Err(Error::InvalidCertificate(CertificateError::Expired));
    }
    if names == NameCheck::Skipped || names_host(&cert, server_name) {
        Ok(())
    } else {
        // The same error webpki gives on the chain path, so the message
        // reads the same whichever check refused the name.
        Err(Error::InvalidCertificate(
            CertificateError::NotValidForNameContext {
                expected: server_name.to_owned(),
                presented: Vec::new(),
            },
        ))
    }
}

/// libpq's rule: the subjectAltName DNS and IP entries when the
/// certificate has any, else its common name.
fn names_host(cert: &Certificate, server_name: &ServerName<'_>) -> bool {
    let (host, ip): (String, Option<IpAddr>) = match server_name {
        ServerName::DnsName(d) => (d.as_ref().to_ascii_lowercase(), None),
        ServerName::IpAddress(a) => {
            let ip = IpAddr::from(*a);
            (ip.to_string(), Some(ip))
        }
        _ => return false,
    };
    let sans: Vec<GeneralName> = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id.to_string() == SUBJECT_ALT_NAME)
        .filter_map(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|s| s.0)
        .filter(|n| matches!(n, GeneralName::DnsName(_) | GeneralName::IpAddress(_)))
        .collect();
    if !sans.is_empty() {
        return sans.iter().any(|n| match n {
            GeneralName::DnsName(d) => ip.is_none() && dns_matches(d.as_str(), &host),
            GeneralName::IpAddress(bytes) => ip.is_some_and(|ip| ip_bytes(ip) == bytes.as_bytes()),
            _ => false,
        });
    }
    cert.tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid.to_string() == COMMON_NAME)
        .filter_map(|atv| {
            atv.value
                .decode_as::<Utf8StringRef<'_>>()
                .map(|s| s.as_str().to_string())
                .or_else(|_| {
                    atv.value
                        .decode_as::<PrintableStringRef<'_>>()
                        .map(|s| s.as_str().to_string())
                })
                .or_else(|_| {
                    atv.value
                        .decode_as::<Ia5StringRef<'_>>()
                        .map(|s| s.as_str().to_string())
                })
                .ok()
        })
        .any(|cn| match ip {
            Some(ip) => cn.parse::<IpAddr>().ok() == Some(ip),
            None => dns_matches(&cn, &host),
        })
}

/// `pattern` names `host` (lowercase): equal ignoring case, or `*.rest`
/// with `host` one label followed by `rest`.
fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => pattern == host,
    }
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed `CA:TRUE` certificate naming `cn` only in its subject,
    /// valid for the current year.
    fn self_signed_ca(cn: &str) -> CertificateDer<'static> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().clone()
    }

    fn name(n: &str) -> ServerName<'static> {
        ServerName::try_from(n.to_string()).unwrap()
    }

    #[test]
    fn a_trusted_certificate_is_checked_for_validity_and_name() {
        let cert = self_signed_ca("db.example.com");
        let trusted = vec![cert.clone()];
        let now = UnixTime::now();
        let full = NameCheck::Required;
        assert!(matches!(
            verify(&trusted, &cert, &name("db.example.com"), now, full),
            Some(Ok(()))
        ));
        assert!(matches!(
            verify(&trusted, &cert, &name("other.example.com"), now, full),
            Some(Err(Error::InvalidCertificate(
                CertificateError::NotValidForNameContext { .. }
            )))
        ));
        assert!(matches!(
            verify(
                &trusted,
                &cert,
                &name("other.example.com"),
                now,
                NameCheck::Skipped
            ),
            Some(Ok(()))
        ));
        // rcgen's default validity ends in 4096; a century past that.
        let later = UnixTime::since_unix_epoch(std::time::Duration::from_secs(4_300_000_000 * 30));
        assert!(matches!(
            verify(&trusted, &cert, &name("db.example.com"), later, full),
            Some(Err(Error::InvalidCertificate(CertificateError::Expired)))
        ));
        let before = UnixTime::since_unix_epoch(std::time::Duration::from_secs(0));
        assert!(matches!(
            verify(&trusted, &cert, &name("db.example.com"), before, full),
            Some(Err(Error::InvalidCertificate(
                CertificateError::NotValidYet
            )))
        ));
        // Not one of the trusted certificates: the chain check decides.
        let stranger = self_signed_ca("db.example.com");
        assert!(verify(&trusted, &stranger, &name("db.example.com"), now, full).is_none());
    }

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_matches("db.example.com", "db.example.com"));
        assert!(dns_matches("DB.Example.com.", "db.example.com"));
        assert!(dns_matches("*.example.com", "db.example.com"));
        assert!(!dns_matches("*.example.com", "a.db.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("other.example.com", "db.example.com"));
    }
}

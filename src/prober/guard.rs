//! The SSRF guard of server mode (design §2): connection tests may reach
//! only globally reachable addresses — judged by the IANA special-purpose
//! registries in [`special_purpose`](super::special_purpose) — that are not
//! this host's own interface addresses, unless the operator lists the host,
//! IP or CIDR in `server.allowed_targets`. It is checked on the *resolved*
//! address (and on IP literals before any request), so a public name
//! pointing inward is caught too.

use std::net::IpAddr;

use super::special_purpose::{self, Row};

/// One `allowed_targets` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// A host name, compared case-insensitively.
    Host(String),
    /// A network: address and prefix length.
    Net(IpAddr, u8),
}

/// Which probe destinations are permitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPolicy {
    allowed: Vec<Allowed>,
    /// This host's interface addresses when the policy was made: a listener
    /// on `0.0.0.0` answers on every one of them, public or not.
    own: Vec<IpAddr>,
}

impl Default for TargetPolicy {
    /// Nothing listed: only global addresses of other hosts.
    fn default() -> Self {
        TargetPolicy {
            allowed: Vec::new(),
            own: own_addresses(),
        }
    }
}

/// Why the guard refused an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not globally reachable: the registry row that says so.
    NotGlobal(&'static Row),
    /// One of this host's own interface addresses.
    OwnAddress,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotGlobal(r) => write!(
                f,
                "not globally reachable: {} {} ({}, IANA special-purpose registry)",
                r.block, r.name, r.rfc
            ),
            Refusal::OwnAddress => f.write_str("an address of this server's own interfaces"),
        }
    }
}

impl TargetPolicy {
    /// Parses `allowed_targets` entries: `host`, `1.2.3.4`, `10.0.0.0/8`, `::1`, `fd00::/8`.
    pub fn parse(entries: &[String]) -> Result<TargetPolicy, String> {
        let mut allowed = Vec::new();
        for raw in entries {
            let entry = raw.trim();
            if entry.is_empty() {
                return Err("server.allowed_targets: entries must not be empty".into());
            }
            if let Some((ip, bits)) = entry.split_once('/') {
                let ip: IpAddr = ip.parse().map_err(|_| {
                    format!("server.allowed_targets: {entry:?} is not a valid CIDR")
                })?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let bits: u8 = bits.parse().ok().filter(|b| *b <= max).ok_or_else(|| {
                    format!("server.allowed_targets: {entry:?} has a bad prefix length")
                })?;
                allowed.push(Allowed::Net(ip, bits));
            } else if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
                allowed.push(Allowed::Net(ip, if ip.is_ipv4() { 32 } else { 128 }));
            } else {
                allowed.push(Allowed::Host(entry.to_ascii_lowercase()));
            }
        }
        Ok(TargetPolicy {
            allowed,
            own: own_addresses(),
        })
    }

    /// The same policy with `own` as this host's interface addresses (for a
    /// host whose interfaces changed since start-up, and for tests that need
    /// a public own address).
    pub fn with_own_addresses(mut self, own: Vec<IpAddr>) -> TargetPolicy {
        self.own = own;
        self
    }

    /// Why a probe to `host` resolved to `ip` is refused, or `Ok` when it may
    /// proceed.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), Refusal> {
        let reason = match special_purpose::non_global(ip) {
            Some(row) => Refusal::NotGlobal(row),
            None if self.is_own(ip) => Refusal::OwnAddress,
            None => return Ok(()),
        };
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        let listed = self.allowed.iter().any(|a| match a {
            Allowed::Host(h) => *h == host,
            Allowed::Net(net, bits) => special_purpose::contains(*net, *bits, ip),
        });
        if listed { Ok(()) } else { Err(reason) }
    }

    /// True when a probe to `host` resolved to `ip` may proceed.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        self.check(host, ip).is_ok()
    }

    fn is_own(&self, ip: IpAddr) -> bool {
        let v4 = match ip {
            IpAddr::V6(v6) => special_purpose::embedded_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        self.own.iter().any(|o| *o == ip || Some(*o) == v4)
    }
}

/// This host's interface addresses; none when they cannot be read (the
/// registry rules still apply).
fn own_addresses() -> Vec<IpAddr> {
    match if_addrs::get_if_addrs() {
        Ok(ifs) => ifs.into_iter().map(|i| i.ip()).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read this host's interface addresses");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_ranges() {
        let is_internal = |ip| special_purpose::non_global(ip).is_some();
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "192.0.2.2",
            "198.51.100.7",
            "203.0.113.9",
            "198.19.0.1",
            "240.0.0.1",
            "::10.0.0.1",
            "2002:a00:1::1",
        ] {
            assert!(is_internal(ip(s)), "{s}");
        }
        for s in ["1.1.1.1", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_internal(ip(s)), "{s}");
        }
    }

    #[test]
    fn default_policy_refuses_internal_only() {
        let p = TargetPolicy::default();
        assert!(!p.permits("localhost", ip("127.0.0.1")));
        assert!(!p.permits("metadata", ip("169.254.169.254")));
        assert!(p.permits("api.openai.com", ip("104.18.6.192")));
    }

    #[test]
    fn allow_list_by_host_ip_and_cidr() {
        let p = TargetPolicy::parse(&[
            "ollama.internal".into(),
            "127.0.0.1".into(),
            "10.0.0.0/8".into(),
        ])
        .unwrap();
        assert!(p.permits("OLLAMA.internal", ip("192.168.1.5")));
        assert!(p.permits("x", ip("127.0.0.1")));
        assert!(!p.permits("x", ip("127.0.0.2")));
        assert!(p.permits("x", ip("10.200.0.1")));
        assert!(!p.permits("x", ip("172.16.0.1")));
        assert!(TargetPolicy::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(TargetPolicy::parse(&["bad/cidr".into()]).is_err());
    }

    #[test]
    fn own_interface_addresses_are_refused_even_when_public() {
        let p = TargetPolicy::default().with_own_addresses(vec![ip("8.8.4.4")]);
        assert_eq!(p.check("me", ip("8.8.4.4")), Err(Refusal::OwnAddress));
        assert!(p.check("me", ip("::ffff:8.8.4.4")).is_err());
        assert!(p.permits("other", ip("8.8.8.8")));
        let listed = TargetPolicy::parse(&["8.8.4.4".into()])
            .unwrap()
            .with_own_addresses(vec![ip("8.8.4.4")]);
        assert!(listed.permits("me", ip("8.8.4.4")));
    }

    #[test]
    fn this_hosts_real_interface_addresses_are_refused() {
        let p = TargetPolicy::default();
        let own = own_addresses();
        assert!(!own.is_empty(), "a host has at least a loopback address");
        for a in own {
            assert!(!p.permits("x", a), "{a}");
        }
    }
}

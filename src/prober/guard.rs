//! The SSRF guard of server mode (design §2): connection tests may not reach
//! loopback, private, link-local, CGNAT or metadata addresses unless the
//! operator lists the host, IP or CIDR in `server.allowed_targets`. It is
//! checked on the *resolved* address, so a public name pointing inward is
//! caught too.

use std::net::IpAddr;

/// One `allowed_targets` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// A host name, compared case-insensitively.
    Host(String),
    /// A network: address and prefix length.
    Net(IpAddr, u8),
}

/// Which probe destinations are permitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    allowed: Vec<Allowed>,
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
        Ok(TargetPolicy { allowed })
    }

    /// True when a probe to `host` resolved to `ip` may proceed.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        if !is_internal(ip) {
            return true;
        }
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        self.allowed.iter().any(|a| match a {
            Allowed::Host(h) => *h == host,
            Allowed::Net(net, bits) => in_net(ip, *net, *bits),
        })
    }
}

/// Loopback, private, link-local (cloud metadata), CGNAT, unspecified,
/// multicast and the IPv6 equivalents (including IPv4-mapped forms).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local
                || (seg[0] & 0xffc0) == 0xfe80 // link local
                || seg[0] == 0x64 && seg[1] == 0xff9b // NAT64
        }
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        _ => false,
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
}

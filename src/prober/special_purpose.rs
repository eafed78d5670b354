//! The one table of non-global addresses the SSRF guard refuses: the rows of
//! the IANA IPv4 and IPv6 Special-Purpose Address Registries
//! (<https://www.iana.org/assignments/iana-ipv4-special-registry>,
//! <https://www.iana.org/assignments/iana-ipv6-special-registry>), each with
//! its "Globally Reachable" column, plus the blocks outside those registries
//! that are not unicast (IPv4 multicast, everything outside IPv6 global
//! unicast `2000::/3`). The most specific row decides, so a globally
//! reachable row inside a non-global block (192.0.0.9/32 in 192.0.0.0/24)
//! stays reachable, as the registry says.
//!
//! Addresses that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64,
//! 6to4, Teredo) are judged by the embedded address too, because a
//! translator or relay delivers the packet there.
//!
//! No well-kept crate covers this: `std`'s `is_global` is unstable, and
//! `ip_network`'s predates several rows below (RFC 9602, 9637, 9780).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One registry row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The block, as written in the registry.
    pub block: &'static str,
    /// Its name in the registry.
    pub name: &'static str,
    /// The RFC that defines it.
    pub rfc: &'static str,
    /// The registry's "Globally Reachable" column (`N/A` rows count as not).
    pub global: bool,
}

const fn row(block: &'static str, name: &'static str, rfc: &'static str, global: bool) -> Row {
    Row {
        block,
        name,
        rfc,
        global,
    }
}

/// IPv4 rows: the special-purpose registry, then multicast (RFC 5771).
pub const IPV4: &[Row] = &[
    row("0.0.0.0/8", "\"This network\"", "RFC 791", false),
    row(
        "0.0.0.0/32",
        "\"This host on this network\"",
        "RFC 1122",
        false,
    ),
    row("10.0.0.0/8", "Private-Use", "RFC 1918", false),
    row("100.64.0.0/10", "Shared Address Space", "RFC 6598", false),
    row("127.0.0.0/8", "Loopback", "RFC 1122", false),
    row("169.254.0.0/16", "Link Local", "RFC 3927", false),
    row("172.16.0.0/12", "Private-Use", "RFC 1918", false),
    row(
        "192.0.0.0/24",
        "IETF Protocol Assignments",
        "RFC 6890",
        false,
    ),
    row(
        "192.0.0.0/29",
        "IPv4 Service Continuity Prefix",
        "RFC 7335",
        false,
    ),
    row("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", false),
    row(
        "192.0.0.9/32",
        "Port Control Protocol Anycast",
        "RFC 7723",
        true,
    ),
    row(
        "192.0.0.10/32",
        "Traversal Using Relays around NAT Anycast",
        "RFC 8155",
        true,
    ),
    row("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880", false),
    row("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880", false),
    row(
        "192.0.2.0/24",
        "Documentation (TEST-NET-1)",
        "RFC 5737",
        false,
    ),
    row("192.31.196.0/24", "AS112-v4", "RFC 7535", true),
    row("192.52.193.0/24", "AMT", "RFC 7450", true),
    row(
        "192.88.99.0/24",
        "Deprecated (6to4 Relay Anycast)",
        "RFC 7526",
        false,
    ),
    row("192.168.0.0/16", "Private-Use", "RFC 1918", false),
    row(
        "192.175.48.0/24",
        "Direct Delegation AS112 Service",
        "RFC 7534",
        true,
    ),
    row("198.18.0.0/15", "Benchmarking", "RFC 2544", false),
    row(
        "198.51.100.0/24",
        "Documentation (TEST-NET-2)",
        "RFC 5737",
        false,
    ),
    row(
        "203.0.113.0/24",
        "Documentation (TEST-NET-3)",
        "RFC 5737",
        false,
    ),
    row("224.0.0.0/4", "Multicast (not unicast)", "RFC 5771", false),
    row("240.0.0.0/4", "Reserved", "RFC 1112", false),
    row("255.255.255.255/32", "Limited Broadcast", "RFC 919", false),
];

/// IPv6 rows: the special-purpose registry, with `::/0` (everything outside
/// global unicast `2000::/3`, RFC 4291 §2.4) and `2000::/3` itself first.
pub const IPV6: &[Row] = &[
    row("::/0", "Not global unicast", "RFC 4291", false),
    row("2000::/3", "Global Unicast", "RFC 4291", true),
    row("::1/128", "Loopback Address", "RFC 4291", false),
    row("::/128", "Unspecified Address", "RFC 4291", false),
    row("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", false),
    row("64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", true),
    row("64:ff9b:1::/48", "IPv4-IPv6 Translat.", "RFC 8215", false),
    row("100::/64", "Discard-Only Address Block", "RFC 6666", false),
    row("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", false),
    row("2001::/23", "IETF Protocol Assignments", "RFC 2928", false),
    row("2001::/32", "TEREDO", "RFC 4380", false),
    row(
        "2001:1::1/128",
        "Port Control Protocol Anycast",
        "RFC 7723",
        true,
    ),
    row(
        "2001:1::2/128",
        "Traversal Using Relays around NAT Anycast",
        "RFC 8155",
        true,
    ),
    row(
        "2001:1::3/128",
        "DNS-SD Service Registration Protocol Anycast",
        "RFC 9665",
        true,
    ),
    row("2001:2::/48", "Benchmarking", "RFC 5180", false),
    row("2001:3::/32", "AMT", "RFC 7450", true),
    row("2001:4:112::/48", "AS112-v6", "RFC 7535", true),
    row(
        "2001:10::/28",
        "Deprecated (previously ORCHID)",
        "RFC 4843",
        false,
    ),
    row("2001:20::/28", "ORCHIDv2", "RFC 7343", true),
    row(
        "2001:30::/28",
        "Drone Remote ID Protocol Entity Tags (DETs) Prefix",
        "RFC 9374",
        true,
    ),
    row("2001:db8::/32", "Documentation", "RFC 3849", false),
    row("2002::/16", "6to4", "RFC 3056", false),
    row(
        "2620:4f:8000::/48",
        "Direct Delegation AS112 Service",
        "RFC 7534",
        true,
    ),
    row("3fff::/20", "Documentation", "RFC 9637", false),
    row(
        "5f00::/16",
        "Segment Routing (SRv6) SIDs",
        "RFC 9602",
        false,
    ),
    row("fc00::/7", "Unique-Local", "RFC 4193", false),
    row("fe80::/10", "Link-Local Unicast", "RFC 4291", false),
];

/// The row that decides `ip` (the most specific one that contains it).
pub fn deciding_row(ip: IpAddr) -> Option<&'static Row> {
    let table = if ip.is_ipv4() { IPV4 } else { IPV6 };
    table
        .iter()
        .filter_map(|r| {
            let (net, bits) = parse_block(r.block);
            contains(net, bits, ip).then_some((bits, r))
        })
        .max_by_key(|(bits, _)| *bits)
        .map(|(_, r)| r)
}

/// Why `ip` is not globally reachable — its own row, or the row of the IPv4
/// address it embeds — or `None` when it is.
pub fn non_global(ip: IpAddr) -> Option<&'static Row> {
    // NAT64, 6to4 and Teredo deliver to the IPv4 address they embed, so that
    // address decides (the mapped and compatible forms stay refused by
    // their own rows).
    if let IpAddr::V6(v6) = ip
        && let Some(inner) = relayed_v4(v6)
    {
        return inner.iter().find_map(|v4| non_global(IpAddr::V4(*v4)));
    }
    deciding_row(ip).filter(|r| !r.global)
}

/// The IPv4 addresses a relay or translator delivers `v6` to: NAT64
/// (64:ff9b::/96, RFC 6052), 6to4 (2002::/16, RFC 3056) and Teredo
/// (2001::/32, RFC 4380: server in bits 32–63, client inverted in the last
/// 32 bits).
fn relayed_v4(v6: Ipv6Addr) -> Option<Vec<Ipv4Addr>> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        Some(vec![v4(s[6], s[7])])
    } else if s[0] == 0x2002 {
        Some(vec![v4(s[1], s[2])])
    } else if s[0] == 0x2001 && s[1] == 0 {
        Some(vec![v4(s[2], s[3]), v4(!s[6], !s[7])])
    } else {
        None
    }
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or
/// IPv4-compatible (`::a.b.c.d`) form, which a dual-stack socket may reach
/// directly; used for the interface-address check.
pub fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = v6.segments();
    (s[..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1))
        .then(|| Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7])))
}

/// `"10.0.0.0/8"` → (10.0.0.0, 8). The table is constant, so a bad row is a
/// bug caught by the tests below.
fn parse_block(block: &str) -> (IpAddr, u8) {
    let (ip, bits) = block.split_once('/').expect("row has a prefix length");
    (
        ip.parse().expect("row has a valid address"),
        bits.parse().expect("row has a valid prefix length"),
    )
}

/// True when `ip` lies in `net/bits` (same family only).
pub fn contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
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
    fn every_row_parses_and_decides_its_first_or_last_address() {
        for r in IPV4.iter().chain(IPV6) {
            let (net, bits) = parse_block(r.block);
            let last = match net {
                IpAddr::V4(v4) => IpAddr::V4(
                    (u32::from(v4) | u32::MAX.checked_shr(u32::from(bits)).unwrap_or(0)).into(),
                ),
                IpAddr::V6(v6) => IpAddr::V6(
                    (u128::from(v6) | u128::MAX.checked_shr(u32::from(bits)).unwrap_or(0)).into(),
                ),
            };
            assert!(bits <= if net.is_ipv4() { 32 } else { 128 }, "{}", r.block);
            assert!(contains(net, bits, last), "{}", r.block);
            assert!(
                deciding_row(net) == Some(r) || deciding_row(last) == Some(r),
                "{}",
                r.block
            );
        }
    }

    #[test]
    fn global_rows_inside_non_global_blocks_stay_global() {
        assert!(non_global(ip("192.0.0.9")).is_none());
        assert!(non_global(ip("192.0.0.1")).is_some());
        assert!(non_global(ip("2001:4:112::1")).is_none());
        assert!(non_global(ip("2001:5::1")).is_some());
    }

    #[test]
    fn public_addresses_pass() {
        for s in ["1.1.1.1", "8.8.8.8", "104.18.6.192", "2606:4700::1111"] {
            assert!(non_global(ip(s)).is_none(), "{s}");
        }
    }

    #[test]
    fn embedded_v4_decides_translated_forms() {
        // NAT64 of 8.8.8.8 is public, of 10.0.0.1 not.
        assert!(non_global(ip("64:ff9b::808:808")).is_none());
        assert!(non_global(ip("64:ff9b::a00:1")).is_some());
        // 6to4 of 8.8.8.8 / of 192.168.0.1.
        assert!(non_global(ip("2002:808:808::1")).is_none());
        assert!(non_global(ip("2002:c0a8:1::1")).is_some());
        // Teredo with server 8.8.8.8 and client 127.0.0.1 (inverted).
        assert!(non_global(ip("2001:0:808:808::80ff:fffe")).is_some());
        assert!(non_global(ip("2001:0:808:808::f7f7:f7f7")).is_none());
        // Mapped and compatible forms are never global.
        assert!(non_global(ip("::ffff:8.8.8.8")).is_some());
        assert!(non_global(ip("::8.8.8.8")).is_some());
        assert_eq!(
            embedded_v4("::127.0.0.1".parse().unwrap()),
            Some([127, 0, 0, 1].into())
        );
        assert_eq!(embedded_v4("::1".parse().unwrap()), None);
    }
}

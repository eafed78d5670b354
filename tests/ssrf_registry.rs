//! The SSRF guard, row by row: for every non-global row of the
//! IANA special-purpose table, for the IPv6 forms that embed a loopback
//! IPv4, and for each of this host's own interface addresses, a guarded
//! probe is refused with `blocked` — and a listener on every interface of
//! this host (`0.0.0.0` and `[::]`, same port) sees no connection. The same
//! listener does see the probe once the target is listed in
//! `allowed_targets`, so the count is a real observation.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use llmcfg::domain::ConfigFields;
use llmcfg::domain::{ApiKey, Catalog, TestStatus};
use llmcfg::prober::special_purpose::{self, IPV4, IPV6};
use llmcfg::prober::{ProbeSettings, ProbeTarget, Prober, TargetPolicy};

/// Listeners on every interface, all on one port, counting accepts.
struct Listener {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

async fn listen_everywhere() -> Listener {
    let v4 = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = v4.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut listeners = vec![v4];
    if let Ok(v6) = tokio::net::TcpListener::bind(("::", port)).await {
        listeners.push(v6);
    }
    for l in listeners {
        let accepted = accepted.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = l.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                drop(sock);
            }
        });
    }
    Listener { port, accepted }
}

fn guarded(policy: TargetPolicy) -> Prober {
    Prober::new(ProbeSettings {
        connect_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(2),
        guard: Some(Arc::new(policy)),
    })
}

async fn probe(p: &Prober, base: &str) -> llmcfg::prober::ProbeOutcome {
    let spec = Catalog::builtin().get("openai").unwrap();
    let key = ApiKey::new("sk-ssrf-test-0123456789abcdefghij");
    p.test(ProbeTarget::new(
        spec,
        &ConfigFields::new(&spec.id, "gpt-4o").with("base_url", base),
        &key,
    ))
    .await
}

fn url(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{port}"),
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}"),
    }
}

/// An address of the block that the block's own row decides (its first or
/// last address; nested rows claim the other one).
fn sample(block: &str) -> IpAddr {
    let (net, bits) = block.split_once('/').unwrap();
    let net: IpAddr = net.parse().unwrap();
    let bits: u32 = bits.parse().unwrap();
    let last = match net {
        IpAddr::V4(v4) => {
            IpAddr::V4((u32::from(v4) | u32::MAX.checked_shr(bits).unwrap_or(0)).into())
        }
        IpAddr::V6(v6) => {
            IpAddr::V6((u128::from(v6) | u128::MAX.checked_shr(bits).unwrap_or(0)).into())
        }
    };
    let row = |ip| special_purpose::deciding_row(ip).map(|r| r.block);
    if row(net) == Some(block) { net } else { last }
}

#[tokio::test]
async fn every_non_global_row_embedded_form_and_own_address_is_blocked() {
    let listener = listen_everywhere().await;
    let p = guarded(TargetPolicy::default());
    let mut targets: Vec<(String, IpAddr)> = IPV4
        .iter()
        .chain(IPV6)
        .filter(|r| !r.global)
        .map(|r| (r.block.to_string(), sample(r.block)))
        .collect();
    for s in [
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::1",
        "2001:0:808:808::80ff:fffe",
    ] {
        targets.push((format!("embedded {s}"), s.parse().unwrap()));
    }
    for ifa in if_addrs_of_this_host() {
        targets.push((format!("own interface {ifa}"), ifa));
    }
    assert!(targets.len() > 40, "{} targets", targets.len());
    for (what, ip) in &targets {
        let o = probe(&p, &url(*ip, listener.port)).await;
        assert_eq!(
            o.status,
            TestStatus::Blocked,
            "{what} ({ip}): {}",
            o.message
        );
        assert!(
            o.message.contains("allowed_targets"),
            "{what}: {}",
            o.message
        );
    }
    // A name that resolves inward is refused by the resolver the same way.
    let o = probe(&p, &format!("http://localhost:{}", listener.port)).await;
    assert_eq!(o.status, TestStatus::Blocked, "localhost: {}", o.message);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        listener.accepted.load(Ordering::SeqCst),
        0,
        "a refused probe reached the listener"
    );

    // Listed, the loopback target is reached: the listener does count.
    let open = guarded(TargetPolicy::parse(&["127.0.0.1".into()]).unwrap());
    let o = probe(&open, &format!("http://127.0.0.1:{}", listener.port)).await;
    assert_ne!(o.status, TestStatus::Blocked, "{}", o.message);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(listener.accepted.load(Ordering::SeqCst) >= 1);
}

/// This host's interface addresses, read independently of the guard (from
/// `/proc/net` on Linux would be another parser; `ip -o addr` is not always
/// installed), so they come from the guard's own crate.
fn if_addrs_of_this_host() -> Vec<IpAddr> {
    if_addrs::get_if_addrs()
        .unwrap()
        .into_iter()
        .map(|i| i.ip())
        // Link-local v6 needs a scope id to be a URL; its row covers it.
        .filter(|ip| !matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80))
        .collect()
}

//! Pre-flight of the SSRF guard (design §2) for connection tests in server
//! mode: the configured base URL is resolved and every address checked
//! against the [`TargetPolicy`] before the prober is called, so an inward
//! target is refused with a clear `unreachable` outcome. The prober checks
//! the address it actually connects to as well (DNS can change in between).

use std::net::IpAddr;

use crate::prober::TargetPolicy;

/// Why a probe of `base_url` is refused, or `None` when it may proceed
/// (including when the name does not resolve: the prober reports that).
pub(super) async fn refusal(policy: &TargetPolicy, base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    let host = url.host_str()?.trim_matches(['[', ']']).to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .ok()?
            .map(|a| a.ip())
            .collect(),
    };
    let denied = addrs.into_iter().find(|ip| !policy.permits(&host, *ip))?;
    Some(format!(
        "refused by the server's SSRF guard: {host} resolves to {denied}, an internal address; \
         the operator can allow it in server.allowed_targets"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loopback_refused_unless_listed() {
        let closed = TargetPolicy::parse(&[]).unwrap();
        let msg = refusal(&closed, "http://127.0.0.1:9/v1").await.unwrap();
        assert!(msg.contains("SSRF guard") && msg.contains("127.0.0.1"));
        let open = TargetPolicy::parse(&["127.0.0.1".into()]).unwrap();
        assert_eq!(refusal(&open, "http://127.0.0.1:9/v1").await, None);
        assert_eq!(refusal(&closed, "https://8.8.8.8").await, None);
        assert!(refusal(&closed, "http://[::1]:80").await.is_some());
    }
}

//! The one `reqwest::Client` of a prober: rustls, no redirects (a redirect
//! would carry the key to a host the operator never configured), no
//! built-in retries (the fetcher owns the retry rule), the connect
//! timeout, and — in server mode — a DNS resolver that refuses internal
//! addresses the SSRF policy does not permit. IP-literal hosts never reach a
//! resolver, so [`check_literal`] covers them before any request.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Client, Url};

use super::{ProbeError, ProbeSettings, TargetPolicy};

/// Idle connections kept per host, so `test --all` against one provider
/// reuses TLS sessions instead of handshaking for every scope.
const POOL_IDLE_PER_HOST: usize = 64;

/// Builds the client for `settings`.
pub fn build(settings: &ProbeSettings) -> Client {
    let mut builder = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Our own rule (one retry, 429/5xx, capped Retry-After) is the only
        // one; reqwest's protocol-level retries would add silent requests.
        .retry(reqwest::retry::never())
        .connect_timeout(settings.connect_timeout)
        .pool_max_idle_per_host(POOL_IDLE_PER_HOST)
        .user_agent(concat!("llmcfg/", env!("CARGO_PKG_VERSION")));
    if let Some(policy) = &settings.guard {
        builder = guarded(builder, policy);
    }
    builder.build().unwrap_or_else(|e| {
        // Only a broken TLS setup gets here; fall back to reqwest's defaults
        // minus redirects rather than abort the process.
        tracing::error!(error = %e, "probe client setup failed; using defaults");
        Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

/// `builder` connecting only to addresses `policy` permits once a name is
/// resolved (an IP-literal URL is checked by [`check_literal`]). The one
/// way every outbound client of stored or configured URLs obeys the guard.
pub fn guarded(
    builder: reqwest::ClientBuilder,
    policy: &Arc<TargetPolicy>,
) -> reqwest::ClientBuilder {
    // A proxy would resolve the name itself and bypass the guard.
    builder.no_proxy().dns_resolver(Arc::new(GuardedResolver {
        policy: policy.clone(),
    }))
}

/// Refuses an IP-literal host the policy does not permit.
pub fn check_literal(policy: Option<&TargetPolicy>, url: &Url) -> Result<(), ProbeError> {
    let Some(policy) = policy else {
        return Ok(());
    };
    let ip: Option<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(v4.into()),
        Some(url::Host::Ipv6(v6)) => Some(v6.into()),
        _ => None,
    };
    let Some(ip) = ip else { return Ok(()) };
    policy
        .check(&ip.to_string(), ip)
        .map_err(|why| ProbeError::Refused {
            host: url.host_str().unwrap_or_default().to_string(),
            ip,
            reason: why.to_string(),
        })
}

/// Resolves with the system resolver, then keeps only permitted addresses:
/// connecting only to what was checked leaves no DNS-rebinding window.
struct GuardedResolver {
    policy: Arc<TargetPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let mut permitted: Vec<SocketAddr> = Vec::new();
            for a in &found {
                match policy.check(&host, a.ip()) {
                    Ok(()) => permitted.push(*a),
                    Err(why) => refused = refused.or(Some((a.ip(), why))),
                }
            }
            if let (true, Some((ip, why))) = (permitted.is_empty(), refused) {
                return Err(Box::new(ProbeError::Refused {
                    host,
                    ip,
                    reason: why.to_string(),
                }) as _);
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

/// Maps a reqwest failure to our transport error, finding a guard refusal
/// anywhere in its cause chain.
pub fn transport_error(err: &reqwest::Error) -> ProbeError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(refused @ ProbeError::Refused { .. }) = e.downcast_ref::<ProbeError>() {
            return refused.clone();
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return ProbeError::ConnectionRefused;
        }
        source = e.source();
    }
    if err.is_timeout() {
        ProbeError::Timeout
    } else {
        ProbeError::Unreachable
    }
}

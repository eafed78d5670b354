//! Delivers one event to one webhook: a signed POST, retried with
//! exponential backoff until the receiver answers 2xx or the attempts run
//! out. Every attempt carries the same event id (header and body), so a
//! receiver that deduplicates by it sees each transition exactly once even
//! when an earlier attempt reached it but its answer did not reach us.
//! Redirects are never followed.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::metrics::{Delivery, Metrics, Sink};
use super::settings::Webhook;
use super::signature::{EVENT_ID_HEADER, SIGNATURE_HEADER, sign};
use crate::prober::TargetPolicy;

/// Waits between attempts; one attempt more than there are waits.
pub const BACKOFF: [Duration; 6] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(16),
    Duration::from_secs(32),
];
/// Longest wait for one attempt's answer.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client of webhook deliveries, under `guard` when the process
/// runs one: a webhook to a link-local, metadata or private address is
/// refused like a connection test to one, unless `allowed_targets` lists it.
pub fn client(guard: Option<&Arc<TargetPolicy>>) -> Guarded {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ATTEMPT_TIMEOUT)
        .user_agent(concat!("llmcfg/", env!("CARGO_PKG_VERSION"), " monitor"));
    if let Some(policy) = guard {
        builder = crate::prober::guarded(builder, policy);
    }
    Guarded {
        http: builder
            .build()
            .expect("a client with static settings builds"),
        guard: guard.cloned(),
    }
}

/// The webhook client and the guard its IP-literal URLs are checked by.
#[derive(Debug, Clone)]
pub struct Guarded {
    http: reqwest::Client,
    guard: Option<Arc<TargetPolicy>>,
}

/// POSTs `body` (event `event_id`) to `hook` until it lands or the attempts
/// run out; true when it landed.
pub async fn deliver(
    client: &Guarded,
    hook: &Webhook,
    event_id: &str,
    body: &[u8],
    metrics: &Metrics,
) -> bool {
    if let Err(why) = crate::prober::check_literal(client.guard.as_deref(), &hook.url) {
        metrics.delivery(Sink::Webhook, Delivery::GaveUp);
        tracing::warn!(host = hook.url.host_str(), event_id, %why, "webhook refused");
        return false;
    }
    let client = &client.http;
    let mut waits = BACKOFF.iter();
    loop {
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = sign(hook.secret.expose_secret().as_bytes(), timestamp, body);
        let sent = client
            .post(hook.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, event_id)
            .body(body.to_vec())
            .send()
            .await;
        let failure = match sent {
            Ok(r) if r.status().is_success() => {
                metrics.delivery(Sink::Webhook, Delivery::Delivered);
                return true;
            }
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            // Not the error's text: it repeats the URL, whose path may be a
            // secret (Slack-style webhook URLs are).
            Err(e) => match crate::prober::transport_error(&e) {
                // The guard's answer will not change on a retry.
                refused @ crate::prober::ProbeError::Refused { .. } => {
                    metrics.delivery(Sink::Webhook, Delivery::GaveUp);
                    tracing::warn!(host = hook.url.host_str(), event_id, why = %refused, "webhook refused");
                    return false;
                }
                _ if e.is_timeout() => "timed out".to_string(),
                _ if e.is_connect() => "connection failed".to_string(),
                _ => "request failed".to_string(),
            },
        };
        metrics.delivery(Sink::Webhook, Delivery::Failed);
        let Some(wait) = waits.next() else {
            metrics.delivery(Sink::Webhook, Delivery::GaveUp);
            tracing::warn!(
                host = hook.url.host_str(),
                event_id,
                failure,
                "webhook gave up"
            );
            return false;
        };
        tracing::info!(
            host = hook.url.host_str(),
            event_id,
            failure,
            "webhook attempt failed; retrying"
        );
        tokio::time::sleep(*wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receiver on loopback that counts the connections it accepts.
    async fn receiver() -> (url::Url, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while listener.accept().await.is_ok() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        (
            format!("http://127.0.0.1:{port}/hook").parse().unwrap(),
            accepted,
        )
    }

    fn hook(url: url::Url) -> Webhook {
        Webhook {
            url,
            secret: "whsec-0123456789abcdef".to_string().into(),
        }
    }

    #[tokio::test]
    async fn under_the_guard_no_webhook_reaches_a_private_address() {
        let (url, accepted) = receiver().await;
        let guard = Arc::new(TargetPolicy::default());
        let client = client(Some(&guard));
        let metrics = Metrics::new(None);
        // An IP literal, and a name that resolves to loopback.
        let mut by_name = url.clone();
        by_name.set_host(Some("localhost")).unwrap();
        for target in [url, by_name] {
            assert!(!deliver(&client, &hook(target), "e1", b"{}", &metrics).await);
        }
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 0);
    }
}

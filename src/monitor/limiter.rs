//! The per-provider and per-base-URL rate limit: one token bucket
//! (`governor`) per pair, so a fleet of tenants on one provider never
//! trips that provider's limits, while tenants on another provider or
//! another gateway are not held up by them.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::service::MonitorTarget;

/// Buckets keyed by provider and base URL.
pub struct Limiter {
    buckets: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    /// At most `per_minute` tests a minute to each provider and base URL,
    /// in bursts of at most a second's share.
    pub fn new(per_minute: u32) -> Limiter {
        let rate = NonZeroU32::new(per_minute.max(1)).expect("at least 1");
        let burst = NonZeroU32::new((per_minute / 60).max(1)).expect("at least 1");
        Limiter {
            buckets: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)),
        }
    }

    /// Waits until a test of `target` may start.
    pub async fn wait(&self, target: &MonitorTarget) {
        let key = format!(
            "{}\u{0}{}",
            target.provider,
            target.base_url.as_deref().unwrap_or("")
        );
        self.buckets.until_key_ready(&key).await;
    }
}

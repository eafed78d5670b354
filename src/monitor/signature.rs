//! The webhook signature: HMAC-SHA256 under the webhook's secret over
//! `"<unix seconds>.<body>"`, sent as
//! `X-Llmcfg-Signature: t=<unix seconds>,v1=<hex>`. Binding the timestamp
//! lets a receiver refuse replays older than it likes; the README shows a
//! five-line verifier.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "x-llmcfg-signature";
/// The header that carries the event id (also in the body).
pub const EVENT_ID_HEADER: &str = "x-llmcfg-event-id";

/// The `X-Llmcfg-Signature` value of `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// True when `header` is a valid signature of `body` under `secret`
/// (compared in constant time).
pub fn verify(secret: &[u8], header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let h = sign(b"0123456789abcdef", 1_700_000_000, b"{}");
        assert!(h.starts_with("t=1700000000,v1="));
        assert!(verify(b"0123456789abcdef", &h, b"{}"));
        assert!(!verify(b"0123456789abcdeX", &h, b"{}"));
        assert!(!verify(b"0123456789abcdef", &h, b"{ }"));
        let other_time = h.replace("t=1700000000", "t=1700000001");
        assert!(!verify(b"0123456789abcdef", &other_time, b"{}"));
    }
}

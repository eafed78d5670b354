//! The one error type for rejected input: it always names the field and the
//! rule, so every layer (CLI exit 2, HTTP 422, TUI inline message) can show it
//! as is.

use std::fmt;

/// Input that breaks a rule of design §2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The field as the user knows it (`provider`, `model`, `api_key`, `base_url`, `instance_id`).
    pub field: &'static str,
    /// The rule that was broken, phrased for a human.
    pub reason: String,
    /// What the input was judged against.
    pub against: Against,
}

/// What a rejected input was judged against: the request alone, or the
/// request together with the stored configuration it would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// The request breaks the rule whatever is stored (HTTP 422).
    Request,
    /// The request is valid alone but conflicts with what is stored, such
    /// as clearing the base URL of a stored provider that has no default
    /// (HTTP 409: a schema cannot state it).
    StoredConfig,
}

impl ValidationError {
    /// A rejection of `field` because of `reason`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
            against: Against::Request,
        }
    }

    /// This rejection, as a conflict with the stored configuration.
    pub fn against_stored(self) -> Self {
        Self {
            against: Against::StoredConfig,
            ..self
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// A key fingerprint as `llmcfg keys` shows it: `hmac:` (or the older
/// `sha256:`) and hex digits, trimmed. The value is never repeated in the
/// rejection: what arrives here instead of a fingerprint is often the key.
pub fn validate_fingerprint(raw: &str) -> Result<String, ValidationError> {
    let fp = raw.trim();
    let hex = fp
        .strip_prefix("hmac:")
        .or_else(|| fp.strip_prefix("sha256:"));
    match hex {
        Some(h) if !h.is_empty() && h.len() <= 128 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(fp.to_string())
        }
        _ => Err(ValidationError::new(
            "fingerprint",
            "must be a key fingerprint such as hmac:3f9a… as `llmcfg keys` shows it \
             (the value sent is not repeated: it may be a key)",
        )),
    }
}

/// Model names: 1–256 printable characters after trimming.
pub fn validate_model(raw: &str) -> Result<String, ValidationError> {
    let model = raw.trim();
    if model.is_empty() {
        return Err(ValidationError::new("model", "must not be empty"));
    }
    if model.chars().count() > 256 {
        return Err(ValidationError::new(
            "model",
            "must be at most 256 characters",
        ));
    }
    if model.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "model",
            "must not contain control characters",
        ));
    }
    // The model becomes one path segment of the probe URL; `.` and `..`
    // are dot segments every URL parser resolves away, so the key would
    // go to `/v1/` (or a level above) instead of `/v1/models/…`.
    if model == "." || model == ".." {
        return Err(ValidationError::new(
            "model",
            "must not be \".\" or \"..\" (they are not model names but path steps)",
        ));
    }
    Ok(model.to_string())
}

/// Base URLs: `https`, or `http` only to a loopback host; no userinfo, query
/// or fragment. Returned without a trailing slash so paths join predictably.
pub fn validate_base_url(raw: &str) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new("base_url", "must not be empty"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "base_url",
            "must not contain control characters",
        ));
    }
    let url = url::Url::parse(trimmed).map_err(|e| {
        ValidationError::new("base_url", format!("is not a valid absolute URL ({e})"))
    })?;
    let host = url
        .host()
        .ok_or_else(|| ValidationError::new("base_url", "must name a host"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(ValidationError::new(
                "base_url",
                "must use https (http is allowed only for a loopback host)",
            ));
        }
        other => {
            return Err(ValidationError::new(
                "base_url",
                format!("must use https, not {other}"),
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ValidationError::new(
            "base_url",
            "must not contain a user name or password",
        ));
    }
    if url.query().is_some() {
        return Err(ValidationError::new(
            "base_url",
            "must not contain a query string",
        ));
    }
    if url.fragment().is_some() {
        return Err(ValidationError::new(
            "base_url",
            "must not contain a fragment",
        ));
    }
    check_host_as_written(trimmed, &host)?;
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// A key goes where the base URL says, so the host must read as what it is:
/// an IPv4 address only as four decimal numbers (the parser also reads
/// `0xB9`, `2130706433` or `0177.1` as addresses, which hides where a key
/// goes), and a name only in plain ASCII (an internationalised name, written
/// or arriving as `xn--…`, can imitate another host).
fn check_host_as_written(written: &str, host: &url::Host<&str>) -> Result<(), ValidationError> {
    match host {
        url::Host::Ipv4(ip) if host_text(written) != Some(ip.to_string().as_str()) => {
            Err(ValidationError::new(
                "base_url",
                format!("must write an IPv4 address as four decimal numbers ({ip})"),
            ))
        }
        url::Host::Domain(name) if name.split('.').any(|label| label.starts_with("xn--")) => {
            Err(ValidationError::new(
                "base_url",
                "must name its host in plain ASCII letters, digits and '-' \
                 (an internationalised name, xn--…, can imitate another host)",
            ))
        }
        _ => Ok(()),
    }
}

/// The host of `url` as written: after `scheme://`, before the path, a
/// query or a fragment, without user info or port.
fn host_text(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    Some(host_port.split(':').next().unwrap_or(host_port))
}

/// The origin (`scheme://host:port`) of a validated base URL.
pub fn origin_of(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => base_url.to_string(),
    }
}

/// True for `localhost` and loopback IPs, the only hosts plain `http` may
/// reach (a key or token would otherwise travel in clear).
pub fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_checked_without_repeating_the_value() {
        assert_eq!(validate_fingerprint(" hmac:00ff ").unwrap(), "hmac:00ff");
        assert!(validate_fingerprint("sha256:abcdef").is_ok());
        for bad in ["sk-ant-api03-secret-key", "hmac:", "hmac:xyz", "00ff", ""] {
            let e = validate_fingerprint(bad).unwrap_err();
            assert_eq!(e.field, "fingerprint");
            if bad.len() > 6 {
                assert!(!e.to_string().contains(bad), "{e}");
            }
        }
    }

    #[test]
    fn model_rules_name_the_field() {
        assert_eq!(validate_model("  gpt-4o ").unwrap(), "gpt-4o");
        let e = validate_model("   ").unwrap_err();
        assert_eq!(e.to_string(), "model: must not be empty");
        let e = validate_model(&"m".repeat(257)).unwrap_err();
        assert_eq!(e.to_string(), "model: must be at most 256 characters");
        assert!(validate_model(&"m".repeat(256)).is_ok());
        for dots in [".", "..", " .. "] {
            let e = validate_model(dots).unwrap_err();
            assert_eq!(e.field, "model", "{dots:?}");
            assert!(e.to_string().contains("path steps"), "{e}");
        }
        assert!(validate_model("...").is_ok());
        assert!(validate_model("v1.5").is_ok());
        let e = validate_model("gpt\n4").unwrap_err();
        assert_eq!(e.to_string(), "model: must not contain control characters");
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            validate_base_url("https://gw.example.com/v1/").unwrap(),
            "https://gw.example.com/v1"
        );
        assert!(validate_base_url("http://127.0.0.1:8080").is_ok());
        assert!(validate_base_url("http://localhost:11434").is_ok());
        assert!(validate_base_url("http://[::1]:1").is_ok());
        assert!(validate_base_url("https://10.0.0.7:8443/v1").is_ok());
        assert!(validate_base_url("HTTPS://ab--c.example.com").is_ok());
        for (bad, rule) in [
            ("http://example.com", "must use https"),
            ("ftp://example.com", "must use https, not ftp"),
            ("https://u:p@example.com", "user name or password"),
            ("https://example.com/?key=1", "query string"),
            ("https://example.com/#x", "fragment"),
            ("example.com", "not a valid absolute URL"),
            ("", "must not be empty"),
            ("https://0xB9/v1", "four decimal numbers (0.0.0.185)"),
            ("https://2130706433", "four decimal numbers (127.0.0.1)"),
            ("http://0177.1", "four decimal numbers (127.0.0.1)"),
            ("https://1.0xff:8443", "four decimal numbers (1.0.0.255)"),
            ("https://xn--nxasmq6b.com", "plain ASCII"),
            ("https://api.xn--80ak6aa92e.com", "plain ASCII"),
            ("https://аpi.openai.com", "plain ASCII"),
        ] {
            let e = validate_base_url(bad).unwrap_err();
            assert_eq!(e.field, "base_url");
            assert!(e.reason.contains(rule), "{bad}: {}", e.reason);
        }
    }

    #[test]
    fn origin_drops_path() {
        assert_eq!(
            origin_of("https://gw.example.com:8443/v1"),
            "https://gw.example.com:8443"
        );
    }
}

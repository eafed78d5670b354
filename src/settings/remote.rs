//! `[remote]`: the `/llm-config` server of remote mode, how to
//! authenticate to it (token header, session cookie, fixed headers), how
//! long to wait out its rate limit, and where its instance ids come from.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::domain::ValidationError;
use crate::remote::pacing::DEFAULT_THROTTLE_WAIT;
use crate::remote::secret_ref::SecretRef;

/// `[remote]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSettings {
    /// Server URL.
    #[serde(default)]
    pub url: Option<String>,
    /// PEM file of CA certificates to trust besides the system ones.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Header that carries the token (default `Authorization`).
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Scheme before the token (default `Bearer` with `Authorization`, none
    /// with any other header; `""` for none).
    #[serde(default)]
    pub auth_scheme: Option<String>,
    /// `[remote.cookie]`: a session cookie sent with every request.
    #[serde(default)]
    pub cookie: Option<CookieSetting>,
    /// `[remote.headers]`: fixed headers sent with every request.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderSetting>,
    /// Longest total wait of one request for the server's `Retry-After`s,
    /// seconds (default 60).
    #[serde(default)]
    pub throttle_wait_secs: Option<f64>,
    /// Program and arguments (run without a shell) printing instance ids,
    /// one per line or as a JSON array.
    #[serde(default)]
    pub instances_command: Option<Vec<String>>,
    /// Longest run of `instances_command`, seconds (default 10).
    #[serde(default)]
    pub instances_command_timeout_secs: Option<f64>,
    /// File of instance ids, one per line or as a JSON array.
    #[serde(default)]
    pub instances_file: Option<PathBuf>,
}

/// `[remote.cookie]`: the cookie's name and where its value comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CookieSetting {
    /// Cookie name (`session`, `connect.sid`, `JSESSIONID`).
    pub name: String,
    /// Environment variable holding the value.
    #[serde(default)]
    pub env: Option<String>,
    /// Program and arguments printing the value.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// OS keyring account holding the value.
    #[serde(default)]
    pub keyring: Option<String>,
}

/// One `[remote.headers]` entry: where its value comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSetting {
    /// Environment variable holding the value.
    #[serde(default)]
    pub env: Option<String>,
    /// Program and arguments printing the value.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// OS keyring account holding the value.
    #[serde(default)]
    pub keyring: Option<String>,
    /// The value itself, for a header that is not secret.
    #[serde(default)]
    pub value: Option<String>,
}

/// Headers llmcfg sets itself, or that `[remote.cookie]` covers.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "content-type",
    "cookie",
    "x-instance-id",
];

/// Exactly one of the sources, or an error naming `field` and the rule.
fn one_source(
    field: &'static str,
    what: &str,
    env: &Option<String>,
    command: &Option<Vec<String>>,
    keyring: &Option<String>,
    value: Option<Option<&String>>,
) -> Result<SecretRef, ValidationError> {
    let mut refs = Vec::new();
    refs.extend(env.clone().map(SecretRef::Env));
    refs.extend(command.clone().map(SecretRef::Command));
    refs.extend(keyring.clone().map(SecretRef::Keyring));
    refs.extend(value.flatten().cloned().map(SecretRef::Plain));
    // `None`: a secret, for which a plain value is not offered.
    let sources = if value.is_some() {
        "env, command, keyring or value"
    } else {
        "env, command or keyring"
    };
    match refs.as_slice() {
        [SecretRef::Command(argv)] if argv.is_empty() => Err(ValidationError::new(
            field,
            format!("{what}: command is empty; give the program and its arguments"),
        )),
        [one] => Ok(one.clone()),
        _ => Err(ValidationError::new(
            field,
            format!("{what}: set exactly one of {sources}"),
        )),
    }
}

impl RemoteSettings {
    /// The longest total wait of one request for `Retry-After`s.
    pub fn throttle_wait(&self) -> Result<Duration, ValidationError> {
        super::seconds(
            "remote.throttle_wait_secs",
            self.throttle_wait_secs,
            DEFAULT_THROTTLE_WAIT,
        )
    }

    /// The session cookie's name and source.
    pub fn cookie(&self) -> Result<Option<(String, SecretRef)>, ValidationError> {
        let Some(c) = &self.cookie else {
            return Ok(None);
        };
        let name = c.name.trim();
        let bad_char = |ch: char| ch.is_control() || "()<>@,;:\\\"/[]?={} \t".contains(ch);
        if name.is_empty() || name.chars().any(bad_char) {
            return Err(ValidationError::new(
                "remote.cookie.name",
                format!("{name:?} is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)"),
            ));
        }
        let source = one_source(
            "remote.cookie",
            "the cookie's value",
            &c.env,
            &c.command,
            &c.keyring,
            None,
        )?;
        Ok(Some((name.to_string(), source)))
    }

    /// The fixed headers' names and sources.
    pub fn headers(&self) -> Result<Vec<(String, SecretRef)>, ValidationError> {
        self.headers
            .iter()
            .map(|(name, h)| {
                let lower = name.trim().to_ascii_lowercase();
                if reqwest::header::HeaderName::from_bytes(lower.as_bytes()).is_err() {
                    return Err(ValidationError::new(
                        "remote.headers",
                        format!("{name:?} is not a header name"),
                    ));
                }
                if RESERVED_HEADERS.contains(&lower.as_str()) {
                    return Err(ValidationError::new(
                        "remote.headers",
                        format!(
                            "{name} is set by llmcfg itself (a session cookie goes in [remote.cookie])"
                        ),
                    ));
                }
                let what = format!("header {name}");
                let source = one_source(
                    "remote.headers",
                    &what,
                    &h.env,
                    &h.command,
                    &h.keyring,
                    Some(h.value.as_ref()),
                )?;
                Ok((name.trim().to_string(), source))
            })
            .collect()
    }

    /// Checks every `[remote]` key that has a rule, when the file is read.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.throttle_wait()?;
        self.cookie()?;
        self.headers()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use super::*;

    #[test]
    fn throttle_wait_and_auth_sources_are_checked_at_load() {
        let s = Settings::parse(
            "[remote]\nthrottle_wait_secs = 5\n[remote.cookie]\nname = \"session\"\nenv = \"CP_SESSION\"\n\
             [remote.headers]\nX-Gateway-Key = { command = [\"pass\", \"gw\"] }\nX-Client = { value = \"llmcfg\" }\n",
        )
        .unwrap();
        assert_eq!(s.remote.throttle_wait().unwrap(), Duration::from_secs(5));
        assert_eq!(
            s.remote.cookie().unwrap(),
            Some(("session".into(), SecretRef::Env("CP_SESSION".into())))
        );
        assert_eq!(s.remote.headers().unwrap().len(), 2);
        assert_eq!(
            Settings::default().remote.throttle_wait().unwrap(),
            DEFAULT_THROTTLE_WAIT
        );
        for (doc, field, rule) in [
            (
                "[remote]\nthrottle_wait_secs = 0\n",
                "remote.throttle_wait_secs",
                "above 0",
            ),
            (
                "[remote.cookie]\nname = \"s\"\nenv = \"A\"\nkeyring = \"b\"\n",
                "remote.cookie",
                "exactly one of env, command or keyring",
            ),
            (
                "[remote.cookie]\nname = \"a b\"\nenv = \"A\"\n",
                "remote.cookie.name",
                "not a cookie name",
            ),
            (
                "[remote.headers]\nX-Instance-Id = { value = \"x\" }\n",
                "remote.headers",
                "set by llmcfg",
            ),
            (
                "[remote.headers]\nX-Key = {}\n",
                "remote.headers",
                "exactly one of env, command, keyring or value",
            ),
        ] {
            let e = Settings::parse(doc).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains(rule), "{doc}: {e}");
        }
    }
}

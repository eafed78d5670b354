//! The one serde form of a timestamp: written as RFC 3339 in UTC
//! (`2026-02-27T10:00:00Z`), read from any RFC 3339 a server may send (with
//! or without a fraction, `Z` or an offset) and normalised to UTC, so views
//! from every backend compare and print alike. A time without any offset
//! (Python's naive `isoformat()`) is read as UTC, the only sensible guess
//! for a server clock.
//!
//! Use with `#[serde(with = "crate::domain::timestamp")]`.

use serde::{Deserialize, Deserializer, Serializer};
use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::utc_text::{self, UtcText};

/// Writes `at` as RFC 3339 in UTC ([`UtcText`], on the stack).
pub fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    match UtcText::new(*at) {
        Some(text) => s.serialize_str(text.as_str()),
        None => Err(serde::ser::Error::custom(format!(
            "{at} has a year RFC 3339 cannot write"
        ))),
    }
}

/// Reads any RFC 3339 time (or an offset-less ISO 8601 one) as UTC.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(serde::de::Error::custom)
}

/// Parses `text` as [`deserialize`] does.
pub fn parse(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if let Ok(at) = utc_text::parse(text) {
        return Ok(at);
    }
    PrimitiveDateTime::parse(text, &Iso8601::DEFAULT)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|e| format!("{text:?} is not an RFC 3339 time ({e})"))
}

/// The same form for an optional time (`null` or absent is `None`); use
/// with `#[serde(default, with = "crate::domain::timestamp::optional")]`.
pub mod optional {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Writes `at` as RFC 3339 in UTC, or `null`.
    pub fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    /// Reads `null` or any time [`super::deserialize`] reads.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::parse(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_form_becomes_the_same_utc_instant() {
        let want = parse("2026-02-27T10:00:00Z").unwrap();
        for text in [
            "2026-02-27T10:00:00Z",
            "2026-02-27T10:00:00.000000+00:00",
            "2026-02-27T11:00:00+01:00",
            "2026-02-27T05:00:00.000-05:00",
            "2026-02-27T10:00:00",
        ] {
            let at = parse(text).unwrap();
            assert_eq!(at, want, "{text}");
            assert_eq!(at.offset(), time::UtcOffset::UTC, "{text}");
        }
        let micro = parse("2026-02-27T10:00:00.123456+00:00").unwrap();
        assert_eq!(micro.microsecond(), 123_456);
        assert!(parse("yesterday").is_err());
    }
}

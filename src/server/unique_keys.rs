//! Refusing a JSON body that names one key twice.
//!
//! `serde_json` keeps the last of two equal keys, so `{"model":"a",
//! "model":"b"}` would be read as `b` by us while a proxy, a WAF or an
//! audit hook in front of us that keeps the first saw `a`. A body whose
//! meaning depends on the parser is refused (400), naming the key.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// The first key named twice in one object of `json` (which must already be
/// well-formed JSON), with its path; `None` when every object's keys are
/// distinct.
pub fn first_duplicate(json: &[u8]) -> Option<String> {
    match serde_json::from_slice::<Unique>(json) {
        Ok(Unique) => None,
        Err(e) => Some(
            e.to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        ),
    }
}

/// Any JSON value whose objects have distinct keys.
struct Unique;

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                // The key is a field name the client chose, at most; the
                // value it carried is never repeated.
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    key.escape_debug()
                )));
            }
            map.next_value::<Unique>()?;
            seen.insert(key);
        }
        Ok(Unique)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_named_twice_is_found_at_any_depth() {
        assert_eq!(first_duplicate(br#"{"a":1,"b":[{"c":2}]}"#), None);
        assert_eq!(first_duplicate(br#"[1,"x",null,true,1.5]"#), None);
        assert_eq!(
            first_duplicate(br#"{"model":"a","model":"b"}"#).as_deref(),
            Some("duplicate key `model`")
        );
        assert_eq!(
            first_duplicate(br#"{"x":{"k":1,"k":2}}"#).as_deref(),
            Some("duplicate key `k`")
        );
    }

    #[test]
    fn escaped_spellings_of_one_key_are_the_same_key() {
        assert_eq!(
            first_duplicate(br#"{"api_key":"a","api\u005fkey":"b"}"#).as_deref(),
            Some("duplicate key `api_key`")
        );
    }
}

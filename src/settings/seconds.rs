//! The one rule of every timeout and interval written in `config.toml` as a
//! number of seconds (`[prober]`, `[monitor]`): above 0, finite and at most a
//! week. Zero or a negative value would disable the wait it names, and
//! `Duration::from_secs_f64` panics on a value too large or not finite, so
//! such a value is refused when the file is read rather than dropped.

use std::time::Duration;

use crate::domain::ValidationError;

/// The longest wait any `*_secs` setting may ask for.
const MAX_SECS: f64 = 86_400.0 * 7.0;

/// `v` as a duration, `default` when the key is absent; an error naming
/// `field` and the rule otherwise.
pub fn seconds(
    field: &'static str,
    v: Option<f64>,
    default: Duration,
) -> Result<Duration, ValidationError> {
    match v {
        None => Ok(default),
        Some(s) if s.is_finite() && s > 0.0 && s <= MAX_SECS => Ok(Duration::from_secs_f64(s)),
        Some(s) => Err(ValidationError::new(
            field,
            format!("must be a number of seconds above 0 and at most a week, not {s}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_finite_week_at_most_is_accepted() {
        let d = Duration::from_secs(7);
        assert_eq!(seconds("x.y_secs", None, d).unwrap(), d);
        assert_eq!(
            seconds("x.y_secs", Some(0.25), d).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            seconds("x.y_secs", Some(MAX_SECS), d).unwrap(),
            Duration::from_secs(604_800)
        );
        for bad in [
            0.0,
            -0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            MAX_SECS + 1.0,
            1e300,
        ] {
            let e = seconds("x.y_secs", Some(bad), d).unwrap_err();
            assert_eq!(e.field, "x.y_secs", "{bad}");
            assert!(
                e.to_string()
                    .contains("must be a number of seconds above 0 and at most a week"),
                "{bad}: {e}"
            );
        }
    }
}

//! The one text form every timestamp llmcfg writes has, RFC 3339 in UTC
//! (`2026-02-27T10:00:00Z`, with a fraction only when there is one, its
//! trailing zeros dropped), read and written without `time`'s general
//! RFC 3339 machinery.
//!
//! Every config view carries two timestamps, so `GET /llm-config/` parsed
//! three from the store (the token's too) and formatted two into its
//! JSON, each through `time`'s general RFC 3339 code and a `String`
//! (`docs/benchmarks.md`, "The GET hot path, fourth round"); the instance
//! list pays it per row. [`parse`] reads this form directly and any other
//! RFC 3339 through `time`; [`UtcText`] writes exactly what `time` writes
//! (checked against it in the tests below).

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The longest text: `9999-12-31T23:59:59.999999999Z`.
const MAX_LEN: usize = 30;

/// `at` in UTC as RFC 3339 text, on the stack.
pub struct UtcText {
    buf: [u8; MAX_LEN],
    len: usize,
}

impl UtcText {
    /// The text of `at`; `None` for a year RFC 3339 cannot write (before 0
    /// or after 9999).
    pub fn new(at: OffsetDateTime) -> Option<UtcText> {
        let at = at.to_offset(UtcOffset::UTC);
        let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
        let mut text = UtcText {
            buf: [0; MAX_LEN],
            len: 0,
        };
        text.digits(year, 4);
        text.push(b'-');
        text.digits(u8::from(at.month()).into(), 2);
        text.push(b'-');
        text.digits(at.day().into(), 2);
        text.push(b'T');
        text.digits(at.hour().into(), 2);
        text.push(b':');
        text.digits(at.minute().into(), 2);
        text.push(b':');
        text.digits(at.second().into(), 2);
        let mut nanos = at.nanosecond();
        if nanos != 0 {
            let mut width = 9;
            while nanos.is_multiple_of(10) {
                nanos /= 10;
                width -= 1;
            }
            text.push(b'.');
            text.digits(nanos, width);
        }
        text.push(b'Z');
        Some(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever pushed.
        std::str::from_utf8(&self.buf[..self.len]).expect("ASCII")
    }

    fn push(&mut self, byte: u8) {
        self.buf[self.len] = byte;
        self.len += 1;
    }

    /// `n` in exactly `width` digits, zero-padded.
    fn digits(&mut self, mut n: u32, width: usize) {
        for i in (0..width).rev() {
            self.buf[self.len + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.len += width;
    }
}

/// Any RFC 3339 `text`, in UTC: the form [`UtcText`] writes directly, any
/// other through `time`.
pub fn parse(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    match own_form(text) {
        Some(at) => Ok(at),
        None => OffsetDateTime::parse(text, &Rfc3339).map(|at| at.to_offset(UtcOffset::UTC)),
    }
}

/// `text` if it is in the form [`UtcText`] writes (any fraction of 1 to 9
/// digits); `None` otherwise, including for valid RFC 3339 in another form.
fn own_form(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(digits)? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    let month = Month::try_from(u8::try_from(number(&b[5..7])?).ok()?).ok()?;
    let date =
        Date::from_calendar_date(year, month, u8::try_from(number(&b[8..10])?).ok()?).ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(number(&b[11..13])?).ok()?,
        u8::try_from(number(&b[14..16])?).ok()?,
        u8::try_from(number(&b[17..19])?).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Times across the range, with every length of fraction.
    fn samples() -> Vec<OffsetDateTime> {
        let mut out = Vec::new();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..5_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Years 0000 to 9999.
            let secs = (seed % 315_537_897_600) as i64 - 62_167_219_200;
            let nanos = match i % 5 {
                0 => 0,
                1 => (seed >> 20) as u32 % 1_000_000_000,
                2 => (seed >> 20) as u32 % 1000 * 1_000_000,
                3 => (seed >> 20) as u32 % 1_000_000 * 1000,
                _ => 100_000_000,
            };
            let at = OffsetDateTime::from_unix_timestamp(secs).unwrap()
                + time::Duration::nanoseconds(nanos.into());
            out.push(at);
        }
        out.push(OffsetDateTime::from_unix_timestamp(0).unwrap());
        out
    }

    #[test]
    fn writes_what_time_writes_and_reads_it_back() {
        for at in samples() {
            let want = at.format(&Rfc3339).unwrap();
            let text = UtcText::new(at).unwrap();
            assert_eq!(text.as_str(), want);
            assert_eq!(own_form(&want), Some(at), "{want}");
        }
    }

    #[test]
    fn another_offset_is_written_as_the_same_instant_in_utc() {
        let at = OffsetDateTime::parse("2026-02-27T11:00:00.5+01:00", &Rfc3339).unwrap();
        assert_eq!(UtcText::new(at).unwrap().as_str(), "2026-02-27T10:00:00.5Z");
    }

    #[test]
    fn every_other_form_is_left_to_time() {
        let at = parse("2026-02-27T11:00:00.000000+01:00").unwrap();
        assert_eq!(at, own_form("2026-02-27T10:00:00Z").unwrap());
        assert_eq!(at.offset(), UtcOffset::UTC);
        for text in [
            "2026-02-27T10:00:00+00:00",
            "2026-02-27T10:00:00.000000+00:00",
            "2026-02-27 10:00:00Z",
            "2026-02-27T10:00:00.Z",
            "2026-02-27T10:00:00.1234567891Z",
            "2026-02-30T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-02-27T24:00:00Z",
            "2026-02-27T10:00:60Z",
            "2026-02-27T10:00:0xZ",
            "+026-02-27T10:00:00Z",
            "2026-02-27T10:00:00",
            "",
        ] {
            assert_eq!(own_form(text), None, "{text}");
        }
    }

    #[test]
    fn a_year_rfc_3339_cannot_write_has_no_text() {
        let at = Date::from_calendar_date(-1, Month::December, 31)
            .unwrap()
            .midnight()
            .assume_utc();
        assert!(UtcText::new(at).is_none());
    }
}

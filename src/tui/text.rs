//! Fitting text into cells: a middle ellipsis for ids (both ends of a
//! 128-character id stay visible, so two long ids that share a prefix are
//! still told apart) and an end ellipsis for prose. Widths are in chars;
//! ids and the texts cut here are ASCII or single-width.

/// `text` cut to `width` chars with `…` in the middle when too long.
pub fn ellipsize_middle(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_string();
    }
    if width <= 1 {
        return "…".repeat(width);
    }
    // The end carries the distinguishing suffix (`-prod`, `-eu-2`): give it
    // the larger half.
    let keep = width - 1;
    let head = keep / 2;
    let tail = keep - head;
    let mut out: String = text.chars().take(head).collect();
    out.push('…');
    out.extend(text.chars().skip(n - tail));
    out
}

/// `text` cut to `width` chars with a trailing `…` when too long.
pub fn ellipsize_end(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn middle_keeps_both_ends() {
        assert_eq!(ellipsize_middle("abcdef", 6), "abcdef");
        assert_eq!(ellipsize_middle("abcdefghij", 5), "ab…ij");
        let a = format!("{}-one", "x".repeat(124));
        let b = format!("{}-two", "x".repeat(124));
        assert_ne!(ellipsize_middle(&a, 20), ellipsize_middle(&b, 20));
        assert_eq!(ellipsize_middle(&a, 20).chars().count(), 20);
    }

    #[test]
    fn end_marks_the_cut() {
        assert_eq!(ellipsize_end("hello world", 6), "hello…");
        assert_eq!(ellipsize_end("hi", 6), "hi");
    }
}

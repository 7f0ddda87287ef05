//! Escaping and number formatting for the page's markup.

use std::fmt::Write as _;

/// Text made safe for HTML and SVG: element content and quoted attribute values alike
/// (`&`, `<`, `>`, `"` and `'` become character references).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An integer with thousands separators: `22,091`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 account`, `7 accounts`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// A value safe in an `id` attribute and a URL fragment: ASCII letters, digits, `-` and
/// `_` kept, everything else written as `.XX` (its UTF-8 bytes in hex), so different keys
/// give different ids.
pub fn id_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, ".{b:02x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(esc("Log Archive"), "Log Archive");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(22_091), "22,091");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(plural(1, "test", "tests"), "1 test");
        assert_eq!(plural(1200, "test", "tests"), "1,200 tests");
    }

    #[test]
    fn ids_keep_keys_apart() {
        assert_eq!(id_part("log_archive"), "log_archive");
        assert_eq!(id_part("a b"), "a.20b");
        assert_ne!(id_part("a.b"), id_part("a_b"));
        assert_eq!(id_part("é\"<"), ".c3.a9.22.3c");
    }
}

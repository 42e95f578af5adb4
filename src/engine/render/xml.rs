//! The little XML writing the JUnit and XCCDF exports need: escaping text and
//! attributes, and dropping characters XML 1.0 cannot carry at all.

/// Escapes text for an element body or a double-quoted attribute. Control
/// characters other than tab, newline and carriage return are not allowed in
/// XML 1.0 even as references, so they are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // attribute values normalise raw newlines and tabs to spaces; references keep them
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for an element body, where newlines and tabs may stay as they are.
pub fn text(s: &str) -> String {
    escape(s).replace("&#10;", "\n").replace("&#9;", "\t")
}

#[cfg(test)]
mod tests {
    use super::{escape, text};

    #[test]
    fn element_text_keeps_its_line_breaks() {
        assert_eq!(text("a\n<b>"), "a\n&lt;b&gt;");
    }

    #[test]
    fn markup_and_quotes_are_escaped_and_forbidden_controls_dropped() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;"
        );
    }
}

//! A bound on bracket nesting, checked before a GraphQL document is parsed.
//!
//! async-graphql's parser recurses once per `[` or `{` (list and object values,
//! list types, selection sets) and bounds only selection sets, after it has
//! already recursed through the whole text: a 4 KB argument nested 2,000 levels
//! deep overflowed the stack and aborted the process. This scanner walks the text
//! once, without recursion, and counts brackets the way the parser would see them:
//! not inside strings, block strings or comments.

/// Deepest nesting of `[` and `{` a document may have. A query the depth limit
/// allows (12 fields) with a filter value or two inside stays far below it.
pub const MAX_NESTING: usize = 32;

/// The document nests brackets deeper than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    pub limit: usize,
    /// Byte offset of the first bracket beyond the limit.
    pub offset: usize,
}

impl std::fmt::Display for TooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the document nests lists, objects or selections more than {} levels deep (at byte {}); \
             the limit is {}",
            self.limit, self.offset, self.limit
        )
    }
}

/// The deepest bracket nesting of `text`, or the first place it exceeds `limit`.
/// Linear in the length and stops at the first bracket too many.
pub fn nesting(text: &str, limit: usize) -> Result<usize, TooDeep> {
    let b = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'#' => i = line_end(b, i),
            b'"' => i = string_end(b, i),
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(TooDeep { limit, offset: i });
                }
                deepest = deepest.max(depth);
                i += 1;
            }
            // a closer that does not match ends the parse there, so counting it is safe
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(deepest)
}

fn is_line_end(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Where a comment starting at `i` ends: its line terminator.
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| is_line_end(c))
        .map_or(b.len(), |p| i + p)
}

/// Where the string starting with the quote at `i` ends (just after it).
fn string_end(b: &[u8], i: usize) -> usize {
    if b[i..].starts_with(b"\"\"\"") {
        if let Some(end) = block_string_end(b, i + 3) {
            return end;
        }
        // an unclosed block string is, to the parser, the empty string `""`
        // followed by whatever comes next: scan on from there as it would
        return i + 2;
    }
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'"' => return j + 1,
            // the parser fails at a line break inside a string; scanning on counts more, never less
            c if is_line_end(c) => return j,
            b'\\' if j + 1 < b.len() && !is_line_end(b[j + 1]) => j += 2,
            _ => j += 1,
        }
    }
    b.len()
}

/// Just after the `"""` that closes a block string whose text starts at `j`.
fn block_string_end(b: &[u8], mut j: usize) -> Option<usize> {
    while j < b.len() {
        if b[j..].starts_with(b"\\\"\"\"") {
            j += 4;
        } else if b[j..].starts_with(b"\"\"\"") {
            return Some(j + 3);
        } else {
            j += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        nesting(text, usize::MAX).unwrap()
    }

    #[test]
    fn selections_lists_and_objects_all_count() {
        assert_eq!(depth("{ a(x: [{ y: [1] }]) { b } }"), 4);
    }

    #[test]
    fn list_types_of_variables_count() {
        assert_eq!(depth("query($v: [[[Int]]]) { a }"), 3);
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        assert_eq!(depth(r#"{ a(x: "[[[{{{") }"#), 1);
    }

    #[test]
    fn an_escaped_quote_does_not_end_a_string() {
        assert_eq!(depth(r#"{ a(x: "\"[[[") }"#), 1);
        assert_eq!(depth(r#"{ a(x: "\\") b(y: [[1]]) }"#), 3);
    }

    #[test]
    fn brackets_inside_block_strings_do_not_count() {
        assert_eq!(depth("{ a(x: \"\"\"[[[\n{{{ \\\"\"\" [[[\"\"\") }"), 1);
    }

    #[test]
    fn brackets_inside_comments_do_not_count() {
        assert_eq!(depth("{ # [[[[ \"\n a }"), 1);
        assert_eq!(depth("{ # [[[[\r a(x: [1]) }"), 2);
    }

    #[test]
    fn a_string_ends_at_a_line_break_as_the_parser_sees_it() {
        assert_eq!(depth("{ a(x: \"[[\n [[1]]) }"), 3);
    }

    #[test]
    fn an_unclosed_block_string_is_an_empty_string_and_what_follows() {
        // the parser reads `""` then the string `"x"` then a real list
        assert_eq!(depth("{ a(x: \"\"\"x\" y: [[[1]]]) }"), 4);
    }

    #[test]
    fn stray_closers_do_not_go_below_zero() {
        assert_eq!(depth("]]]] }}} { a }"), 1);
    }

    #[test]
    fn the_first_bracket_past_the_limit_is_named() {
        let text = format!("{{ a(x: {}1{}) }}", "[".repeat(40), "]".repeat(40));
        assert_eq!(
            nesting(&text, 32),
            Err(TooDeep {
                limit: 32,
                offset: 7 + 31
            })
        );
    }

    #[test]
    fn a_document_at_the_limit_passes() {
        let text = format!("{{ a(x: {}1{}) }}", "[".repeat(31), "]".repeat(31));
        assert_eq!(nesting(&text, 32), Ok(32));
    }

    #[test]
    fn a_megabyte_of_brackets_is_refused_without_reading_it_all() {
        let text = "[".repeat(1 << 20);
        assert_eq!(nesting(&text, 32).unwrap_err().offset, 32);
    }
}

//! A JSON document written around its long lists: the whole document is serialized
//! once with a marker string where each list goes, and the renderer writes the text
//! between the markers while it streams the lists' items in their places.

/// A pretty-printed document with a marker string (`"MARKER-name"`) where each list goes.
pub(crate) struct Skeleton {
    pub(crate) text: Vec<u8>,
    pub(crate) marker: String,
}

impl Skeleton {
    fn quoted(&self, list: &str) -> String {
        format!("\"{}-{list}\"", self.marker)
    }

    /// The text before the list named `list` (after `from`), and that list's depth; `None`
    /// when the document has no such list.
    pub(crate) fn until(&self, from: usize, list: &str) -> Option<(std::ops::Range<usize>, usize)> {
        let quoted = self.quoted(list);
        let at = self.text[from..]
            .windows(quoted.len())
            .position(|w| w == quoted.as_bytes())?
            + from;
        let line = self.text[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let indent = self.text[line..].iter().take_while(|b| **b == b' ').count();
        Some((from..at, indent / 2))
    }

    /// Where the text after the list named `list` starts.
    pub(crate) fn after(&self, list: &str) -> usize {
        let quoted = self.quoted(list);
        self.text
            .windows(quoted.len())
            .position(|w| w == quoted.as_bytes())
            .map_or(self.text.len(), |at| at + quoted.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skeleton() -> Skeleton {
        let doc = serde_json::json!({ "a": { "items": "m-items" }, "b": "m-more" });
        let mut text = serde_json::to_vec_pretty(&doc).unwrap();
        text.push(b'\n');
        Skeleton {
            text,
            marker: "m".into(),
        }
    }

    #[test]
    fn the_text_before_a_list_ends_at_its_marker_and_gives_the_lists_depth() {
        let s = skeleton();
        let (before, depth) = s.until(0, "items").unwrap();
        assert!(String::from_utf8_lossy(&s.text[before]).ends_with("\"items\": "));
        assert_eq!(depth, 2);
        let from = s.after("items");
        let (between, depth) = s.until(from, "more").unwrap();
        assert_eq!(
            String::from_utf8_lossy(&s.text[between]),
            "\n  },\n  \"b\": "
        );
        assert_eq!(depth, 1);
    }

    #[test]
    fn a_list_the_document_does_not_have_is_none() {
        assert!(skeleton().until(0, "other").is_none());
    }
}

//! The bracket scanner that guards the GraphQL parser: on generated documents,
//! deep and wide, with strings, block strings and comments full of brackets, it
//! measures exactly the nesting the parser would recurse through; and whatever
//! it lets through, the parser handles on a small stack.

use crate::api::graphql::nesting::{nesting, MAX_NESTING};
use proptest::prelude::*;

/// A value, rendered, with its bracket depth.
#[derive(Debug, Clone)]
struct Doc {
    text: String,
    depth: usize,
}

/// Text that looks like brackets but is not: inside a string, a block string or a comment.
fn arb_hidden() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec!["[", "{", "]", "}", "#", " ", "a", "(", ")"]);
    let escaped = prop::sample::select(vec!["\\\"", "\\\\", "\\n", "\\u0041"]);
    let string = prop::collection::vec(prop_oneof![piece.clone(), escaped], 0..12)
        .prop_map(|p| format!("\"{}\"", p.concat()));
    // no piece ends in a lone quote or backslash, so none closes the block string early
    let block_piece = prop::sample::select(vec![
        "[", "{", "]", "}", "#", "\n", "\"a", "\\\"\"\"", "\"\"a",
    ]);
    let block = prop::collection::vec(block_piece, 0..12)
        .prop_map(|p| format!("\"\"\"{}\"\"\"", p.concat()));
    let comment =
        prop::collection::vec(piece.clone(), 0..12).prop_map(|p| format!("# {}\"\n", p.concat()));
    prop_oneof![string, block, comment]
}

fn arb_leaf() -> impl Strategy<Value = Doc> {
    prop_oneof![
        Just("1".to_string()),
        Just("null".to_string()),
        Just("$v".to_string()),
        "[A-Z]{1,4}",
        arb_hidden(),
    ]
    .prop_map(|text| Doc { text, depth: 0 })
}

/// Lists and objects of any width, nested a few levels.
fn arb_value() -> impl Strategy<Value = Doc> {
    arb_leaf().prop_recursive(6, 64, 5, |inner| {
        let items = prop::collection::vec(inner, 0..5);
        (items, any::<bool>()).prop_map(|(items, list)| {
            let depth = 1 + items.iter().map(|d| d.depth).max().unwrap_or(0);
            let text = if list {
                format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|d| d.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            } else {
                let fields: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, d)| format!("k{i}: {}", d.text))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            };
            // a comment ends at a line break: keep what follows off its line
            Doc {
                text: format!("{text}\n"),
                depth,
            }
        })
    })
}

/// A query whose argument is `value` wrapped in `spine` more lists or objects.
fn arb_document() -> impl Strategy<Value = Doc> {
    (arb_value(), 0usize..200, any::<bool>(), arb_hidden()).prop_map(|(v, spine, lists, hidden)| {
        let (open, close) = if lists { ("[", "]") } else { ("{a: ", "}") };
        let value = format!("{}{}{}", open.repeat(spine), v.text, close.repeat(spine));
        let text = format!("query($v: [Int]) {{ f(a: {value}, b: {hidden}\n) {{ g }} }}");
        // the selection set is one level; the argument sits inside it; `{ g }` is two
        Doc {
            text,
            depth: (1 + spine + v.depth).max(2),
        }
    })
}

/// Parses on a thread with a small stack: a stack overflow would abort the test run.
fn parses_on_a_small_stack(text: String) {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let _ = async_graphql::parser::parse_query(&text);
        })
        .unwrap()
        .join()
        .unwrap();
}

proptest! {
    #[test]
    fn the_scanner_measures_the_nesting_the_document_has(doc in arb_document()) {
        prop_assert_eq!(nesting(&doc.text, usize::MAX), Ok(doc.depth), "{}", doc.text);
    }

    #[test]
    fn the_scanner_refuses_exactly_the_documents_past_the_limit(doc in arb_document()) {
        prop_assert_eq!(nesting(&doc.text, MAX_NESTING).is_err(), doc.depth > MAX_NESTING);
    }

    #[test]
    fn what_the_scanner_lets_through_parses_on_a_small_stack(doc in arb_document()) {
        if nesting(&doc.text, MAX_NESTING).is_ok() {
            parses_on_a_small_stack(doc.text);
        }
    }

    #[test]
    fn any_text_of_brackets_and_quotes_is_scanned_and_if_let_through_parsed(
        pieces in prop::collection::vec(
            prop::sample::select(vec!["[", "{", "]", "}", "\"", "\"\"\"", "\\", "#", "\n", "a", ":", "(", ")", "1", " "]),
            0..400,
        )
    ) {
        let text = pieces.concat();
        if nesting(&text, MAX_NESTING).is_ok() {
            parses_on_a_small_stack(text);
        }
    }
}

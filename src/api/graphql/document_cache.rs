//! Parsed GraphQL documents kept by their text. Parsing was half the work of a
//! small query (`report(id) { summary }`: about 200,000 of 420,000 instructions,
//! most of it the pest grammar), and clients send the same few documents again and
//! again. A document is kept only once it parsed and passed the shape limits, so a
//! hit skips both. Validation (a quarter of what was left) depends on the
//! variables and the operation too, so its result is kept under all three. Both
//! are bounded by the texts' size, so a client sending ever new documents only
//! evicts older ones.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ValidationResult};
use moka::sync::Cache;
use std::sync::Arc;

/// What the cache may hold, counted as [`weight`] per document.
const CAPACITY_BYTES: u64 = 32 << 20;

/// A document's weight: its text, an allowance for its syntax tree (about ten
/// times the text for small queries) and a fixed part for the entry.
fn weight(query: &str) -> u32 {
    let n = query.len().saturating_mul(12).saturating_add(1024);
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Documents that parsed and passed the limits, by their exact text, and the
/// validations that passed, by [`ValidationKey`].
#[derive(Clone)]
pub struct DocumentCache(
    Cache<String, Arc<ExecutableDocument>>,
    Cache<String, ValidationResult>,
);

/// What a validation's result depends on besides the schema: the operation, the
/// variables and the document's text; put in the request's data for the
/// validation step.
#[derive(Debug, Clone)]
pub struct ValidationKey(String);

impl ValidationKey {
    /// The key of this request.
    pub fn of(request: &Request) -> Self {
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        let operation = request.operation_name.as_deref().unwrap_or("");
        ValidationKey(format!("{operation}\u{0}{variables}\u{0}{}", request.query))
    }
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DocumentCache({} documents, {} validations)",
            self.0.entry_count(),
            self.1.entry_count()
        )
    }
}

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache(
            Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|q: &String, _| weight(q))
                .build(),
            Cache::builder()
                .max_capacity(CAPACITY_BYTES / 2)
                .weigher(|k: &String, _| u32::try_from(k.len() + 64).unwrap_or(u32::MAX))
                .build(),
        )
    }
}

impl DocumentCache {
    /// A copy of the document parsed from exactly this text, if kept.
    pub fn get(&self, query: &str) -> Option<ExecutableDocument> {
        self.0.get(query).map(|d| ExecutableDocument::clone(&d))
    }

    /// Keeps a document that parsed from `query` and passed the limits.
    pub fn keep(&self, query: &str, doc: &ExecutableDocument) {
        self.0.insert(query.to_string(), Arc::new(doc.clone()));
    }

    /// The result of a validation that passed for this key before.
    pub fn validated(&self, key: &ValidationKey) -> Option<ValidationResult> {
        self.1.get(&key.0)
    }

    /// Keeps a validation that passed.
    pub fn keep_validated(&self, key: &ValidationKey, result: ValidationResult) {
        self.1.insert(key.0.clone(), result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).unwrap()
    }

    #[test]
    fn a_kept_document_comes_back_for_the_same_text_only() {
        let cache = DocumentCache::default();
        let q = "{ report(id: \"x\") { summary { total } } }";
        cache.keep(q, &parsed(q));
        let back = cache.get(q).expect("kept");
        assert_eq!(format!("{back:?}"), format!("{:?}", parsed(q)));
        assert!(cache.get("{ __typename }").is_none());
        assert!(cache.get(&format!("{q} ")).is_none());
    }

    #[test]
    fn a_validation_is_kept_for_its_variables_and_operation_only() {
        let cache = DocumentCache::default();
        let q = "query Q($n: Int) { reports(first: $n) { totalCount } }";
        let with = |n: i32, op: Option<&str>| {
            let mut r = Request::new(q).variables(async_graphql::Variables::from_json(
                serde_json::json!({ "n": n }),
            ));
            r.operation_name = op.map(String::from);
            ValidationKey::of(&r)
        };
        let result = ValidationResult {
            cache_control: Default::default(),
            complexity: 7,
            depth: 2,
        };
        cache.keep_validated(&with(5, None), result);
        assert_eq!(
            cache.validated(&with(5, None)).map(|r| r.complexity),
            Some(7)
        );
        assert!(cache.validated(&with(6, None)).is_none());
        assert!(cache.validated(&with(5, Some("Q"))).is_none());
    }

    #[test]
    fn ever_new_variables_stay_within_the_validation_capacity() {
        let cache = DocumentCache::default();
        let result = ValidationResult {
            cache_control: Default::default(),
            complexity: 1,
            depth: 1,
        };
        // 2,000 requests of one 64 KB document, each with other variables
        let q = format!("query Q($n: Int) {{ __typename }} {}", "#".repeat(64 << 10));
        for n in 0..2000 {
            let r = Request::new(q.as_str()).variables(async_graphql::Variables::from_json(
                serde_json::json!({ "n": n }),
            ));
            cache.keep_validated(&ValidationKey::of(&r), result);
        }
        cache.1.run_pending_tasks();
        assert!(cache.1.weighted_size() <= CAPACITY_BYTES / 2);
        assert!(cache.1.entry_count() < 2000);
    }

    #[test]
    fn ever_new_documents_stay_within_the_capacity() {
        let cache = DocumentCache::default();
        // the weight is the text's: one small tree under 400 texts of 120 KB each
        let doc = parsed("{ __typename }");
        let big = format!("{{ __typename {} }}", "# pad\n".repeat(20_000));
        for i in 0..400 {
            cache.keep(&format!("{big} # {i}"), &doc);
        }
        cache.0.run_pending_tasks();
        assert!(cache.0.weighted_size() <= CAPACITY_BYTES);
        assert!(cache.0.entry_count() < 400);
    }
}

//! Parsed GraphQL documents kept by their text. Parsing was half the work of a
//! small query (`report(id) { summary }`: about 200,000 of 420,000 instructions,
//! most of it the pest grammar), and clients send the same few documents again and
//! again with other variables. A document is kept only once it parsed and passed
//! the shape limits, so a hit skips both; the cache is bounded by the texts' size,
//! so a client sending ever new documents only evicts older ones.

use async_graphql::parser::types::ExecutableDocument;
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

/// Documents that parsed and passed the limits, by their exact text.
#[derive(Clone)]
pub struct DocumentCache(Cache<String, Arc<ExecutableDocument>>);

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DocumentCache({} documents)", self.0.entry_count())
    }
}

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache(
            Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|q: &String, _| weight(q))
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

//! Node-ordered formats (kube-bench JSON, JUnit, XCCDF: one block per node, nodes in
//! name order) from checks that arrive in benchmark order, in bounded memory: each
//! pass over the checks keeps only the next batch of nodes in name order, and the
//! batch is sized so its rendered text stays near a budget. A report of N nodes takes
//! about (rendered size / budget) passes instead of holding the whole report.

use std::collections::BTreeMap;

/// Rendered bytes a batch aims at (per export in flight).
pub const BUDGET: usize = 16 << 20;

/// Nodes in the first batch, before a pass has measured how large a node's text is.
const FIRST_BATCH: usize = 128;

/// Bounds of a batch once sized from a measured pass.
const MIN_BATCH: usize = 8;
const MAX_BATCH: usize = 100_000;

/// The nodes of the current pass and each one's collected data.
pub struct Batches<T> {
    /// Every node up to this name (inclusive) was written by an earlier pass.
    written_through: Option<String>,
    batch: BTreeMap<String, T>,
    size: usize,
}

impl<T: Default> Default for Batches<T> {
    fn default() -> Self {
        Self::with_size(FIRST_BATCH)
    }
}

impl<T: Default> Batches<T> {
    /// Batches of `size` nodes until a pass measures them.
    pub fn with_size(size: usize) -> Self {
        Batches {
            written_through: None,
            batch: BTreeMap::new(),
            size: size.max(1),
        }
    }

    /// The node's data in this pass, or `None` when the node belongs to another pass.
    /// The batch holds the first `size` names (in name order) after those written: a
    /// smaller name arriving later pushes the largest out, whose data is then dropped
    /// (that node is collected whole by a later pass; it never re-enters this one).
    pub fn slot(&mut self, node: &str) -> Option<&mut T> {
        if matches!(&self.written_through, Some(w) if node <= w.as_str()) {
            return None;
        }
        if !self.batch.contains_key(node) {
            if self.batch.len() >= self.size {
                let largest = self.batch.keys().next_back()?.clone();
                if node > largest.as_str() {
                    return None;
                }
                self.batch.remove(&largest);
            }
            self.batch.insert(node.to_string(), T::default());
        }
        self.batch.get_mut(node)
    }

    /// Ends a pass: its nodes in name order with their data, and whether more nodes may
    /// follow (the batch was full).
    pub fn take(&mut self) -> (BTreeMap<String, T>, bool) {
        let batch = std::mem::take(&mut self.batch);
        let more = batch.len() >= self.size;
        if let Some(last) = batch.keys().next_back() {
            self.written_through = Some(last.clone());
        }
        (batch, more)
    }

    /// Sizes the next batch from the text the last one rendered.
    pub fn measured(&mut self, nodes: usize, rendered: usize) {
        if nodes > 0 && rendered > 0 {
            let per_node = rendered.div_ceil(nodes);
            self.size = (BUDGET / per_node).clamp(MIN_BATCH, MAX_BATCH);
        }
    }
}

/// A writer that counts what passes through it, to measure a batch's text.
pub struct Counted<'a> {
    inner: &'a mut dyn std::io::Write,
    /// Bytes written so far.
    pub bytes: usize,
}

impl<'a> Counted<'a> {
    /// Counts what is written to `inner`.
    pub fn new(inner: &'a mut dyn std::io::Write) -> Self {
        Counted { inner, bytes: 0 }
    }
}

impl std::io::Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs passes over (node, value) items in arrival order; each pass's batch in order.
    fn passes(items: &[(&str, u32)], size: usize) -> Vec<Vec<(String, Vec<u32>)>> {
        let mut b: Batches<Vec<u32>> = Batches::with_size(size);
        let mut out = Vec::new();
        loop {
            for (node, v) in items {
                if let Some(slot) = b.slot(node) {
                    slot.push(*v);
                }
            }
            let (batch, more) = b.take();
            out.push(batch.into_iter().collect());
            if !more {
                return out;
            }
        }
    }

    #[test]
    fn every_node_comes_once_whole_and_in_name_order_across_passes() {
        let items = [
            ("n3", 1),
            ("n1", 1),
            ("n4", 1),
            ("n2", 1),
            ("n3", 2),
            ("n1", 2),
            ("n4", 2),
            ("n2", 2),
            ("n0", 1),
        ];
        let all: Vec<_> = passes(&items, 2).into_iter().flatten().collect();
        let v = |n: &str, x: &[u32]| (n.to_string(), x.to_vec());
        assert_eq!(
            all,
            [
                v("n0", &[1]),
                v("n1", &[1, 2]),
                v("n2", &[1, 2]),
                v("n3", &[1, 2]),
                v("n4", &[1, 2])
            ]
        );
    }

    #[test]
    fn a_batch_never_holds_more_than_its_size() {
        let items: Vec<(String, u32)> = (0..50).rev().map(|i| (format!("n{i:02}"), 0)).collect();
        let items: Vec<(&str, u32)> = items.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let p = passes(&items, 7);
        assert!(p.iter().all(|b| b.len() <= 7));
        assert_eq!(p.iter().map(Vec::len).sum::<usize>(), 50);
    }

    #[test]
    fn the_next_batch_is_sized_from_the_measured_text() {
        let mut b: Batches<()> = Batches::with_size(4);
        // a node rendered 1 MiB: the budget holds BUDGET / 1 MiB of them
        b.measured(4, 4 * 1024 * 1024);
        assert_eq!(b.size, BUDGET / (1024 * 1024));
        b.measured(10, 10 * 1024);
        assert_eq!(b.size, BUDGET / 1024);
    }
}

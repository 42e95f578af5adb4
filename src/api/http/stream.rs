//! A download's body: rendered on a blocking thread, pass by pass over the report's
//! checks (from the cache when it holds them, else one stored row at a time), into
//! 64 KiB chunks handed to the response through a small channel. Memory stays bounded
//! by a few chunks and the renderer's own batch, whatever the report's size; no async
//! worker renders, and a client that stops reading stops the renderer.

use crate::engine::render::{Next, Renderer};
use crate::engine::report::{CheckResult, ReportHead};
use crate::service::report_cache::ReportChecks;
use crate::service::Service;
use actix_web::web;
use futures_util::{Stream, StreamExt};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc::Sender;
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

/// Bytes per chunk handed to the response.
pub const CHUNK: usize = 64 << 10;

/// Chunks buffered between the renderer and the client.
const BUFFER: usize = 4;

type Chunk = Result<web::Bytes, String>;

/// A writer that hands full chunks to the body, waiting while the client is slow.
struct ChannelWriter {
    tx: Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(web::Bytes::from(chunk)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Where a download's checks come from; every pass reads them all again, in benchmark order.
pub trait Checks: Send + 'static {
    /// Feeds every check to `f`; how many there were.
    fn each(
        &mut self,
        f: &mut dyn FnMut(&CheckResult) -> std::io::Result<()>,
    ) -> crate::Result<usize>;
}

/// A stored report's checks: the cached ones when the cache holds the report (the
/// same for every pass), else one stored row at a time from a database stream.
pub struct Stored {
    app: Arc<Service>,
    id: Uuid,
    cached: Option<ReportChecks>,
}

impl Stored {
    /// The checks of report `id`.
    pub fn new(app: Arc<Service>, id: Uuid) -> Self {
        let cached = app.reports.cached_checks(id);
        Stored { app, id, cached }
    }
}

fn io(e: std::io::Error) -> crate::Error {
    crate::Error::Internal(e.to_string())
}

impl Checks for Stored {
    fn each(
        &mut self,
        f: &mut dyn FnMut(&CheckResult) -> std::io::Result<()>,
    ) -> crate::Result<usize> {
        if let Some(checks) = &self.cached {
            for c in checks.iter() {
                f(c).map_err(io)?;
            }
            return Ok(checks.len());
        }
        // on a blocking thread of the runtime: it may wait on the database stream itself
        let rt = tokio::runtime::Handle::current();
        let stream = rt.block_on(self.app.store().stream_check_results(self.id))?;
        futures_util::pin_mut!(stream);
        let mut n = 0;
        while let Some(item) = rt.block_on(stream.next()) {
            f(&item.and_then(|c| c.into_result())?).map_err(io)?;
            n += 1;
        }
        Ok(n)
    }
}

/// Renders the whole document, as many passes as the renderer asks for; a pass that
/// sees another number of checks than the first means the report changed under it.
fn render(
    checks: &mut dyn Checks,
    head: &ReportHead,
    r: &mut dyn Renderer,
    out: &mut ChannelWriter,
) -> crate::Result<()> {
    r.begin(head, out).map_err(io)?;
    let mut first = None;
    loop {
        let n = checks.each(&mut |c| r.check(c, out))?;
        if *first.get_or_insert(n) != n {
            return Err(crate::Error::Internal(
                "the report changed while it was being exported".into(),
            ));
        }
        if r.end_pass(out).map_err(io)? == Next::Done {
            return out.flush().map_err(io);
        }
    }
}

/// The body of a download: the renderer's document, streamed. The client's place is
/// held until the body is dropped (sent, or the client gone).
pub fn body(
    mut checks: impl Checks,
    head: ReportHead,
    mut renderer: Box<dyn Renderer>,
    place: OwnedSemaphorePermit,
) -> impl Stream<Item = Result<web::Bytes, actix_web::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(BUFFER);
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        if let Err(e) = render(&mut checks, &head, renderer.as_mut(), &mut out) {
            // the body ends in an error, not a document that looks whole
            let _ = tx.blocking_send(Err(e.to_string()));
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx).map(move |chunk| {
        let _held = &place;
        chunk.map_err(|e| {
            tracing::error!("report export failed: {e}");
            actix_web::error::ErrorInternalServerError("internal error")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::render::{self, ExportContext, Format};
    use crate::engine::report::{NodeResult, State, Summary};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const CHECKS: usize = 2_000;

    /// Checks held in memory that count how many the renderer has been fed.
    struct Counting {
        checks: Arc<Vec<CheckResult>>,
        fed: Arc<AtomicUsize>,
    }

    impl Checks for Counting {
        fn each(
            &mut self,
            f: &mut dyn FnMut(&CheckResult) -> std::io::Result<()>,
        ) -> crate::Result<usize> {
            for c in self.checks.iter() {
                f(c).map_err(io)?;
                self.fed.fetch_add(1, Ordering::SeqCst);
            }
            Ok(self.checks.len())
        }
    }

    /// 2,000 checks of 20 nodes with some evidence each: megabytes in every format.
    fn checks() -> Arc<Vec<CheckResult>> {
        Arc::new(
            (0..CHECKS)
                .map(|i| CheckResult {
                    nodes: (0..20)
                        .map(|n| NodeResult {
                            node: format!("node-{n}"),
                            state: State::Fail,
                            actual: "x".repeat(200),
                            expected: "y".into(),
                            source: "process".into(),
                            reason: None,
                            audit: String::new(),
                        })
                        .collect(),
                    ..CheckResult::sample(&format!("1.{i}"), State::Fail)
                })
                .collect(),
        )
    }

    fn head() -> ReportHead {
        ReportHead {
            benchmark: "cis-1.11".into(),
            benchmark_title: "CIS".into(),
            benchmark_reason: None,
            kubernetes_version: None,
            nodes: (0..20).map(|n| format!("node-{n}")).collect(),
            excluded: Vec::new(),
            provider: None,
            mode: None,
            scored_only: false,
            summary: Summary::default(),
        }
    }

    fn place() -> OwnedSemaphorePermit {
        Arc::new(tokio::sync::Semaphore::new(1))
            .try_acquire_owned()
            .unwrap()
    }

    #[tokio::test]
    async fn a_download_renders_only_as_far_as_the_client_has_read() {
        let ctx = ExportContext {
            report_id: None,
            scan_id: Uuid::nil(),
            cluster: None,
            cluster_name: None,
            started_at: chrono::Utc::now(),
            finished_at: chrono::Utc::now(),
        };
        for format in [Format::Json, Format::Csv, Format::Oscal, Format::Sarif] {
            let fed = Arc::new(AtomicUsize::new(0));
            let source = Counting {
                checks: checks(),
                fed: fed.clone(),
            };
            let renderer = render::renderer(format, &ctx).unwrap();
            let stream = body(source, head(), renderer, place());
            futures_util::pin_mut!(stream);
            let first = stream.next().await.unwrap().unwrap();
            assert!(first.len() >= CHUNK, "{format:?}: {}", first.len());
            // the renderer runs ahead at most until the channel is full, then waits: a
            // whole-document renderer would have read every check before the first byte.
            // How far ahead depends on when the blocking thread is scheduled: the chunks
            // queued, the one taken and the one being written (about 6 × 64 KiB, up to 210
            // SARIF checks was seen), so the bound is a quarter, far from all of them.
            let fed = fed.load(Ordering::SeqCst);
            assert!(
                fed < CHECKS / 4,
                "{format:?}: {fed} of {CHECKS} checks rendered"
            );
        }
    }

    #[tokio::test]
    async fn the_place_is_held_until_the_body_is_dropped() {
        let sem = Arc::new(tokio::sync::Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().unwrap();
        let source = Counting {
            checks: checks(),
            fed: Arc::new(AtomicUsize::new(0)),
        };
        let stream = Box::pin(body(source, head(), Box::new(render::csv::Csv), held));
        assert_eq!(sem.available_permits(), 0);
        drop(stream);
        assert_eq!(sem.available_permits(), 1);
    }
}

//! How a request that may be kept whole tells the HTTP layer what it read and cost.
//!
//! The HTTP layer puts a [`Receipt`] in the request's data; the [`Receipts`] extension,
//! which runs after the query limits have parsed the document, notes the reports the
//! request reads when it reads nothing but saved reports (`stored_answers`), and after
//! execution what the request cost (the query limits' meter), so that a kept answer
//! is refused by the same complexity limit as the request that built it.

use super::cost::CostMeter;
use super::stored_answers::stored_reports;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest,
};
use async_graphql::{Request, Response, ServerResult};
use std::any::TypeId;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// What the running request learned for the HTTP layer; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Receipt(Arc<ReceiptInner>);

#[derive(Debug, Default)]
struct ReceiptInner {
    reports: OnceLock<Vec<Uuid>>,
    cost: AtomicUsize,
}

impl Receipt {
    /// The reports the request read, when it read nothing else.
    pub fn reports(&self) -> Option<&[Uuid]> {
        self.0.reports.get().map(Vec::as_slice)
    }

    /// What the request cost, static price and real list lengths together.
    pub fn cost(&self) -> usize {
        self.0.cost.load(Ordering::Relaxed)
    }
}

/// Fills the [`Receipt`] of a request that carries one; registered after the query
/// limits, whose parse (and meter) it reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Receipts;

impl ExtensionFactory for Receipts {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Receipts)
    }
}

fn receipt_of(request: &Request) -> Option<Receipt> {
    request
        .data
        .get(&TypeId::of::<Receipt>())
        .and_then(|d| d.downcast_ref::<Receipt>())
        .cloned()
}

#[async_trait::async_trait]
impl Extension for Receipts {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(receipt) = receipt_of(&request) {
            let operation = request.operation_name.clone();
            let variables = request.variables.clone();
            // parsed already by the query limits; a text that does not parse reads nothing
            if let Ok(doc) = request.parsed_query() {
                if let Some(reports) = stored_reports(doc, operation.as_deref(), &variables) {
                    let _ = receipt.0.reports.set(reports);
                }
            }
        }
        next.run(ctx, request).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if let (Some(receipt), Some(meter)) =
            (ctx.data_opt::<Receipt>(), ctx.data_opt::<CostMeter>())
        {
            receipt.0.cost.store(meter.spent(), Ordering::Relaxed);
        }
        response
    }
}

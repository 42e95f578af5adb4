//! The node names of reports, which their stored checks refer to by index
//! (see `node_codec`).

use super::entity::report;
use super::Store;
use crate::error::Result;
use sea_orm::*;
use std::collections::HashMap;
use uuid::Uuid;

/// The node names of some reports.
#[derive(Debug, Default)]
pub struct ReportNames(HashMap<Uuid, Vec<String>>);

impl ReportNames {
    /// A report's node names; `None` for a report not asked for or gone.
    pub fn of(&self, report: Uuid) -> Option<&[String]> {
        self.0.get(&report).map(Vec::as_slice)
    }
}

impl Store {
    /// The node names of these reports, in one query per 500. A report whose
    /// list does not parse gets none, as the migration that converted its
    /// checks gave it: its checks then name every node themselves.
    pub(super) async fn node_names_of(&self, ids: &[Uuid]) -> Result<ReportNames> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows: Vec<(Uuid, String)> = report::Entity::find()
                .select_only()
                .column(report::Column::Id)
                .column(report::Column::Nodes)
                .filter(report::Column::Id.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (id, nodes) in rows {
                out.insert(id, serde_json::from_str(&nodes).unwrap_or_default());
            }
        }
        Ok(ReportNames(out))
    }
}

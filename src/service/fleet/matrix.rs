//! The fleet's matrix filled from stored check states as they stream in.

use super::{FleetCheck, FleetCluster};
use crate::engine::report::{State, Summary};
use crate::service::store::CheckStateRow;
use std::collections::HashMap;
use uuid::Uuid;

/// The rows being filled from the stored check states, in the order first seen.
pub(super) struct Matrix {
    column_of: HashMap<Uuid, usize>,
    width: usize,
    row_of: HashMap<String, usize>,
    pub(super) rows: Vec<FleetCheck>,
}

impl Matrix {
    pub(super) fn new(columns: &[FleetCluster]) -> Self {
        let column_of = columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.report.as_ref().map(|r| (r.id, i)))
            .collect();
        Matrix {
            column_of,
            width: columns.len(),
            row_of: HashMap::new(),
            rows: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, row: CheckStateRow) {
        let (Some(&col), Some(state)) =
            (self.column_of.get(&row.report_id), State::parse(&row.state))
        else {
            // a state outside the enum is left blank rather than failing the whole view
            return;
        };
        let i = *self.row_of.entry(row.check_id.clone()).or_insert_with(|| {
            self.rows.push(FleetCheck {
                id: row.check_id,
                title: row.title,
                section: row.section,
                states: vec![None; self.width],
                counts: Summary::default(),
            });
            self.rows.len() - 1
        });
        let check = &mut self.rows[i];
        if check.states[col].is_none() {
            check.states[col] = Some(state);
            check.counts.add(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::fleet::FleetReport;
    use chrono::Utc;

    fn column(id: &str, report: Option<Uuid>) -> FleetCluster {
        FleetCluster {
            id: id.into(),
            name: id.into(),
            report: report.map(|id| FleetReport {
                id,
                benchmark: "cis-1.11".into(),
                benchmark_title: String::new(),
                finished_at: Utc::now(),
                summary: Summary::default(),
            }),
        }
    }

    fn row(report: Uuid, check: &str, state: &str) -> CheckStateRow {
        CheckStateRow {
            report_id: report,
            check_id: check.into(),
            title: format!("check {check}"),
            section: "1".into(),
            state: state.into(),
        }
    }

    #[test]
    fn states_line_up_with_the_columns_and_are_counted() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let cols = [
            column("a", Some(a)),
            column("none", None),
            column("b", Some(b)),
        ];
        let mut m = Matrix::new(&cols);
        m.add(row(b, "1.1", "FAIL"));
        m.add(row(a, "1.1", "PASS"));
        m.add(row(a, "1.2", "ERROR"));
        m.add(row(Uuid::new_v4(), "1.3", "FAIL"));
        assert_eq!(
            m.rows.len(),
            2,
            "rows of reports outside the page are ignored"
        );
        assert_eq!(
            m.rows[0].states,
            [Some(State::Pass), None, Some(State::Fail)]
        );
        assert_eq!((m.rows[0].counts.fail, m.rows[0].counts.total), (1, 2));
        assert_eq!(m.rows[1].states, [Some(State::Error), None, None]);
    }
}

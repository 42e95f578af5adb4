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
    /// Per row: whether its title and section are known.
    titled: Vec<bool>,
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
            titled: Vec::new(),
        }
    }

    /// A check state read from a report's check rows.
    pub(super) fn add(&mut self, row: CheckStateRow) {
        // a state outside the enum is left blank rather than failing the whole view
        if let Some(state) = State::parse(&row.state) {
            self.cell(
                row.report_id,
                row.check_id,
                state,
                Some((row.title, row.section)),
            );
        }
    }

    /// A check state read from a report's compact column, without its title
    /// and section: [`Matrix::untitled`] lists the rows that still need them.
    pub(super) fn add_state(&mut self, report_id: Uuid, check_id: String, state: State) {
        self.cell(report_id, check_id, state, None);
    }

    /// Ids of the rows whose title and section are not known yet.
    pub(super) fn untitled(&self) -> Vec<String> {
        self.rows
            .iter()
            .zip(&self.titled)
            .filter(|(_, t)| !**t)
            .map(|(r, _)| r.id.clone())
            .collect()
    }

    /// Sets titles and sections (check id -> (title, section)) of untitled rows.
    pub(super) fn set_titles(&mut self, mut titles: HashMap<String, (String, String)>) {
        for (row, titled) in self.rows.iter_mut().zip(self.titled.iter_mut()) {
            if let (false, Some((title, section))) = (*titled, titles.remove(&row.id)) {
                (row.title, row.section, *titled) = (title, section, true);
            }
        }
    }

    /// Drops the rows whose title is still unknown.
    pub(super) fn drop_untitled(&mut self) {
        let mut titled = self.titled.iter();
        self.rows.retain(|_| *titled.next().unwrap_or(&true));
        self.titled.retain(|t| *t);
        self.row_of = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
    }

    fn cell(
        &mut self,
        report_id: Uuid,
        check_id: String,
        state: State,
        label: Option<(String, String)>,
    ) {
        let Some(&col) = self.column_of.get(&report_id) else {
            return;
        };
        let i = match self.row_of.get(&check_id) {
            Some(&i) => i,
            None => {
                self.row_of.insert(check_id.clone(), self.rows.len());
                self.rows.push(FleetCheck {
                    id: check_id,
                    title: String::new(),
                    section: String::new(),
                    states: vec![None; self.width],
                    counts: Summary::default(),
                });
                self.titled.push(false);
                self.rows.len() - 1
            }
        };
        if let (false, Some((title, section))) = (self.titled[i], label) {
            let row = &mut self.rows[i];
            (row.title, row.section, self.titled[i]) = (title, section, true);
        }
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

    #[test]
    fn compact_states_are_titled_from_rows_or_later() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut m = Matrix::new(&[column("a", Some(a)), column("b", Some(b))]);
        m.add_state(a, "1.1".into(), State::Fail);
        m.add_state(a, "1.2".into(), State::Pass);
        m.add(row(b, "1.1", "PASS"));
        assert_eq!(
            m.untitled(),
            ["1.2"],
            "a row read from check rows carries its title"
        );
        m.set_titles(
            [(
                "1.2".to_string(),
                ("check 1.2".to_string(), "1".to_string()),
            )]
            .into(),
        );
        assert!(m.untitled().is_empty());
        assert_eq!(m.rows[1].title, "check 1.2");
        assert_eq!(m.rows[0].states, [Some(State::Fail), Some(State::Pass)]);
    }

    #[test]
    fn rows_left_untitled_are_dropped_and_the_rest_stay_findable() {
        let a = Uuid::new_v4();
        let mut m = Matrix::new(&[column("a", Some(a))]);
        m.add_state(a, "1.1".into(), State::Fail);
        m.add(row(a, "1.2", "PASS"));
        m.drop_untitled();
        assert_eq!(m.rows.len(), 1);
        assert_eq!(m.rows[0].id, "1.2");
        m.add(row(a, "1.3", "WARN"));
        assert_eq!(m.rows[1].id, "1.3");
        assert!(m.untitled().is_empty());
    }
}

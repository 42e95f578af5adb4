//! Sections as a benchmark groups its checks: each check belongs to the deepest
//! section its benchmark declares whose id prefixes the check's id at a dot
//! ("2" for the etcd checks 2.1 … 2.7, "1.2" for 1.2.x), as kube-bench groups them.

use super::model::Section;

/// One section of a report: its id, title and how many of the checks belong to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionGroup {
    pub id: String,
    /// The benchmark's title of the section; empty when the benchmark is not known.
    pub title: String,
    pub checks: usize,
}

/// True when `prefix` is `id` or a dotted prefix of it ("1.2" of "1.2.16", not of "1.21.1").
pub fn is_within(id: &str, prefix: &str) -> bool {
    id == prefix || id.strip_prefix(prefix).is_some_and(|r| r.starts_with('.'))
}

/// The deepest declared section that holds the check with this id.
pub fn section_of<'a>(declared: &'a [Section], check_id: &str) -> Option<&'a Section> {
    declared
        .iter()
        .filter(|s| is_within(check_id, &s.id))
        .max_by_key(|s| s.id.split('.').count())
}

/// The sections holding these checks, in the order of their first check, with
/// counts. With the benchmark's `declared` sections a check goes to the deepest
/// that holds it; without them (a report of a benchmark no longer shipped), and
/// for a check no declared section holds, to its second-level prefix ("1.2")
/// with an empty title.
pub fn group<'a>(
    declared: Option<&[Section]>,
    check_ids: impl Iterator<Item = &'a str>,
) -> Vec<SectionGroup> {
    let mut out: Vec<SectionGroup> = Vec::new();
    for id in check_ids {
        let (sid, title) = match declared.and_then(|d| section_of(d, id)) {
            Some(s) => (s.id.clone(), s.title.clone()),
            None => (
                id.splitn(3, '.').take(2).collect::<Vec<_>>().join("."),
                String::new(),
            ),
        };
        match out.iter_mut().find(|g| g.id == sid) {
            Some(g) => g.checks += 1,
            None => out.push(SectionGroup {
                id: sid,
                title,
                checks: 1,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared() -> Vec<Section> {
        [
            ("1", "Control Plane Security Configuration"),
            ("1.1", "Control Plane Node Configuration Files"),
            ("1.2", "API Server"),
            ("2", "Etcd Node Configuration"),
        ]
        .into_iter()
        .map(|(id, title)| Section {
            id: id.into(),
            title: title.into(),
        })
        .collect()
    }

    fn ids(groups: &[SectionGroup]) -> Vec<(&str, &str, usize)> {
        groups
            .iter()
            .map(|g| (g.id.as_str(), g.title.as_str(), g.checks))
            .collect()
    }

    #[test]
    fn etcd_checks_share_the_benchmarks_top_level_section_with_its_title() {
        let d = declared();
        let checks = ["1.1.1", "1.2.1", "1.2.2", "2.1", "2.2", "2.7"];
        assert_eq!(
            ids(&group(Some(&d), checks.into_iter())),
            [
                ("1.1", "Control Plane Node Configuration Files", 1),
                ("1.2", "API Server", 2),
                ("2", "Etcd Node Configuration", 3)
            ]
        );
    }

    #[test]
    fn the_deepest_declared_section_wins_and_prefixes_match_at_dots_only() {
        let d = declared();
        assert_eq!(section_of(&d, "1.2.16").map(|s| s.id.as_str()), Some("1.2"));
        assert_eq!(section_of(&d, "1.3.1").map(|s| s.id.as_str()), Some("1"));
        assert!(section_of(&d, "21.1").is_none());
    }

    #[test]
    fn without_the_benchmark_sections_are_second_level_prefixes_without_titles() {
        let checks = ["1.1.1", "1.1.2", "2.1", "2.2", "4.1.1"];
        assert_eq!(
            ids(&group(None, checks.into_iter())),
            [
                ("1.1", "", 2),
                ("2.1", "", 1),
                ("2.2", "", 1),
                ("4.1", "", 1)
            ]
        );
    }
}

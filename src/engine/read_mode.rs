//! How a scan read its nodes: a fact about a report, named as reports,
//! exports and the database spell it.

use serde::{Deserialize, Serialize};

/// How a scan read its nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadMode {
    /// Facts files of a snapshot.
    Snapshot,
    /// A collector Job per node.
    Jobs,
    /// The API server alone (static pods, configz), for managed clusters.
    Agentless,
    /// Facts files named on the command line (`check --facts`).
    Facts,
    /// The node the command runs on (`check` without a source).
    Local,
}

impl ReadMode {
    /// Stored and served name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadMode::Snapshot => "snapshot",
            ReadMode::Jobs => "jobs",
            ReadMode::Agentless => "agentless",
            ReadMode::Facts => "facts",
            ReadMode::Local => "local",
        }
    }

    /// The name back; None for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ReadMode::Snapshot,
            ReadMode::Jobs,
            ReadMode::Agentless,
            ReadMode::Facts,
            ReadMode::Local,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_reads_back_from_its_name_and_serializes_as_it() {
        for m in [
            ReadMode::Snapshot,
            ReadMode::Jobs,
            ReadMode::Agentless,
            ReadMode::Facts,
            ReadMode::Local,
        ] {
            assert_eq!(ReadMode::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.as_str())
            );
        }
        assert_eq!(ReadMode::parse("ssh"), None);
    }
}

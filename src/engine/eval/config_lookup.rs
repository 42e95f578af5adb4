//! Looking one key up in a component's config file with its drop-ins merged:
//! the evidence names the file that decided (the drop-in that set the key,
//! else the config file), and a drop-in walk a bound stopped never decides.

use crate::engine::facts::ConfigFacts;

/// What a setting resolved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A value, with where it came from; `explicit` is false for defaults.
    Value {
        value: String,
        source: String,
        explicit: bool,
    },
    /// Given nowhere and with no default.
    Absent { source: String },
    /// Cannot be known from what was collected (WARN).
    Unknown(String),
    /// The fact that would decide it could not be read (ERROR).
    Failed(String),
}

/// A dotted key's value in the merged config and where it came from.
/// Ok(None): no file sets it. Err: the verdict the lookup forces (ERROR or WARN).
pub(super) fn lookup(cfg: &ConfigFacts, key: &str) -> Result<Option<(String, String)>, Resolved> {
    if let Some(e) = &cfg.error {
        return Err(Resolved::Failed(format!(
            "could not read config file {}: {e}",
            cfg.path
        )));
    }
    if let Some(unread) = &cfg.incomplete {
        // a drop-in left unread may set the key, or set it again: nothing read decides
        return Err(Resolved::Unknown(format!(
            "{key} cannot be known: not every drop-in was read ({unread})"
        )));
    }
    let Some(mut v) = cfg.content.as_ref() else {
        return Ok(None);
    };
    for part in key.split('.') {
        match v.get(part) {
            Some(next) => v = next,
            None => return Ok(None),
        }
    }
    let Some(text) = scalar_text(v) else {
        return Ok(None);
    };
    let source = match cfg.origin_of(key) {
        Some(file) => format!("config drop-in {file} ({key})"),
        None => format!("config file {} ({key})", cfg.path),
    };
    Ok(Some((text, source)))
}

/// A config value as flag-style text: scalars as-is, lists comma-joined.
fn scalar_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => Some(
            a.iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(o) => Some(
            o.iter()
                .filter_map(|(k, v)| scalar_text(v).map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(content: serde_json::Value) -> ConfigFacts {
        ConfigFacts {
            path: "/var/lib/kubelet/config.yaml".into(),
            content: Some(content),
            ..Default::default()
        }
    }

    #[test]
    fn the_source_names_the_drop_in_that_set_the_key() {
        let mut cfg =
            config(json!({"authentication": {"anonymous": {"enabled": true}}, "readOnlyPort": 0}));
        cfg.origins.insert(
            "authentication.anonymous.enabled".into(),
            "/etc/kubelet.conf.d/20-cli-config-dir/10-anon.conf".into(),
        );
        let (value, source) = lookup(&cfg, "authentication.anonymous.enabled")
            .unwrap()
            .unwrap();
        assert_eq!(value, "true");
        assert_eq!(
            source,
            "config drop-in /etc/kubelet.conf.d/20-cli-config-dir/10-anon.conf (authentication.anonymous.enabled)"
        );
        let (_, base) = lookup(&cfg, "readOnlyPort").unwrap().unwrap();
        assert_eq!(
            base,
            "config file /var/lib/kubelet/config.yaml (readOnlyPort)"
        );
    }

    #[test]
    fn an_incomplete_drop_in_walk_decides_nothing() {
        let mut cfg = config(json!({"readOnlyPort": 0}));
        cfg.incomplete = Some("more than 128 drop-in files".into());
        assert!(
            matches!(lookup(&cfg, "readOnlyPort"), Err(Resolved::Unknown(w)) if w.contains("128"))
        );
        assert!(matches!(
            lookup(&cfg, "rotateCertificates"),
            Err(Resolved::Unknown(_))
        ));
    }
}

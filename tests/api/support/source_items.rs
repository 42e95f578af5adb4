//! How one reference test item and one audit command read as facts: the comparison a test item
//! makes (`--flag eq v`, `mode 600`, `owner root:root`, `plugin X on`, `gate G ne false`), the
//! component an audit reads and the files it names.

use super::source_facts::Compare;
use std::collections::BTreeSet;

/// One test item as a normalised comparison; None for a presence test (`set`).
pub fn item_value(name: &str, compare: Option<&Compare>) -> Option<String> {
    let owner_like = name.contains(':') && !name.starts_with('-') && !name.starts_with('{');
    if owner_like {
        return Some(format!("owner {name}"));
    }
    let cmp = compare?;
    let value = match cmp.value.0.as_str() {
        "True" | "TRUE" => "true".to_string(),
        "False" | "FALSE" => "false".to_string(),
        v => v.to_string(),
    };
    match (name, cmp.op.as_str()) {
        ("permissions", _) => return Some(format!("mode {value}")),
        ("ownership" | "owner", _) => return Some(format!("owner {value}")),
        ("--enable-admission-plugins", "has") => return Some(format!("plugin {value} on")),
        ("--enable-admission-plugins", "nothave") => return Some(format!("plugin {value} off")),
        ("--disable-admission-plugins", "nothave") => return Some(format!("plugin {value} on")),
        ("--feature-gates", "nothave") => {
            if let Some(gate) = value.strip_suffix("=false") {
                return Some(format!("gate {gate} ne false"));
            }
        }
        _ => {}
    }
    let op = match cmp.op.as_str() {
        "noteq" => "ne",
        "nothave" => "lacks",
        "valid_elements" => "only",
        "bitmask" => return Some(format!("mode {value}")),
        other => other,
    };
    let value = if op == "only" {
        let mut items: Vec<&str> = value.split(',').map(str::trim).collect();
        items.sort();
        items.join(",")
    } else {
        value
    };
    // a feature gate read from the kubelet's config: `flag: RotateKubeletServerCertificate`
    let gate = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    if gate {
        return Some(format!("gate {name} {op} {value}"));
    }
    Some(format!("{name} {op} {value}"))
}

/// The component an audit reads: the process k3s's log line names ("Running kube-apiserver"), else
/// the first binary or variable the audit names.
pub fn audit_component(audit: &str) -> Option<&'static str> {
    const LOGGED: [(&str, &str); 5] = [
        ("Running kube-apiserver", "apiserver"),
        ("Running kube-controller-manager", "controllermanager"),
        ("Running kube-scheduler", "scheduler"),
        ("Running kube-proxy", "proxy"),
        ("Running kubelet", "kubelet"),
    ];
    let logged = LOGGED
        .iter()
        .filter_map(|(p, c)| audit.find(p).map(|at| (at, *c)))
        .min_by_key(|(at, _)| *at);
    if let Some((_, c)) = logged {
        return Some(c);
    }
    const PATTERNS: [(&str, &str); 14] = [
        ("apiserver", "apiserver"),
        ("kube-apiserver", "apiserver"),
        ("controllermanager", "controllermanager"),
        ("controller-manager", "controllermanager"),
        ("scheduler", "scheduler"),
        ("etcd", "etcd"),
        ("proxy", "proxy"),
        ("kubelet", "kubelet"),
        ("kubectl", "cluster"),
        ("gcloud", "cluster"),
        ("aws ", "cluster"),
        ("az ", "cluster"),
        ("/etc/cni", "kubelet"),
        ("/var/lib/cni", "kubelet"),
    ];
    PATTERNS
        .iter()
        .filter_map(|(p, c)| audit.find(p).map(|at| (at, *c)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, c)| c)
}

/// The `$variables` and absolute paths an audit names.
pub fn audit_files(audit: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let bytes: Vec<char> = audit.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_var =
            bytes[i] == '$' && bytes.get(i + 1).is_some_and(|c| c.is_ascii_lowercase());
        let starts_path = bytes[i] == '/'
            && ["/etc/", "/var/", "/run/", "/home/"]
                .iter()
                .any(|p| audit.chars().skip(i).take(p.len()).collect::<String>() == *p);
        if starts_var || starts_path {
            let end = (i + 1..bytes.len())
                .find(|&j| {
                    let c = bytes[j];
                    !(c.is_ascii_alphanumeric() || "_./*-".contains(c))
                        || (starts_var && !c.is_ascii_alphanumeric())
                })
                .unwrap_or(bytes.len());
            let token: String = bytes[i..end].iter().collect();
            out.insert(token.trim_end_matches('.').to_string());
            i = end;
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

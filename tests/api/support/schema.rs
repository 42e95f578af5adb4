//! Strict validation of Kubernetes manifests: custom resources against a CRD's
//! openAPIV3Schema (the structural subset CRDs use), as `kubectl apply
//! --validate=strict` would, and built-in kinds through k8s-openapi's types for
//! Kubernetes 1.33, where a field the type does not know is an error.

use serde_json::Value;

/// Every way `doc` breaks `schema`, each with its path; unknown fields are errors
/// unless the schema allows them (`additionalProperties`,
/// `x-kubernetes-preserve-unknown-fields`). The root's `metadata` is left to
/// [`object_meta`], as the API server does.
pub fn validate(schema: &Value, doc: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, doc, "", &mut errors);
    errors
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => false,
    }
}

fn check(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let at = if path.is_empty() { "<root>" } else { path };
    if schema["x-kubernetes-int-or-string"] == true {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            errors.push(format!("{at}: want an integer or a string, got {v}"));
        }
        return;
    }
    if let Some(t) = schema["type"].as_str() {
        if !type_ok(t, v) {
            errors.push(format!("{at}: want {t}, got {v}"));
            return;
        }
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(v) {
            errors.push(format!("{at}: {v} is not one of {allowed:?}"));
        }
    }
    if let (Some(s), Some(p)) = (v.as_str(), schema["pattern"].as_str()) {
        let re = regex::Regex::new(p).unwrap_or_else(|e| panic!("{at}: schema pattern {p}: {e}"));
        if !re.is_match(s) {
            errors.push(format!("{at}: {s:?} does not match {p}"));
        }
    }
    if let (Some(s), Some(min)) = (v.as_str(), schema["minLength"].as_u64()) {
        if (s.chars().count() as u64) < min {
            errors.push(format!("{at}: shorter than {min}"));
        }
    }
    if let Some(items) = v.as_array() {
        for (i, item) in items.iter().enumerate() {
            check(&schema["items"], item, &format!("{path}[{i}]"), errors);
        }
    }
    let Some(fields) = v.as_object() else { return };
    for r in schema["required"].as_array().into_iter().flatten() {
        if let Some(name) = r.as_str().filter(|n| !fields.contains_key(*n)) {
            errors.push(format!("{at}: missing required field {name}"));
        }
    }
    for (k, child) in fields {
        let child_path = format!("{path}.{k}");
        if path.is_empty() && k == "metadata" {
            continue;
        }
        if let Some(s) = schema["properties"].get(k) {
            check(s, child, &child_path, errors);
        } else if schema["additionalProperties"].is_object() {
            check(&schema["additionalProperties"], child, &child_path, errors);
        } else if schema["x-kubernetes-preserve-unknown-fields"] != true {
            errors.push(format!("{child_path}: unknown field"));
        }
    }
}

/// A built-in object read into its k8s-openapi type and written back: the same
/// document when every field is known and of its type, else what differs.
pub fn round_trip<T>(doc: &Value) -> Result<(), String>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let typed: T = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let mut lost = Vec::new();
    differences(doc, &back, "", &mut lost);
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fields the type does not know or changed: {}",
            lost.join(", ")
        ))
    }
}

fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => differences(v, w, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path} ({a} became {b})")),
        _ => {}
    }
}

/// A custom resource's metadata, strictly, as an ObjectMeta.
pub fn object_meta(doc: &Value) -> Result<(), String> {
    round_trip::<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>(&doc["metadata"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_wrong_types_and_patterns_are_errors() {
        let schema = json!({"type": "object", "required": ["spec"], "properties": {
            "spec": {"type": "object", "properties": {
                "interval": {"type": "string", "pattern": "^[0-9]+s$"},
                "port": {"x-kubernetes-int-or-string": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}});
        let good = json!({"spec": {"interval": "30s", "port": 80, "labels": {"a": "b"}}});
        assert!(validate(&schema, &good).is_empty());
        let bad = json!({"spec": {"interval": "30", "prot": 80, "labels": {"a": 1}}});
        let errors = validate(&schema, &bad);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors
            .iter()
            .any(|e| e.starts_with(".spec.prot: unknown field")));
        assert_eq!(
            validate(&schema, &json!({})),
            ["<root>: missing required field spec"]
        );
    }

    #[test]
    fn a_built_in_kind_with_an_unknown_field_fails_the_round_trip() {
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
            "spec": {"ports": [{"port": 80, "targetPrt": "http"}]}});
        let e = round_trip::<k8s_openapi::api::core::v1::Service>(&svc).unwrap_err();
        assert!(e.contains("targetPrt"), "{e}");
    }
}

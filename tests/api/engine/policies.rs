//! Every automated section 5 assessment, with passing and failing objects.

use cis_scan::engine::cluster_facts::*;
use cis_scan::engine::eval::policy::assess;
use cis_scan::engine::report::State;
use cis_scan::sources::live::policies::pod_facts;
use serde_json::{json, Value};

fn pod(ns: &str, name: &str, spec: Value) -> PodFacts {
    pod_facts(
        serde_json::from_value(
            json!({ "metadata": { "name": name, "namespace": ns }, "spec": spec }),
        )
        .unwrap(),
    )
}

/// A pod that follows the restricted profile.
fn good_pod(ns: &str) -> PodFacts {
    pod(
        ns,
        "good",
        json!({
            "serviceAccountName": "app", "automountServiceAccountToken": false,
            "securityContext": { "runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": { "type": "RuntimeDefault" } },
            "containers": [{ "name": "app", "image": "app:1", "securityContext": { "allowPrivilegeEscalation": false, "capabilities": { "drop": ["ALL"] } },
                "volumeMounts": [{ "name": "s", "mountPath": "/s" }] }],
            "volumes": [{ "name": "s", "secret": { "secretName": "creds" } }]
        }),
    )
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> RuleFacts {
    let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
    RuleFacts {
        api_groups: v(groups),
        resources: v(resources),
        verbs: v(verbs),
    }
}

fn binding(name: &str, role: &str, subject: (&str, &str)) -> BindingFacts {
    BindingFacts {
        name: name.into(),
        namespace: None,
        role_kind: "ClusterRole".into(),
        role_name: role.into(),
        subjects: vec![SubjectFacts {
            kind: subject.0.into(),
            name: subject.1.into(),
            namespace: None,
        }],
    }
}

fn role(name: &str, rules: Vec<RuleFacts>) -> RoleFacts {
    RoleFacts {
        name: name.into(),
        namespace: None,
        rules,
    }
}

/// A clean cluster: built-in bindings only, labelled namespaces with policies, one restricted pod.
fn clean() -> ClusterFacts {
    let mut f = ClusterFacts {
        cluster_roles: vec![
            role("cluster-admin", vec![rule(&["*"], &["*"], &["*"])]),
            role("system:node", vec![rule(&[""], &["secrets"], &["get"])]),
            role("app-reader", vec![rule(&[""], &["configmaps"], &["get"])]),
        ],
        ..Default::default()
    };
    f.cluster_role_bindings = vec![
        binding(
            "cluster-admin",
            "cluster-admin",
            ("Group", "system:masters"),
        ),
        binding("system:node", "system:node", ("Group", "system:nodes")),
        binding("app-read", "app-reader", ("ServiceAccount", "app")),
        // the defaults Kubernetes binds to everyone, which GKE's 4.1.9 and 4.1.10 allow
        binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            ("Group", "system:unauthenticated"),
        ),
        binding(
            "system:basic-user",
            "system:basic-user",
            ("Group", "system:authenticated"),
        ),
        binding(
            "system:discovery",
            "system:discovery",
            ("Group", "system:authenticated"),
        ),
    ];
    for ns in ["apps", "kube-system"] {
        f.namespaces.insert(
            ns.into(),
            [(
                "pod-security.kubernetes.io/enforce".to_string(),
                "restricted".to_string(),
            )]
            .into(),
        );
        f.network_policy_namespaces.insert(ns.into());
    }
    f.service_accounts = vec![
        ServiceAccountFacts {
            namespace: "apps".into(),
            name: "default".into(),
            automount: Some(false),
        },
        ServiceAccountFacts {
            namespace: "apps".into(),
            name: "app".into(),
            automount: None,
        },
    ];
    f.pods = vec![
        good_pod("apps"),
        pod(
            "kube-system",
            "kube-proxy",
            json!({ "hostNetwork": true, "containers": [{ "name": "p", "image": "kp", "securityContext": { "privileged": true } }] }),
        ),
    ];
    f
}

/// (assessment, what breaks it, text the evidence must name).
/// Changes a clean cluster so one assessment fails.
type Breaker = Box<dyn Fn(&mut ClusterFacts)>;

fn breakers() -> Vec<(&'static str, Breaker, &'static str)> {
    let add_role = |name: &'static str, r: RuleFacts| -> Box<dyn Fn(&mut ClusterFacts)> {
        Box::new(move |f: &mut ClusterFacts| {
            f.cluster_roles.push(role(name, vec![r.clone()]));
            f.cluster_role_bindings.push(binding(
                &format!("{name}-binding"),
                name,
                ("User", "bob"),
            ));
        })
    };
    let add_pod = |spec: Value| -> Box<dyn Fn(&mut ClusterFacts)> {
        Box::new(move |f: &mut ClusterFacts| f.pods.push(pod("apps", "bad", spec.clone())))
    };
    let c =
        |sc: Value| json!({ "containers": [{ "name": "c", "image": "i", "securityContext": sc }] });
    vec![
        (
            "cluster-admin-bindings",
            Box::new(|f: &mut ClusterFacts| {
                f.cluster_role_bindings
                    .push(binding("ops", "cluster-admin", ("User", "alice")))
            }),
            "ClusterRoleBinding ops",
        ),
        (
            "system-masters",
            Box::new(|f: &mut ClusterFacts| {
                f.cluster_role_bindings.push(binding(
                    "break-glass",
                    "view",
                    ("Group", "system:masters"),
                ))
            }),
            "break-glass",
        ),
        (
            "anonymous-bindings",
            Box::new(|f: &mut ClusterFacts| {
                let mut b = binding("peek", "view", ("User", "system:anonymous"));
                b.namespace = Some("apps".into());
                b.role_kind = "Role".into();
                f.role_bindings.push(b)
            }),
            "RoleBinding apps/peek → Role view",
        ),
        (
            "unauthenticated-bindings",
            Box::new(|f: &mut ClusterFacts| {
                f.cluster_role_bindings.push(binding(
                    "open-metrics",
                    "metrics-reader",
                    ("Group", "system:unauthenticated"),
                ))
            }),
            "ClusterRoleBinding open-metrics → ClusterRole metrics-reader",
        ),
        (
            "authenticated-bindings",
            // a default's name on a RoleBinding is not the default
            Box::new(|f: &mut ClusterFacts| {
                let mut b = binding(
                    "system:discovery",
                    "edit",
                    ("Group", "system:authenticated"),
                );
                b.namespace = Some("apps".into());
                f.role_bindings.push(b)
            }),
            "RoleBinding apps/system:discovery → ClusterRole edit",
        ),
        (
            "secret-readers",
            add_role("secret-reader", rule(&[""], &["secrets"], &["list"])),
            "secret-reader-binding",
        ),
        (
            "pod-creators",
            add_role("deployer", rule(&[""], &["pods"], &["create"])),
            "deployer-binding",
        ),
        (
            "pv-creators",
            add_role("storage", rule(&[""], &["persistentvolumes"], &["create"])),
            "storage-binding",
        ),
        (
            "node-proxy",
            add_role("metrics", rule(&[""], &["nodes/proxy"], &["get"])),
            "metrics-binding",
        ),
        (
            "csr-approvers",
            add_role(
                "approver",
                rule(
                    &["certificates.k8s.io"],
                    &["certificatesigningrequests/approval"],
                    &["update"],
                ),
            ),
            "approver-binding",
        ),
        (
            "webhook-editors",
            add_role(
                "hooks",
                rule(
                    &["admissionregistration.k8s.io"],
                    &["mutatingwebhookconfigurations"],
                    &["patch"],
                ),
            ),
            "hooks-binding",
        ),
        (
            "token-creators",
            add_role(
                "minter",
                rule(&[""], &["serviceaccounts/token"], &["create"]),
            ),
            "minter-binding",
        ),
        (
            "bind-escalate-impersonate",
            add_role("sudo", rule(&[""], &["users"], &["impersonate"])),
            "ClusterRole sudo",
        ),
        (
            "rbac-wildcards",
            add_role("lazy", rule(&["apps"], &["*"], &["get"])),
            "ClusterRole lazy",
        ),
        (
            "default-service-accounts",
            Box::new(|f: &mut ClusterFacts| f.service_accounts[0].automount = None),
            "apps/default automounts",
        ),
        (
            "token-automount",
            add_pod(
                json!({ "serviceAccountName": "app", "containers": [{ "name": "c", "image": "i" }] }),
            ),
            "apps/bad",
        ),
        (
            "pod-security-admission",
            Box::new(|f: &mut ClusterFacts| {
                f.namespaces.insert("legacy".into(), Default::default());
            }),
            "namespace legacy",
        ),
        (
            "privileged-containers",
            add_pod(c(json!({ "privileged": true }))),
            "apps/bad (c)",
        ),
        (
            "host-pid",
            add_pod(json!({ "hostPID": true, "containers": [{ "name": "c", "image": "i" }] })),
            "apps/bad",
        ),
        (
            "host-ipc",
            add_pod(json!({ "hostIPC": true, "containers": [{ "name": "c", "image": "i" }] })),
            "apps/bad",
        ),
        (
            "host-network",
            add_pod(json!({ "hostNetwork": true, "containers": [{ "name": "c", "image": "i" }] })),
            "apps/bad",
        ),
        (
            "privilege-escalation",
            add_pod(c(json!({}))),
            "apps/bad (c)",
        ),
        (
            "root-containers",
            add_pod(c(json!({ "runAsUser": 0 }))),
            "apps/bad (c)",
        ),
        (
            "net-raw",
            add_pod(c(json!({ "capabilities": { "drop": ["SYS_ADMIN"] } }))),
            "apps/bad (c)",
        ),
        (
            "added-capabilities",
            add_pod(c(
                json!({ "capabilities": { "add": ["NET_ADMIN"], "drop": ["ALL"] } }),
            )),
            "apps/bad (c)",
        ),
        (
            "assigned-capabilities",
            add_pod(c(json!({ "capabilities": { "drop": ["NET_RAW"] } }))),
            "apps/bad (c)",
        ),
        (
            "windows-hostprocess",
            add_pod(
                json!({ "securityContext": { "windowsOptions": { "hostProcess": true } }, "containers": [{ "name": "c", "image": "i" }] }),
            ),
            "apps/bad",
        ),
        (
            "hostpath-volumes",
            add_pod(
                json!({ "containers": [{ "name": "c", "image": "i" }], "volumes": [{ "name": "h", "hostPath": { "path": "/var/run/docker.sock" } }] }),
            ),
            "apps/bad",
        ),
        (
            "host-ports",
            add_pod(
                json!({ "containers": [{ "name": "c", "image": "i", "ports": [{ "containerPort": 80, "hostPort": 8080 }] }] }),
            ),
            "apps/bad (c)",
        ),
        (
            "secrets-in-env",
            add_pod(
                json!({ "containers": [{ "name": "c", "image": "i", "env": [{ "name": "PW", "valueFrom": { "secretKeyRef": { "name": "db", "key": "pw" } } }] }] }),
            ),
            "apps/bad (c)",
        ),
        (
            "seccomp-profiles",
            add_pod(json!({ "containers": [{ "name": "c", "image": "i" }] })),
            "apps/bad",
        ),
        (
            "namespace-network-policies",
            Box::new(|f: &mut ClusterFacts| {
                f.namespaces.insert("open".into(), Default::default());
            }),
            "namespace open",
        ),
        (
            "default-namespace-workloads",
            Box::new(|f: &mut ClusterFacts| f.pods.push(good_pod("default"))),
            "default/good",
        ),
    ]
}

#[test]
fn every_assessment_passes_clean_objects_and_names_offenders() {
    let cases = breakers();
    // every policy the shipped rules name has a case here
    let catalog = cis_scan::engine::benchmark::Catalog::embedded().unwrap();
    for b in &catalog.all().unwrap() {
        for c in &b.checks {
            if let Some(cis_scan::engine::benchmark::Condition::Policy(p)) = &c.rule.test {
                assert!(
                    cases.iter().any(|(n, _, _)| *n == p.as_str()),
                    "no test case for policy {p}"
                );
            }
        }
    }
    for (name, breaker, evidence) in &cases {
        let base = clean();
        let policy = cis_scan::engine::benchmark::PolicyName::parse(name).unwrap();
        let ok = assess(policy, &base);
        assert_eq!(
            ok.state,
            State::Pass,
            "{name} on a clean cluster: {}",
            ok.actual
        );
        let mut bad = clean();
        breaker(&mut bad);
        let o = assess(policy, &bad);
        assert_eq!(o.state, State::Fail, "{name} after breaking it");
        assert!(
            o.actual.contains(evidence),
            "{name}: '{}' should name '{evidence}'",
            o.actual
        );
        assert!(!o.expected.is_empty() && o.source.starts_with("Kubernetes API"));
    }
}

#[test]
fn system_namespaces_are_left_out_and_lists_are_bounded() {
    let mut f = clean();
    for i in 0..25 {
        f.pods.push(pod("apps", &format!("priv-{i}"), json!({ "containers": [{ "name": "c", "image": "i", "securityContext": { "privileged": true } }] })));
    }
    let o = assess(
        cis_scan::engine::benchmark::PolicyName::PrivilegedContainers,
        &f,
    );
    assert!(o.actual.starts_with("25 found"), "{}", o.actual);
    assert!(o.actual.contains("and 15 more"));
    assert!(!o.actual.contains("kube-proxy"));
    let mut e = clean();
    e.errors.insert(
        "pods".into(),
        "missing permission: cannot list (forbidden)".into(),
    );
    let err = assess(cis_scan::engine::benchmark::PolicyName::HostPid, &e);
    assert_eq!(err.state, State::Error);
    assert!(err.reason.unwrap().contains("cannot list pods"));
}

#[test]
fn pod_level_security_context_applies_to_containers() {
    let p = pod(
        "apps",
        "p",
        json!({ "securityContext": { "runAsNonRoot": true }, "containers": [{ "name": "a", "image": "i" }, { "name": "b", "image": "i", "securityContext": { "runAsNonRoot": false } }], "initContainers": [{ "name": "init", "image": "i" }] }),
    );
    let by = |n: &str| p.containers.iter().find(|c| c.name == n).unwrap();
    assert!(!by("a").may_run_as_root);
    assert!(by("b").may_run_as_root, "the container's own setting wins");
    assert!(
        !by("init").may_run_as_root,
        "init containers are checked too"
    );
    assert_eq!(p.service_account, "default");
}

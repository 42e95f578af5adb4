//! Each benchmark version judges with its own compared values (issue 18, class 1): the
//! strong-cipher lists of CIS 1.8/1.9, 1.10/1.11 and 1.12 differ, and a scan under one
//! version never uses another's list.

use crate::support::hostroot::HostRoot;
use crate::support::{eval, state};
use cis_scan::engine::facts::NodeFacts;
use cis_scan::engine::report::State;

/// A CBC suite CIS 1.8 to 1.11 list as strong, 1.12 no longer.
const WITH_CBC: &str = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
/// 3DES: only CIS 1.8 and 1.9 list it.
const WITH_3DES: &str = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA";
/// An RSA key-exchange GCM suite: CIS 1.8 to 1.11 allow it for the kubelet, 1.12 not.
const KUBELET_RSA_GCM: &str =
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_GCM_SHA256";

fn apiserver(ciphers: &str) -> NodeFacts {
    let h = HostRoot::new();
    h.process(
        100,
        &["kube-apiserver", &format!("--tls-cipher-suites={ciphers}")],
    );
    h.collect("cp-1")
}

fn kubelet(ciphers: &str) -> NodeFacts {
    let h = HostRoot::new();
    h.process(100, &["kubelet", &format!("--tls-cipher-suites={ciphers}")]);
    h.collect("node-1")
}

#[test]
fn cis_1_8_passes_a_cbc_suite_its_own_list_names() {
    assert_eq!(
        state(&eval("cis-1.8", &[apiserver(WITH_CBC)]), "1.2.30"),
        State::Pass
    );
}

#[test]
fn cis_1_12_warns_on_the_cbc_suite_its_list_dropped() {
    assert_eq!(
        state(&eval("cis-1.12", &[apiserver(WITH_CBC)]), "1.2.29"),
        State::Warn
    );
}

#[test]
fn cis_1_10_passes_cbc_but_not_3des() {
    assert_eq!(
        state(&eval("cis-1.10", &[apiserver(WITH_CBC)]), "1.2.29"),
        State::Pass
    );
    assert_eq!(
        state(&eval("cis-1.10", &[apiserver(WITH_3DES)]), "1.2.29"),
        State::Warn
    );
    assert_eq!(
        state(&eval("cis-1.9", &[apiserver(WITH_3DES)]), "1.2.29"),
        State::Pass
    );
}

#[test]
fn rke2_cis_1_8_passes_the_cbc_suite_rancher_lists() {
    // Rancher's rke2-cis-1.8 labels the check Automated and scored: FAIL would stay FAIL
    let r = eval("rke2-cis-1.8-hardened", &[apiserver(WITH_CBC)]);
    assert_eq!(state(&r, "1.2.30"), State::Pass);
}

#[test]
fn the_kubelet_rsa_gcm_suite_passes_under_1_11_and_warns_under_1_12() {
    assert_eq!(
        state(&eval("cis-1.11", &[kubelet(KUBELET_RSA_GCM)]), "4.2.12"),
        State::Pass
    );
    assert_eq!(
        state(&eval("cis-1.12", &[kubelet(KUBELET_RSA_GCM)]), "4.2.12"),
        State::Warn
    );
}

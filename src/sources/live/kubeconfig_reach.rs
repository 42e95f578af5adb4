//! Where a checked kubeconfig's servers really are, judged before each connection.
//!
//! [`super::kubeconfig_url`] judges a server URL as written. A host name can still
//! lead anywhere, and loopback is this machine's own services (the database, the
//! service itself): so before a registered cluster is stored and before every
//! client for it is built, each server's host is resolved and every address it
//! resolves to is judged by the same rules, and loopback is refused unless the
//! operator allows it (`kubernetes.allow_loopback_servers`, for `kubectl proxy`
//! and local test clusters). A name that resolves to one refused address among
//! good ones is refused: the connection may pick any of them.
//!
//! Resolution and connection are two lookups, so a name whose answer changes in
//! between (DNS rebinding) is not caught here; an operator who fears it runs the
//! service with a resolver that refuses private answers.

use super::kubeconfig_url::{canonical, refused};
use crate::error::{Error, Result};
use std::net::IpAddr;
use std::time::Duration;

/// How long one server's name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Checks where every server (`(where, url)`, as `CheckedKubeconfig::servers`
/// gives them) resolves to; `allow_loopback` admits this machine.
pub async fn check_reach(servers: &[(String, String)], allow_loopback: bool) -> Result<()> {
    for (at, server) in servers {
        check_server_reach(server, at, allow_loopback).await?;
    }
    Ok(())
}

async fn check_server_reach(server: &str, at: &str, allow_loopback: bool) -> Result<()> {
    let bad = |why: &str| Error::Invalid(format!("{at} is not accepted through the API: {why}"));
    let url = url::Url::parse(server).map_err(|_| bad("it is not a valid URL"))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(v4)) => vec![IpAddr::V4(v4)],
        Some(url::Host::Ipv6(v6)) => vec![IpAddr::V6(v6)],
        Some(url::Host::Domain(name)) => {
            if is_localhost(name) {
                vec![IpAddr::from([127, 0, 0, 1])]
            } else {
                resolve(name, port)
                    .await
                    .map_err(|why| Error::Invalid(format!("{at}: {why}")))?
            }
        }
        None => return Err(bad("it needs a host")),
    };
    match judge(&addresses, allow_loopback) {
        Some(why) => Err(bad(why)),
        None => Ok(()),
    }
}

/// `localhost` and its subdomains are loopback by definition (RFC 6761), resolved or not.
fn is_localhost(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

async fn resolve(name: &str, port: u16) -> std::result::Result<Vec<IpAddr>, &'static str> {
    let lookup = tokio::net::lookup_host((name, port));
    match tokio::time::timeout(RESOLVE_TIMEOUT, lookup).await {
        Ok(Ok(found)) => {
            let found: Vec<IpAddr> = found.map(|a| a.ip()).collect();
            if found.is_empty() {
                Err("its host name resolves to no address")
            } else {
                Ok(found)
            }
        }
        Ok(Err(_)) => Err("its host name does not resolve"),
        Err(_) => Err("its host name did not resolve within 5 s"),
    }
}

/// Why the addresses a server resolves to are refused, if they are.
fn judge(addresses: &[IpAddr], allow_loopback: bool) -> Option<&'static str> {
    let addresses = addresses.iter().map(|ip| canonical(*ip));
    for ip in addresses {
        if refused(ip) {
            return Some(
                "it resolves to a link-local, unspecified, multicast or cloud metadata address",
            );
        }
        if ip.is_loopback() && !allow_loopback {
            return Some("it reaches this machine (loopback); an operator may allow that with kubernetes.allow_loopback_servers, e.g. for kubectl proxy");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn loopback_in_any_form_is_refused_unless_allowed() {
        for a in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(judge(&ips(&[a]), false).is_some(), "{a}");
            assert!(judge(&ips(&[a]), true).is_none(), "{a}");
        }
    }

    #[test]
    fn one_refused_address_among_good_ones_refuses_the_name() {
        let mixed = ips(&["10.0.0.1", "169.254.169.254"]);
        assert!(judge(&mixed, true).is_some());
        assert!(judge(&ips(&["10.0.0.1", "2001:db8::1"]), false).is_none());
    }

    #[test]
    fn metadata_is_refused_even_where_loopback_is_allowed() {
        assert!(judge(&ips(&["::ffff:169.254.169.254"]), true).is_some());
        assert!(judge(&ips(&["100.100.100.200"]), true).is_some());
    }

    #[test]
    fn localhost_names_are_loopback_without_asking_a_resolver() {
        assert!(is_localhost("localhost"));
        assert!(is_localhost("LOCALHOST."));
        assert!(is_localhost("api.localhost"));
        assert!(!is_localhost("localhost.example.com"));
    }

    #[tokio::test]
    async fn a_server_is_judged_by_where_it_resolves() {
        let at = "clusters[0].cluster.server";
        assert!(check_server_reach("https://localhost.:6443", at, false)
            .await
            .is_err());
        assert!(check_server_reach("http://127.0.0.1:8001", at, true)
            .await
            .is_ok());
        assert!(check_server_reach("https://10.0.0.1:6443", at, false)
            .await
            .is_ok());
        let e = check_server_reach("https://no-such-host.invalid:6443", at, false)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("resolve"), "{e}");
        assert!(!e.to_string().contains("no-such-host"), "{e}");
    }
}

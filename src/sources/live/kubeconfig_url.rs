//! Which API server addresses a kubeconfig from the API may name.
//!
//! `https://` to any host, since clusters live on private networks; plain
//! `http://` only to a loopback address (`kubectl proxy`, local test servers),
//! where nothing travels over a network unencrypted. Link-local and unspecified
//! addresses (cloud metadata services at 169.254.169.254, 0.0.0.0) are refused
//! either way, as are credentials, queries and fragments in the URL.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// Checks a cluster's `server` URL; `at` names the field in errors (the URL is never echoed).
pub fn check_server(server: &str, at: &str) -> Result<()> {
    let bad = |why: &str| Error::Invalid(format!("{at} is not accepted through the API: {why}"));
    let uri: http::Uri = server.parse().map_err(|_| bad("it is not a valid URL"))?;
    let authority = uri
        .authority()
        .ok_or_else(|| bad("it needs a scheme and host, e.g. https://api.example:6443"))?;
    if authority.as_str().contains('@') {
        return Err(bad("credentials belong in the user, not in the URL"));
    }
    if uri.query().is_some() || server.contains('#') {
        return Err(bad("a query or fragment is not accepted in the URL"));
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let ip = host.parse::<IpAddr>().ok();
    if ip.is_some_and(|ip| ip.is_unspecified() || is_link_local(ip)) {
        return Err(bad("link-local and unspecified addresses are not accepted"));
    }
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http")
            if host.eq_ignore_ascii_case("localhost") || ip.is_some_and(|ip| ip.is_loopback()) =>
        {
            Ok(())
        }
        Some("http") => Err(bad(
            "plain http:// is accepted only to a loopback address; use https://",
        )),
        _ => Err(bad("the scheme must be https://")),
    }
}

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        // fe80::/10
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

#[cfg(test)]
mod tests {
    use super::check_server;

    fn ok(url: &str) -> bool {
        check_server(url, "clusters[0].cluster.server").is_ok()
    }

    #[test]
    fn https_to_any_host_and_http_only_to_loopback() {
        assert!(ok("https://api.example.com:6443"));
        assert!(ok("https://10.0.0.1:6443/k8s/clusters/c-1"));
        assert!(ok("http://127.0.0.1:8001"));
        assert!(ok("http://[::1]:8001"));
        assert!(ok("http://localhost:8001"));
        assert!(!ok("http://10.0.0.1:6443"));
        assert!(!ok("http://api.example.com"));
        assert!(!ok("ftp://api.example.com"));
        assert!(!ok("api.example.com:6443"));
    }

    #[test]
    fn metadata_addresses_credentials_and_queries_are_refused() {
        assert!(!ok("https://169.254.169.254"));
        assert!(!ok("https://[fe80::1]:6443"));
        assert!(!ok("https://0.0.0.0:6443"));
        assert!(!ok("https://user:secret@api.example.com"));
        assert!(!ok("https://api.example.com/?x=1"));
        assert!(!ok("https://api.example.com/#x"));
    }

    #[test]
    fn the_url_never_appears_in_the_error() {
        let e = check_server("http://secret-host.example:1/", "x").unwrap_err();
        assert!(!e.to_string().contains("secret-host"), "{e}");
    }
}

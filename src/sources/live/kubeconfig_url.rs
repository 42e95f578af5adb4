//! Which API server addresses a kubeconfig from the API may name.
//!
//! `https://` to any host, since clusters live on private networks; plain
//! `http://` only to a loopback address (`kubectl proxy`, local test servers),
//! where nothing travels over a network unencrypted. Link-local, unspecified,
//! multicast and known cloud-metadata addresses (169.254.169.254, fd00:ec2::254,
//! 100.100.100.200, 168.63.129.16) and metadata host names are refused either
//! way, as are credentials, queries and fragments in the URL.
//!
//! An address is judged as the connection will see it, in every spelling: the
//! host is read by the WHATWG URL parser (`url`), which turns the IPv4 forms the
//! system resolver also accepts (`2852039166`, `0251.0376.0251.0376`,
//! `0xa9fea9fe`, `169.254.43518`) into one address, and an IPv6 address that
//! carries an IPv4 one (`::ffff:a.b.c.d`, `::a.b.c.d`, NAT64 `64:ff9b::/96`
//! and `64:ff9b:1::/48`) is judged by the IPv4 address inside.

use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Host names that name a cloud's metadata service (never resolved: refused as written).
const METADATA_HOSTS: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.com",
];

/// Metadata services outside the link-local ranges: AWS over IPv6, Alibaba
/// Cloud, Azure's wire server.
const METADATA_V4: &[Ipv4Addr] = &[
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(168, 63, 129, 16),
];
const METADATA_V6: &[Ipv6Addr] = &[Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)];

/// Checks a cluster's `server` URL; `at` names the field in errors (the URL is never echoed).
pub fn check_server(server: &str, at: &str) -> Result<()> {
    let bad = |why: &str| Error::Invalid(format!("{at} is not accepted through the API: {why}"));
    // kube connects with http::Uri; the host is judged as the WHATWG parser reads it
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
    let parsed = url::Url::parse(server).map_err(|_| bad("it is not a valid URL"))?;
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(url::Host::Domain(d)) => {
            let name = d.trim_end_matches('.').to_ascii_lowercase();
            if METADATA_HOSTS.contains(&name.as_str()) {
                return Err(bad("a cloud metadata service is not a cluster"));
            }
            None
        }
        None => return Err(bad("it needs a host")),
    }
    .map(canonical);
    if ip.is_some_and(refused) {
        return Err(bad(
            "link-local, unspecified, multicast and cloud metadata addresses are not accepted",
        ));
    }
    let loopback = ip.map_or_else(
        || {
            parsed
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case("localhost"))
        },
        |ip| ip.is_loopback(),
    );
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(bad(
            "plain http:// is accepted only to a loopback address; use https://",
        )),
        _ => Err(bad("the scheme must be https://")),
    }
}

/// The address a connection reaches: an IPv6 address that only carries an IPv4
/// one (IPv4-mapped, IPv4-compatible, NAT64) as that IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else { return ip };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let s = v6.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    let compatible = s[..6] == [0; 6] && !matches!(u32::from(tail), 0 | 1);
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    let nat64_local = s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1;
    if compatible || nat64 || nat64_local {
        IpAddr::V4(tail)
    } else {
        ip
    }
}

/// Addresses no cluster's API server is at, for any scheme.
pub(super) fn refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.octets()[0] == 0 // 0.0.0.0/8: "this network", 0.0.0.0 reaches the host itself
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || METADATA_V4.contains(&v4)
        }
        IpAddr::V6(v6) => {
            v6.is_unspecified()
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6.is_multicast()
                || METADATA_V6.contains(&v6)
        }
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
    fn the_metadata_address_is_refused_in_every_spelling() {
        for url in [
            "https://169.254.169.254",
            "https://2852039166",               // decimal
            "https://0251.0376.0251.0376",      // octal
            "https://0xa9fea9fe",               // hex
            "https://0xA9.0xFE.0xA9.0xFE",      // hex per part
            "https://169.254.43518",            // short form a.b.c
            "https://169.16689662",             // short form a.b
            "https://169.254.169.254.",         // trailing dot
            "https://[::ffff:169.254.169.254]", // IPv4-mapped
            "https://[::ffff:a9fe:a9fe]:6443",
            "https://[::169.254.169.254]",        // IPv4-compatible
            "https://[64:ff9b::169.254.169.254]", // NAT64
            "https://[64:ff9b:1::a9fe:a9fe]",     // local-use NAT64
            "https://[fd00:ec2::254]",            // AWS over IPv6
            "https://100.100.100.200",            // Alibaba Cloud
            "https://metadata.google.internal",
            "https://METADATA.google.internal.",
            "http://169.254.169.254",
        ] {
            assert!(!ok(url), "{url} was accepted");
        }
    }

    #[test]
    fn unspecified_and_multicast_addresses_are_refused_in_every_spelling() {
        for url in [
            "https://0",
            "https://0x0",
            "https://0.1.2.3",
            "https://[::]",
            "https://[::ffff:0.0.0.0]",
            "https://224.0.0.1",
            "https://[ff02::1]",
            "https://255.255.255.255",
        ] {
            assert!(!ok(url), "{url} was accepted");
        }
    }

    #[test]
    fn loopback_over_http_is_judged_after_normalising_the_address() {
        assert!(ok("http://2130706433:8001")); // 127.0.0.1
        assert!(ok("http://0x7f.1:8001"));
        assert!(ok("http://[::ffff:127.0.0.1]:8001"));
        assert!(ok("http://127.1.2.3:8001"));
        // a public address spelled in decimal is still not loopback
        assert!(!ok("http://167772161")); // 10.0.0.1
        assert!(ok("https://167772161"));
    }

    #[test]
    fn ordinary_ipv6_addresses_are_left_as_they_are() {
        use std::net::IpAddr;
        for a in ["2001:db8::1", "::1", "::", "fd00::1"] {
            let ip: IpAddr = a.parse().unwrap();
            assert_eq!(super::canonical(ip), ip, "{a}");
        }
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(
            super::canonical(mapped),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn the_url_never_appears_in_the_error() {
        let e = check_server("http://secret-host.example:1/", "x").unwrap_err();
        assert!(!e.to_string().contains("secret-host"), "{e}");
    }
}

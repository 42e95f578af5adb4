//! Kube errors as messages a user can act on. A remote server chooses the body
//! of its answers (kube puts it in `Status.message`) and a credential plugin
//! chooses its output: neither is ever copied into an error, only the HTTP
//! status code, what we were doing and a class of failure.

use crate::error::Error;

/// Why talking to a live cluster failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Nothing answered at the address (refused, reset, no route, unknown host).
    Unreachable,
    /// The TLS handshake failed (untrusted or mismatched certificate, not TLS).
    Tls,
    /// The server did not answer in time.
    Timeout,
    /// The cluster rejected the credentials (HTTP 401).
    Unauthenticated,
    /// The credentials lack a permission (HTTP 403).
    Forbidden,
    /// The server answered with another error status.
    Refused(u16),
    /// Credentials could not be obtained (exec plugin, token).
    Credentials,
    /// The server's answer could not be read.
    BadAnswer,
    /// Anything else.
    Other,
}

/// Classifies a kube error without looking at what the remote server sent.
pub fn classify(e: &kube::Error) -> Failure {
    match e {
        kube::Error::Api(s) if s.code == 401 => Failure::Unauthenticated,
        kube::Error::Api(s) if s.code == 403 => Failure::Forbidden,
        kube::Error::Api(s) => Failure::Refused(s.code),
        kube::Error::Auth(_) => Failure::Credentials,
        kube::Error::SerdeError(_) | kube::Error::FromUtf8(_) => Failure::BadAnswer,
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::RustlsTls(_) => {
            transport(e)
        }
        _ => Failure::Other,
    }
}

/// Looks through the chain of causes (all from local libraries: hyper, rustls, the OS).
fn transport(e: &(dyn std::error::Error + 'static)) -> Failure {
    let mut timed_out = false;
    let mut tls = matches!(
        e.downcast_ref::<kube::Error>(),
        Some(kube::Error::RustlsTls(_))
    );
    let mut unreachable = false;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                TimedOut => timed_out = true,
                ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected
                | HostUnreachable | NetworkUnreachable | AddrNotAvailable | NotFound => {
                    unreachable = true
                }
                _ => {}
            }
        }
        let text = c.to_string().to_ascii_lowercase();
        timed_out |= text.contains("timed out") || text.contains("deadline has elapsed");
        tls |= ["certificate", "tls", "handshake", "corrupt message"]
            .iter()
            .any(|w| text.contains(w));
        unreachable |= [
            "dns error",
            "connect error",
            "connection refused",
            "connection closed",
        ]
        .iter()
        .any(|w| text.contains(w));
        cause = c.source();
    }
    if timed_out {
        Failure::Timeout
    } else if tls {
        Failure::Tls
    } else if unreachable {
        Failure::Unreachable
    } else {
        Failure::Other
    }
}

/// Maps a kube error to one that says what failed while doing `action` (e.g.
/// "list nodes", which also names the permission asked for).
pub fn api_error(e: kube::Error, action: &str) -> Error {
    let class = classify(&e);
    if matches!(class, Failure::Credentials | Failure::Other) {
        // the kind of error helps the operator; its text may hold plugin output
        tracing::warn!(failure = ?class, "kube error while trying to {action}");
    }
    match class {
        Failure::Unreachable => Error::Cluster(format!("cluster unreachable while trying to {action}: nothing answered at the API server's address")),
        Failure::Tls => Error::Cluster(format!("TLS with the API server failed while trying to {action}: its certificate is not trusted, does not match, or it does not speak TLS")),
        Failure::Timeout => Error::Cluster(format!("the API server timed out while trying to {action}")),
        Failure::Unauthenticated => Error::Cluster(format!("the cluster rejected the credentials (expired or invalid) while trying to {action} (HTTP 401)")),
        Failure::Forbidden => Error::Cluster(format!("missing permission: cannot {action} (HTTP 403)")),
        Failure::Refused(code) => Error::Cluster(format!("the API server refused to {action} (HTTP {code})")),
        Failure::Credentials => Error::Cluster(format!("the cluster's credentials could not be obtained while trying to {action} (the credential plugin or token failed)")),
        Failure::BadAnswer => Error::Cluster(format!("the API server's answer could not be read while trying to {action}")),
        Failure::Other => Error::Cluster(format!("talking to the cluster failed while trying to {action}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    fn status(code: u16) -> kube::Error {
        let mut s = Status::failure("MARKER-from-the-remote-server", "Reason");
        s.code = code;
        kube::Error::Api(Box::new(s))
    }

    #[test]
    fn statuses_are_classified_and_the_remote_message_dropped() {
        for (code, want, class) in [
            (401, "rejected the credentials", Failure::Unauthenticated),
            (
                403,
                "missing permission: cannot list nodes",
                Failure::Forbidden,
            ),
            (
                500,
                "refused to list nodes (HTTP 500)",
                Failure::Refused(500),
            ),
        ] {
            assert_eq!(classify(&status(code)), class);
            let e = api_error(status(code), "list nodes");
            // the cluster's failure, not the caller's input nor their permission
            assert!(matches!(e, Error::Cluster(_)), "{e:?}");
            let m = e.to_string();
            assert!(m.contains(want), "{m}");
            assert!(!m.contains("MARKER"), "{m}");
        }
    }

    #[test]
    fn an_unreadable_answer_does_not_quote_it() {
        let bad = serde_json::from_str::<u8>("\"MARKER\"").unwrap_err();
        let m = api_error(kube::Error::SerdeError(bad), "list pods").to_string();
        assert!(
            m.contains("could not be read") && !m.contains("MARKER"),
            "{m}"
        );
    }
}

//! `cis-scan reports` and `cis-scan report ID` when something is wrong: no or a
//! refused token, an unknown or foreign report, no service, or something else
//! answering. Messages name the server and reason, never the token or a foreign body.

use crate::cli::cli_remote::{cis, scanned, stderr};
use crate::support::app::spawn_app;
use crate::support::process::refusing_address;
use cis_scan::service::auth::{create, create_token, TokenRequest};

#[actix_web::test]
async fn reports_of_another_owners_cluster_is_not_found() {
    let app = spawn_app().await;
    let owner = create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    let o = cis(
        &app.address,
        Some(&owner),
        &["reports", "--cluster", "demo"],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cluster demo not found"),
        "{}",
        stderr(&o)
    );
}

#[actix_web::test]
async fn without_a_token_the_user_is_told_to_set_cis_scan_token() {
    let app = spawn_app().await;
    let o = cis(&app.address, None, &["reports"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("set CIS_SCAN_TOKEN"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[actix_web::test]
async fn an_unknown_token_is_refused_with_the_services_reason() {
    let app = spawn_app().await;
    let o = cis(&app.address, Some("not-a-real-token"), &["reports"]).await;
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("refused the token: the token is not known"),
        "{err}"
    );
    assert!(!err.contains("not-a-real-token"), "{err}");
}

#[actix_web::test]
async fn an_expired_token_is_refused_naming_when_it_expired() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let req = TokenRequest {
        lifetime: Some(chrono::Duration::hours(-1)),
        ..Default::default()
    };
    let (_, expired) = create(app.state.store(), req).await.unwrap();
    let o = cis(&app.address, Some(&expired), &["report", &id]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("refused the token: the token expired at "),
        "{}",
        stderr(&o)
    );
}

#[actix_web::test]
async fn an_unknown_report_id_is_not_found() {
    let app = spawn_app().await;
    let id = uuid::Uuid::new_v4().to_string();
    let o = cis(&app.address, Some(&app.admin), &["report", &id]).await;
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        format!("cis-scan: report {id} not found")
    );
}

#[actix_web::test]
async fn a_report_of_another_owners_cluster_is_not_found() {
    let app = spawn_app().await;
    let id = scanned(&app, "demo").await;
    let owner = create_token(app.state.store(), Some("other"))
        .await
        .unwrap();
    for format in ["table", "csv"] {
        let o = cis(
            &app.address,
            Some(&owner),
            &["report", &id, "--format", format],
        )
        .await;
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains(&format!("report {id} not found")),
            "{}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}

#[actix_web::test]
async fn an_unreachable_server_is_named_without_the_token() {
    // the port stays bound (and so refused) until the end of the test
    let (_held, address) = refusing_address();
    let server = format!("http://{address}");
    let secret = "cis_tok_do-not-print-me";
    let o = cis(&server, Some(secret), &["reports"]).await;
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("cannot reach {server}: connection refused")),
        "{err}"
    );
    assert!(!err.contains(secret), "{err}");
}

/// A one-answer HTTP server that is not cis-scan: `status` and an HTML body with a marker.
fn impostor(status: &str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let status = status.to_string();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let body = "<html>IMPOSTOR-MARKER</html>";
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    address
}

#[actix_web::test]
async fn an_answer_that_is_not_the_services_is_never_echoed() {
    let id = uuid::Uuid::new_v4().to_string();
    for status in ["200 OK", "404 Not Found", "502 Bad Gateway"] {
        for args in [vec!["reports"], vec!["report", &id]] {
            let server = impostor(status);
            let o = cis(&server, Some("t"), &args).await;
            assert_eq!(o.status.code(), Some(2));
            let err = stderr(&o);
            assert!(err.contains(&server), "{status} {args:?}: {err}");
            assert!(!err.contains("IMPOSTOR"), "{err}");
            assert!(!err.contains("not found"), "{status} {args:?}: {err}");
        }
    }
}

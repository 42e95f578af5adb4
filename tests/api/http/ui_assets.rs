//! The UI's files over HTTP: served from the binary only, with a strict Content
//! Security Policy, revalidated by ETag, compressed on request.

use crate::support::app::spawn_app;

#[actix_web::test]
async fn the_ui_and_graphiql_pages_carry_a_policy_that_allows_only_the_service_itself() {
    let app = spawn_app().await;
    for path in ["/", "/graphiql"] {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("script-src 'self';"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        let html = r.text().await.unwrap();
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{path} names another host"
        );
        // every script and stylesheet the page names is served by the service
        for part in html
            .split(['"', '\''])
            .filter(|p| p.starts_with("/assets/"))
        {
            let a = app
                .client
                .get(format!("{}{part}", app.address))
                .send()
                .await
                .unwrap();
            assert_eq!(a.status(), 200, "{part}");
        }
    }
}

#[actix_web::test]
async fn only_embedded_files_are_served_never_the_disk() {
    let app = spawn_app().await;
    for path in [
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/assets/..%2fCargo.toml",
        "/assets/app",
        "/assets/web/index.html",
        "/assets/",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

#[actix_web::test]
async fn an_unchanged_asset_is_answered_not_modified_and_big_ones_are_gzipped() {
    let app = spawn_app().await;
    let url = format!("{}/assets/vendor/graphiql-3.9.0.min.js", app.address);
    let r = app
        .client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let again = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
}

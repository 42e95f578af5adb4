//! The web UI and GraphiQL, served from files embedded in the binary: no request
//! leaves the server and `cargo build` needs no Node. Pinned third-party files and
//! their licences are listed in web/vendor/LICENSES.md.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One embedded file: its URL path under `/assets/`, media type and bytes.
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $ty:expr) => {
        Asset {
            path: $path,
            content_type: $ty,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// Every embedded file. The UI's own files are those outside `vendor/`.
pub const ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("graphiql.html", HTML),
    asset!("graphiql-init.js", JS),
    asset!("app.css", CSS),
    asset!("app/main.js", JS),
    asset!("app/api.js", JS),
    asset!("app/router.js", JS),
    asset!("app/widgets.js", JS),
    asset!("app/signin.js", JS),
    asset!("app/overview.js", JS),
    asset!("app/cluster.js", JS),
    asset!("app/scan.js", JS),
    asset!("app/schedules.js", JS),
    asset!("app/skips.js", JS),
    asset!("app/report.js", JS),
    asset!("app/check.js", JS),
    asset!("app/fleet.js", JS),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("vendor/htm-preact-3.1.1.js", JS),
    asset!("vendor/react-18.3.1.min.js", JS),
    asset!("vendor/react-dom-18.3.1.min.js", JS),
    asset!("vendor/graphiql-3.9.0.min.js", JS),
    asset!("vendor/graphiql-3.9.0.min.css", CSS),
    asset!("vendor/LICENSES.md", "text/markdown; charset=utf-8"),
];

/// Pages may load only what this server serves and talk only to it (websockets
/// included); GraphiQL's editor sets inline styles, nothing runs inline script.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Assets by path, each with its strong ETag, built once.
fn table() -> &'static HashMap<&'static str, (&'static Asset, String)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static Asset, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.bytes);
                (a.path, (a, format!("\"{}\"", hex::encode(&digest[..12]))))
            })
            .collect()
    })
}

/// The response for an embedded file: 304 when the browser holds this version.
fn respond(req: &HttpRequest, path: &str) -> HttpResponse {
    let Some((asset, etag)) = table().get(path) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag.as_str()))
        // revalidate every time: a new binary serves new files under the same names
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if asset.content_type == HTML {
        res.insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"));
    }
    if fresh {
        return res.finish();
    }
    res.content_type(asset.content_type).body(asset.bytes)
}

/// GET /: the web UI (its pages are addressed by the URL's fragment, `/#/reports/ID`).
pub async fn index(req: HttpRequest) -> HttpResponse {
    respond(&req, "index.html")
}

/// GET /graphiql: GraphiQL, from embedded assets.
pub async fn graphiql(req: HttpRequest) -> HttpResponse {
    respond(&req, "graphiql.html")
}

/// GET /assets/{path}: an embedded file; anything else is 404 (never a disk read).
pub async fn file(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    respond(&req, &path)
}

/// Gzipped size of the UI's own files (vendor files apart), for the size budget.
#[cfg(test)]
fn own_assets() -> impl Iterator<Item = &'static Asset> {
    ASSETS.iter().filter(|a| !a.path.starts_with("vendor/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_path_is_unique_and_typed() {
        assert_eq!(table().len(), ASSETS.len());
        for a in ASSETS {
            assert!(!a.bytes.is_empty(), "{} is empty", a.path);
            let ext = a.path.rsplit('.').next().unwrap();
            let expected = match ext {
                "js" => JS,
                "css" => CSS,
                "html" => HTML,
                "svg" => "image/svg+xml",
                "md" => "text/markdown; charset=utf-8",
                other => panic!("no media type for .{other}"),
            };
            assert_eq!(a.content_type, expected, "{}", a.path);
        }
    }

    #[test]
    fn the_ui_own_assets_stay_under_300_kb_gzipped() {
        use flate2::{write::GzEncoder, Compression};
        use std::io::Write;
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        for a in own_assets() {
            gz.write_all(a.bytes).unwrap();
        }
        let size = gz.finish().unwrap().len();
        assert!(size < 300 * 1024, "UI assets are {size} bytes gzipped");
        assert!(size > 1024, "the UI's files are missing: {size} bytes");
    }

    #[test]
    fn no_embedded_page_or_script_of_ours_names_another_host() {
        for a in own_assets() {
            let text = std::str::from_utf8(a.bytes).unwrap();
            for scheme in ["http://", "https://", "//unpkg", "//cdn"] {
                assert!(
                    !text.contains(scheme) || a.path.ends_with(".svg"),
                    "{} names {scheme}",
                    a.path
                );
            }
        }
    }
}

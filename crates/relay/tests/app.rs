//! The router, called in-process: content types, compression, cache and security headers, the
//! app's routes, health, and the start-up checks.

mod common;

use std::io::Read;

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use common::{built_app, TestApp, CSS, JS, LOADER, WASM};
use dreieck_relay::{app, Error, Relay};
use sha2::Digest as _;
use tower::ServiceExt as _;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map(|value| value.to_str().expect("ascii header"))
            .unwrap_or("")
    }
}

fn router(test: &TestApp) -> Router {
    app(&Relay::open(&test.config).expect("relay opens"))
}

async fn send(router: &Router, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(router: &Router, path: &str) -> Reply {
    send(router, Method::GET, path, &[]).await
}

async fn get_encoded(router: &Router, path: &str, accept_encoding: &str) -> Reply {
    send(
        router,
        Method::GET,
        path,
        &[("accept-encoding", accept_encoding)],
    )
    .await
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

#[tokio::test]
async fn wasm_is_served_as_application_wasm() {
    let test = built_app();
    let reply = get(&router(&test), WASM).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/wasm");
    assert_eq!(reply.header(header::CONTENT_ENCODING), "");
    assert_eq!(reply.body, common::wasm_bytes());
}

#[tokio::test]
async fn content_types_of_the_other_files() {
    let test = built_app();
    let router = router(&test);
    for (path, expected) in [
        (JS, "text/javascript"),
        ("/sw.js", "text/javascript"),
        (CSS, "text/css"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/icons/icon.svg", "image/svg+xml"),
        ("/icons/icon-192.png", "image/png"),
        ("/", "text/html"),
    ] {
        let reply = get(&router, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply.header(header::CONTENT_TYPE).starts_with(expected),
            "{path}: {}",
            reply.header(header::CONTENT_TYPE)
        );
    }
}

#[tokio::test]
async fn brotli_when_the_client_accepts_it() {
    let test = built_app();
    let reply = get_encoded(&router(&test), WASM, "gzip, deflate, br").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_ENCODING), "br");
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/wasm");
    assert!(reply.header(header::VARY).contains("accept-encoding"));
    assert!(reply.body.len() < common::wasm_bytes().len());
    assert_eq!(unbrotli(&reply.body), common::wasm_bytes());
}

#[tokio::test]
async fn gzip_when_the_client_accepts_only_gzip() {
    let test = built_app();
    let reply = get_encoded(&router(&test), JS, "gzip").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_ENCODING), "gzip");
    assert!(reply
        .header(header::CONTENT_TYPE)
        .starts_with("text/javascript"));
    assert!(reply.header(header::VARY).contains("accept-encoding"));
    assert!(reply.body.len() < common::js_text().len());
    assert_eq!(gunzip(&reply.body), common::js_text().as_bytes());
}

#[tokio::test]
async fn index_is_compressed_too() {
    let test = built_app();
    let reply = get_encoded(&router(&test), "/", "br").await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "br");
    assert_eq!(unbrotli(&reply.body), common::index_html().as_bytes());
}

#[tokio::test]
async fn uncompressed_without_accept_encoding() {
    let test = built_app();
    let reply = get(&router(&test), JS).await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "");
    assert_eq!(reply.body, common::js_text().as_bytes());
    assert!(reply.header(header::VARY).contains("accept-encoding"));
}

#[tokio::test]
async fn precompressed_files_are_served_when_present() {
    let test = built_app();
    // Marker bytes, not real brotli/gzip: proves the sibling file was sent as it is.
    std::fs::write(
        test.dist().join(format!("{}.br", &WASM[1..])),
        b"precompressed br",
    )
    .expect("write .br");
    std::fs::write(
        test.dist().join(format!("{}.gz", &JS[1..])),
        b"precompressed gz",
    )
    .expect("write .gz");
    let router = router(&test);

    let reply = get_encoded(&router, WASM, "gzip, br").await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "br");
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/wasm");
    assert_eq!(reply.header(header::CACHE_CONTROL), IMMUTABLE);
    assert!(reply.header(header::VARY).contains("accept-encoding"));
    assert_eq!(reply.body, b"precompressed br");

    let reply = get_encoded(&router, JS, "gzip").await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "gzip");
    assert_eq!(reply.body, b"precompressed gz");

    // No .gz beside the wasm: compressed on the fly instead.
    let reply = get_encoded(&router, WASM, "gzip").await;
    assert_eq!(reply.header(header::CONTENT_ENCODING), "gzip");
    assert_eq!(gunzip(&reply.body), common::wasm_bytes());
}

#[tokio::test]
async fn cache_headers() {
    let test = built_app();
    let router = router(&test);
    for (path, expected) in [
        ("/", "no-cache"),
        ("/index.html", "no-cache"),
        ("/sw.js", "no-cache"),
        ("/manifest.webmanifest", "no-cache"),
        (JS, IMMUTABLE),
        (WASM, IMMUTABLE),
        (CSS, IMMUTABLE),
        ("/icons/icon.svg", "public, max-age=86400"),
        ("/icons/icon-192.png", "public, max-age=86400"),
        ("/bericht/7", "no-cache"),
        ("/missing-0123456789abcdef.js", "no-store"),
        ("/healthz", "no-store"),
    ] {
        let reply = get(&router, path).await;
        assert_eq!(reply.header(header::CACHE_CONTROL), expected, "{path}");
    }
}

#[tokio::test]
async fn security_headers_everywhere() {
    let test = built_app();
    let router = router(&test);
    for path in ["/", WASM, "/sw.js", "/bericht/7", "/nope.png", "/healthz"] {
        let reply = get(&router, path).await;
        assert_eq!(
            reply.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            reply.header(header::REFERRER_POLICY),
            "no-referrer",
            "{path}"
        );
        let policy = reply.header(header::CONTENT_SECURITY_POLICY);
        assert!(policy.contains("default-src 'self'"), "{path}: {policy}");
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {policy}"
        );
    }
}

/// What a browser computes for the loader script: it runs only if the policy names this hash.
fn loader_hash() -> String {
    let digest = sha2::Sha256::digest(LOADER.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[tokio::test]
async fn index_policy_allows_exactly_its_inline_loader() {
    let test = built_app();
    let reply = get(&router(&test), "/").await;
    let policy = reply.header(header::CONTENT_SECURITY_POLICY);
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src"))
        .expect("script-src");
    assert_eq!(
        script_src,
        format!("script-src 'self' 'wasm-unsafe-eval' {}", loader_hash())
    );
}

#[tokio::test]
async fn a_rebuilt_index_gets_a_matching_policy() {
    let test = built_app();
    let router = router(&test);
    let before = get(&router, "/").await;
    let new_index = common::index_html().replace("init({", "init( {");
    std::fs::write(test.dist().join("index.html"), &new_index).expect("rewrite");
    let after = get(&router, "/").await;
    assert_eq!(after.body, new_index.as_bytes());
    assert_ne!(
        before.header(header::CONTENT_SECURITY_POLICY),
        after.header(header::CONTENT_SECURITY_POLICY)
    );
    assert_ne!(before.header(header::ETAG), after.header(header::ETAG));
}

#[tokio::test]
async fn index_revalidates_with_etag() {
    let test = built_app();
    let router = router(&test);
    let first = get(&router, "/").await;
    let etag = first.header(header::ETAG).to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let again = send(&router, Method::GET, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header(header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn app_routes_fall_back_to_index() {
    let test = built_app();
    let router = router(&test);
    for path in ["/bericht/42", "/berichte", "/icons", "/einladung/abc/"] {
        let reply = get(&router, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.header(header::CONTENT_TYPE).starts_with("text/html"));
        assert_eq!(reply.header(header::CACHE_CONTROL), "no-cache");
        assert_eq!(reply.body, common::index_html().as_bytes(), "{path}");
        assert!(reply
            .header(header::CONTENT_SECURITY_POLICY)
            .contains(&loader_hash()));
    }
}

#[tokio::test]
async fn missing_files_are_404() {
    let test = built_app();
    let router = router(&test);
    for path in [
        "/dreieck-0123456789abcdef_bg.wasm",
        "/icons/nope.png",
        "/favicon.ico",
        "/bericht/42/bild.jpg",
        "/../Cargo.toml",
    ] {
        let reply = get(&router, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!reply.body.starts_with(b"<!DOCTYPE"), "{path}");
    }
}

#[tokio::test]
async fn only_reads_are_served() {
    let test = built_app();
    let reply = send(&router(&test), Method::POST, "/", &[]).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    let reply = send(&router(&test), Method::PUT, JS, &[]).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn healthz_reports_ok_and_version() {
    let test = built_app();
    let reply = get(&router(&test), "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .header(header::CONTENT_TYPE)
        .starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&reply.body).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[test]
fn open_creates_the_data_directory() {
    let test = built_app();
    assert!(!test.config.data.exists());
    let relay = Relay::open(&test.config).expect("opens");
    assert!(test.config.data.is_dir());
    assert_eq!(relay.data_dir(), test.config.data);
}

#[test]
fn missing_dist_is_an_error_not_a_panic() {
    let test = built_app();
    let mut config = test.config.clone();
    config.dist = test.dir.path().join("no-such-dist");
    let error = Relay::open(&config).expect_err("must fail");
    assert!(matches!(error, Error::DistMissing(_)), "{error:?}");
    assert!(error.to_string().contains("no-such-dist"), "{error}");
}

#[test]
fn dist_without_index_is_an_error() {
    let test = built_app();
    std::fs::remove_file(test.dist().join("index.html")).expect("remove");
    let error = Relay::open(&test.config).expect_err("must fail");
    assert!(matches!(error, Error::IndexMissing(_)), "{error:?}");
}

#[tokio::test]
async fn bind_reports_a_missing_dist() {
    let test = built_app();
    let mut config = test.config.clone();
    config.dist = test.dir.path().join("no-such-dist");
    let result = dreieck_relay::Server::bind(&config).await;
    assert!(matches!(result, Err(Error::DistMissing(_))));
}

#[test]
fn flags_and_defaults() {
    use clap::Parser as _;
    let config = dreieck_relay::Config::try_parse_from(["dreieck-relay"]).expect("defaults");
    // The defaults, unless the environment of the test run sets DREIECK_* (then skip).
    if std::env::vars()
        .all(|(name, _)| !name.starts_with("DREIECK_") || name.starts_with("DREIECK_TEST_"))
    {
        assert_eq!(config.host, "127.0.0.1");
        assert_eq!(config.port, 8080);
        assert_eq!(config.dist, std::path::PathBuf::from("dist"));
        assert_eq!(config.data, std::path::PathBuf::from("data"));
    }
    let config = dreieck_relay::Config::try_parse_from([
        "dreieck-relay",
        "--host",
        "0.0.0.0",
        "--port",
        "9000",
        "--dist",
        "/srv/app",
        "--data",
        "/var/lib/dreieck",
    ])
    .expect("flags");
    assert_eq!(config.host, "0.0.0.0");
    assert_eq!(config.port, 9000);
    assert_eq!(config.dist, std::path::PathBuf::from("/srv/app"));
    assert_eq!(config.data, std::path::PathBuf::from("/var/lib/dreieck"));
    // xtask spells it --data-dir.
    let config = dreieck_relay::Config::try_parse_from(["dreieck-relay", "--data-dir", "/tmp/d"])
        .expect("--data-dir");
    assert_eq!(config.data, std::path::PathBuf::from("/tmp/d"));
}

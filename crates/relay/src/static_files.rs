//! Hosting the built app: `index.html` (also for every app route), the files beside it, and the
//! headers that every response gets (cache policy, content type, security).

use std::convert::Infallible;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

use crate::csp;

/// `index.html`, `sw.js` and the manifest must be checked on every load, so that a new version
/// (with new hashed file names) is picked up at once.
pub(crate) const NO_CACHE: &str = "no-cache";
/// A file with a content hash in its name never changes: a new build gives it a new name.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Other files (icons, pictograms) may change under the same name; a day is short enough.
pub(crate) const SHORT: &str = "public, max-age=86400";
/// Errors are never cached.
pub(crate) const NO_STORE: &str = "no-store";

/// The policy for responses that are not `index.html`: no inline script is allowed there.
static BASE_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&csp::policy(&[]))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
});

/// The built app on disk.
#[derive(Debug)]
pub(crate) struct Site {
    pub(crate) dist: PathBuf,
}

/// The service for every path that is not a route of its own: the file from `dist/` (its
/// precompressed `.br`/`.gz` sibling when there is one and the client accepts it), else
/// `index.html` for app routes.
pub(crate) fn files(site: Arc<Site>) -> ServeDir<AppRoutes> {
    ServeDir::new(&site.dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(AppRoutes(site))
}

/// What `ServeDir` calls when no file matches: a path without a file extension is a route of
/// the single-page app and gets `index.html`; a missing file (with an extension) is a 404.
#[derive(Clone, Debug)]
pub(crate) struct AppRoutes(Arc<Site>);

impl tower::Service<Request> for AppRoutes {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let site = Arc::clone(&self.0);
        Box::pin(async move {
            let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
            if !is_read || looks_like_file(request.uri().path()) {
                return Ok(not_found());
            }
            Ok(index_response(&site, request.headers()).await)
        })
    }
}

/// `GET /` and `GET /index.html`.
pub(crate) async fn index(State(site): State<Arc<Site>>, headers: HeaderMap) -> Response {
    index_response(&site, &headers).await
}

/// `index.html`, read per request (it is small), with a policy that names the hashes of exactly
/// the inline scripts in the bytes served, and a weak ETag so a revalidation costs a 304.
async fn index_response(site: &Site, request_headers: &HeaderMap) -> Response {
    let path = site.dist.join("index.html");
    let html = match tokio::fs::read(&path).await {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "index.html nicht lesbar");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Die App ist gerade nicht verfügbar.",
            )
                .into_response();
        }
    };
    let hashes = csp::inline_script_hashes(&String::from_utf8_lossy(&html));
    let policy =
        HeaderValue::from_str(&csp::policy(&hashes)).unwrap_or_else(|_| BASE_POLICY.clone());
    let etag = weak_etag(&html);

    let mut response = if etag_matches(request_headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Nicht gefunden.").into_response()
}

fn weak_etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// `If-None-Match` with weak comparison (RFC 9110 13.1.2).
fn etag_matches(request_headers: &HeaderMap, etag: &str) -> bool {
    let ours = etag.trim_start_matches("W/");
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

/// Headers for every response: the security headers, and — where the handler set none — the
/// cache policy, the pinned content type and `Vary: Accept-Encoding`.
pub(crate) async fn response_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();

    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, BASE_POLICY.clone());
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if status.is_success() || status == StatusCode::NOT_MODIFIED {
            cache_policy(&path)
        } else {
            NO_STORE
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    if status.is_success() && headers.contains_key(header::CONTENT_TYPE) {
        if let Some(content_type) = content_type(&path) {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
    }
    let varies_by_encoding = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|name| name.trim().eq_ignore_ascii_case("accept-encoding") || name.trim() == "*");
    if !varies_by_encoding && (status.is_success() || status == StatusCode::NOT_MODIFIED) {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// The last segment of a URL path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a path names a file (it has an extension) rather than a route of the app.
pub(crate) fn looks_like_file(path: &str) -> bool {
    file_name(path).contains('.')
}

/// The `Cache-Control` value for a successful response to `path`.
pub(crate) fn cache_policy(path: &str) -> &'static str {
    let name = file_name(path);
    if !name.contains('.')
        || name.ends_with(".html")
        || name == "sw.js"
        || name.ends_with(".webmanifest")
    {
        NO_CACHE
    } else if has_content_hash(name) {
        IMMUTABLE
    } else {
        SHORT
    }
}

/// Whether a file name carries a content hash the way Trunk writes them: `name-<hash>.ext`,
/// `name-<hash>_bg.wasm`, or `<hash>-name.ext`, where `<hash>` is a 64-bit hash in lowercase hex
/// without leading zeros (so 8 to 16 digits in practice).
pub(crate) fn has_content_hash(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem
        .strip_suffix("_bg")
        .or_else(|| stem.strip_suffix("_loader"))
        .unwrap_or(stem);
    let is_hash = |part: &str| {
        (8..=16).contains(&part.len())
            && part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match (stem.split_once('-'), stem.rsplit_once('-')) {
        (Some((first, _)), Some((_, last))) => is_hash(first) || is_hash(last),
        _ => false,
    }
}

/// The content types the app depends on, pinned here rather than left to a guessing table
/// (a wasm module is only streamed and compiled when served as `application/wasm`).
pub(crate) fn content_type(path: &str) -> Option<&'static str> {
    let name = file_name(path);
    let (_, extension) = name.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_names_are_hashed() {
        assert!(has_content_hash("dreieck-1a2b3c4d5e6f7a8b.js"));
        assert!(has_content_hash("dreieck-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(has_content_hash("main-a2b3c4d5e6f7a8b.css"));
        assert!(has_content_hash("1a2b3c4d5e6f7a8b-initializer.js"));
        assert!(has_content_hash("dreieck-app-0123456789abcdef.js"));
    }

    #[test]
    fn plain_names_are_not_hashed() {
        assert!(!has_content_hash("sw.js"));
        assert!(!has_content_hash("icon-192.png"));
        assert!(!has_content_hash("icon.svg"));
        assert!(!has_content_hash("dreieck.js"));
        assert!(!has_content_hash("dreieck-1A2B3C4D5E6F7A8B.js"));
        assert!(!has_content_hash("dreieck-1a2b3c4d5e6f7a8b9.js"));
    }

    #[test]
    fn cache_policies() {
        assert_eq!(cache_policy("/"), NO_CACHE);
        assert_eq!(cache_policy("/index.html"), NO_CACHE);
        assert_eq!(cache_policy("/bericht/42"), NO_CACHE);
        assert_eq!(cache_policy("/sw.js"), NO_CACHE);
        assert_eq!(cache_policy("/manifest.webmanifest"), NO_CACHE);
        assert_eq!(cache_policy("/dreieck-1a2b3c4d5e6f7a8b_bg.wasm"), IMMUTABLE);
        assert_eq!(cache_policy("/icons/icon-192.png"), SHORT);
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("/a_bg.wasm"), Some("application/wasm"));
        assert_eq!(
            content_type("/m.webmanifest"),
            Some("application/manifest+json")
        );
        assert_eq!(content_type("/icons/i.SVG"), Some("image/svg+xml"));
        assert_eq!(content_type("/route"), None);
        assert_eq!(content_type("/x.unknownext"), None);
    }

    #[test]
    fn etags_compare_weakly() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"other\", \"abc\""),
        );
        assert!(etag_matches(&headers, "W/\"abc\""));
        assert!(!etag_matches(&headers, "W/\"abd\""));
        assert!(!etag_matches(&HeaderMap::new(), "W/\"abc\""));
    }
}

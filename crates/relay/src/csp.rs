//! The Content-Security-Policy, with the hashes of the inline scripts in `index.html`.
//!
//! Trunk writes the code that loads the wasm module as an inline `<script type="module">` into
//! `index.html`. Rather than allow every inline script (`'unsafe-inline'`), the policy names the
//! exact scripts by their SHA-256 hash, computed from the very bytes that are served, so a rebuilt
//! `dist/` never meets a stale policy.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The policy for every response. `script_hashes` are CSP source expressions like
/// `'sha256-…'`; only HTML documents need them.
///
/// - `'wasm-unsafe-eval'` lets the page compile WebAssembly, and nothing else (no `eval`).
/// - `style-src 'unsafe-inline'`: the views set `style="…"` attributes (Leptos), which a hash
///   cannot cover. Styles cannot run code, so this is the usual compromise.
/// - `img-src data: blob:`: QR codes and pictures that the app makes itself.
/// - `connect-src 'self'` covers the relay's own WebSocket endpoint too (same origin).
pub(crate) fn policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
         manifest-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The CSP source expressions (`'sha256-…'`) of every inline script in `html`.
pub(crate) fn inline_script_hashes(html: &str) -> Vec<String> {
    inline_scripts(html)
        .into_iter()
        .map(|text| {
            // The HTML parser turns CR LF and lone CR into LF before the browser hashes a script.
            let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
            let digest = Sha256::digest(normalized.as_bytes());
            format!("'sha256-{}'", STANDARD.encode(digest))
        })
        .collect()
}

/// The text of every `<script>` element without a `src` attribute, exactly as written.
///
/// A small scanner, not a full HTML parser: it skips comments, respects quoted attribute values
/// (which may contain `>`), and ends a script at the first `</script`, as the HTML tokenizer does.
pub(crate) fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut scripts = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find('<') {
        let start = pos + found;
        let rest = &lower[start..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            pos = match comment.find("-->") {
                Some(end) => start + 4 + end + 3,
                None => break,
            };
            continue;
        }
        let after_name = start + "<script".len();
        let is_script_tag = rest.starts_with("<script")
            && matches!(bytes.get(after_name), Some(b) if b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        if !is_script_tag {
            pos = start + 1;
            continue;
        }
        let Some(tag_end) = tag_end(bytes, after_name) else {
            break;
        };
        let content_start = tag_end + 1;
        let content_end = lower[content_start..]
            .find("</script")
            .map_or(lower.len(), |end| content_start + end);
        if !has_attribute(&lower[after_name..tag_end], "src") {
            scripts.push(&html[content_start..content_end]);
        }
        pos = content_end;
    }
    scripts
}

/// The index of the `>` that closes a tag whose attributes start at `from`.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (offset, &b) in bytes[from..].iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(from + offset),
            None => {}
        }
    }
    None
}

/// Whether the (lowercased) attribute text of a tag names `wanted`.
fn has_attribute(attributes: &str, wanted: &str) -> bool {
    let bytes = attributes.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && bytes[i] != b'='
            && bytes[i] != b'/'
        {
            i += 1;
        }
        if &attributes[name_start..i] == wanted {
            return true;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Trunk 0.21 writes into `dist/index.html` (shape of its default initializer).
    const TRUNK_INDEX: &str = r#"<!DOCTYPE html>
<html lang="de"><head>
<link rel="modulepreload" href="/dreieck-3f2a1b0c9d8e7f60.js" crossorigin="anonymous" integrity="sha384-abc">
<link rel="preload" href="/dreieck-3f2a1b0c9d8e7f60_bg.wasm" crossorigin="anonymous" integrity="sha384-def" as="fetch" type="application/wasm">
<script type="module">
import init, * as bindings from '/dreieck-3f2a1b0c9d8e7f60.js';
const wasm = await init({ module_or_path: '/dreieck-3f2a1b0c9d8e7f60_bg.wasm' });

window.wasmBindings = bindings;

dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
</script></head>
<body></body></html>"#;

    #[test]
    fn finds_the_trunk_loader() {
        let scripts = inline_scripts(TRUNK_INDEX);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with("\nimport init, * as bindings"));
        assert!(scripts[0].ends_with("{detail: {wasm}}));\n"));
    }

    #[test]
    fn hash_matches_a_known_value() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            inline_script_hashes("<script>alert(1)</script>"),
            vec!["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='".to_owned()]
        );
    }

    #[test]
    fn skips_external_scripts_comments_and_quoted_angle_brackets() {
        let html = concat!(
            "<!-- <script>commented()</script> -->",
            "<script src=\"/a.js\"></script>",
            "<SCRIPT data-x='a>b' type=module>one()</SCRIPT>",
            "<script defer src=/b.js></script>",
            "<scripts>not a script</scripts>",
            "<script data-src=\"x\">two()</script>",
        );
        assert_eq!(inline_scripts(html), vec!["one()", "two()"]);
    }

    #[test]
    fn unterminated_script_runs_to_the_end() {
        assert_eq!(inline_scripts("<script>late()"), vec!["late()"]);
        assert!(inline_scripts("<script type=\"module").is_empty());
    }

    #[test]
    fn crlf_is_hashed_as_the_browser_sees_it() {
        assert_eq!(
            inline_script_hashes("<script>a()\r\nb()</script>"),
            inline_script_hashes("<script>a()\nb()</script>")
        );
    }

    #[test]
    fn policy_lists_hashes_in_script_src() {
        let policy = policy(&["'sha256-AAAA'".to_owned()]);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-AAAA';"));
        let script_src = policy
            .split(';')
            .find(|directive| directive.trim_start().starts_with("script-src"));
        assert!(script_src.is_some_and(|directive| !directive.contains("unsafe-inline")));
        assert!(policy.contains("object-src 'none'"));
    }

    /// The app's sync WebSocket goes to its own origin (`/sync`): `'self'` is all connect-src
    /// needs (CSP 3 matches ws/wss to the same host and port; checked in Chromium by
    /// `tests/csp_websocket.rs`), and nothing wider may creep in.
    #[test]
    fn connect_src_is_self_only() {
        let policy = policy(&[]);
        let connect_src = policy
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("connect-src"));
        assert_eq!(connect_src, Some("connect-src 'self'"));
    }
}

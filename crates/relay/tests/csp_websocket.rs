//! The Content-Security-Policy lets the app open its WebSocket to `/sync` on its own origin.
//!
//! `connect-src 'self'` covers `ws://` and `wss://` to the page's own host and port in CSP
//! Level 3 (Chromium, Firefox, Safari ≥ 15.4). Checked here in headless Chromium against the real
//! relay: a page served with the relay's policy opens `ws://<host>/sync`, sends a malformed frame
//! and shows the kind byte of the answer (11, an Error frame) in its title, or "csp" if the
//! policy blocked the connection. Without Chromium at `/usr/bin/chromium` (`cargo xtask test`
//! installs it) the test says so and passes.

mod common;

use std::path::Path;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>wartet</title>
<script>
document.addEventListener("securitypolicyviolation", () => { document.title = "csp"; });
try {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const ws = new WebSocket(scheme + location.host + "/sync");
  ws.binaryType = "arraybuffer";
  ws.onopen = () => ws.send(new Uint8Array([1, 99]));
  ws.onmessage = (event) => { document.title = "frame " + new Uint8Array(event.data)[1]; };
  ws.onerror = () => { if (document.title === "wartet") document.title = "error"; };
} catch (e) {
  document.title = "csp";
}
</script></head><body></body></html>
"#;

#[tokio::test]
async fn app_page_may_open_its_sync_websocket() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: no Chromium at {CHROMIUM}");
        return;
    }
    let test = common::built_app();
    std::fs::write(test.dist().join("index.html"), PAGE).expect("page");
    let server = dreieck_relay::Server::bind(&test.config)
        .await
        .expect("binds");
    let url = format!("http://{}/", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    // `--dump-dom` dumps once virtual time runs out, and virtual time does not wait for a
    // WebSocket: on a busy machine the dump can come before the relay's answer. Only that
    // case ("wartet": no outcome yet) is tried again; a refusal or an error is never retried.
    let mut output = None;
    for attempt in 0..3 {
        let profile = test.dir.path().join(format!("chromium-profile-{attempt}"));
        let url = url.clone();
        let out = tokio::task::spawn_blocking(move || {
            Command::new(CHROMIUM)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--virtual-time-budget=10000",
                    "--dump-dom",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg(&url)
                .output()
        })
        .await
        .expect("chromium task")
        .expect("chromium runs");
        let waiting = String::from_utf8_lossy(&out.stdout).contains("<title>wartet</title>");
        output = Some(out);
        if !waiting {
            break;
        }
    }
    let output = output.expect("chromium ran");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("<title>frame 11</title>"),
        "expected the relay's Error frame; page:\n{dom}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let _ = stop.send(());
    let _ = running.await;
}

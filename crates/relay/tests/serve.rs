//! The relay on a real socket: in-process on port 0, and the real binary (flags from the
//! environment, the start line, SIGTERM, the error for a missing `dist/`).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, StatusCode, Uri};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const LIMIT: Duration = Duration::from_secs(30);

/// A plain HTTP/1 GET: status, a header's value and the body.
async fn http_get(uri: &str, header_name: header::HeaderName) -> (StatusCode, String, Vec<u8>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri: Uri = uri.parse().expect("uri");
    let response = tokio::time::timeout(LIMIT, client.get(uri))
        .await
        .expect("answer in time")
        .expect("response");
    let status = response.status();
    let value = response
        .headers()
        .get(&header_name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, value, body)
}

#[tokio::test]
async fn serves_on_a_real_port_and_shuts_down_gracefully() {
    let test = common::built_app();
    let server = dreieck_relay::Server::bind(&test.config)
        .await
        .expect("binds");
    let address = server.local_addr();
    assert!(address.ip().is_loopback());
    assert_ne!(address.port(), 0);

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    let (status, content_type, body) =
        http_get(&format!("http://{address}/healthz"), header::CONTENT_TYPE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(json["status"], "ok");

    let (status, cache, body) = http_get(
        &format!("http://{address}/bericht/1"),
        header::CACHE_CONTROL,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache, "no-cache");
    assert_eq!(body, common::index_html().as_bytes());

    let (status, content_type, body) = http_get(
        &format!("http://{address}{}", common::WASM),
        header::CONTENT_TYPE,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/wasm");
    assert_eq!(body, common::wasm_bytes());

    // How xtask waits for the relay: HTTP/1.0, read until the server closes.
    let raw = tokio::time::timeout(LIMIT, http10_healthz(address))
        .await
        .expect("answer in time");
    assert!(
        raw.starts_with("HTTP/1.0 200") || raw.starts_with("HTTP/1.1 200"),
        "{raw}"
    );
    assert!(
        raw.ends_with(&format!("\"version\":\"{}\"}}", env!("CARGO_PKG_VERSION"))),
        "{raw}"
    );

    stop.send(()).expect("server still running");
    let result = tokio::time::timeout(LIMIT, running)
        .await
        .expect("stops in time")
        .expect("task not panicked");
    assert!(result.is_ok(), "{result:?}");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "no longer listening"
    );
}

async fn http10_healthz(address: std::net::SocketAddr) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream
        .write_all(format!("GET /healthz HTTP/1.0\r\nHost: {address}\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        assert!(start.elapsed() < LIMIT, "relay did not stop in time");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[tokio::test]
async fn binary_prints_its_address_and_stops_on_sigterm() {
    let test = common::built_app();
    let mut child = common::process::Running(
        common::process::relay_command(&test)
            .spawn()
            .expect("start relay"),
    );

    let stdout = child.0.stdout.take().expect("stdout");
    let (line_tx, line_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = line_tx.send(lines.next());
        // Anything after the first line would also arrive here.
        let _ = line_tx.send(lines.next());
    });
    let line = line_rx
        .recv_timeout(LIMIT)
        .expect("start line in time")
        .expect("a line")
        .expect("utf-8");
    let url = line
        .strip_prefix("Dreieck läuft auf ")
        .unwrap_or_else(|| panic!("unexpected start line: {line}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(test.config.data.is_dir(), "data dir created");

    let (status, _, body) = http_get(&format!("{url}/healthz"), header::CONTENT_TYPE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("\"ok\""));

    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = wait_for_exit(&mut child.0);
    assert!(status.success(), "exit status after SIGTERM: {status}");

    // Exactly one line on stdout: the second read ends with end of file.
    let rest = line_rx.recv_timeout(LIMIT).expect("stdout closed");
    assert!(rest.is_none(), "more on stdout: {rest:?}");

    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(stderr.contains("path=/healthz"), "request log: {stderr}");
    assert!(stderr.contains("status=200"), "request log: {stderr}");
}

#[test]
fn binary_without_dist_exits_with_a_clear_message() {
    let test = common::built_app();
    let mut command = common::process::relay_command(&test);
    command
        .env("DREIECK_DIST", test.dir.path().join("kein-dist"))
        .env("RUST_BACKTRACE", "1");
    let output = command.output().expect("run relay");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("App-Verzeichnis"), "{stderr}");
    assert!(stderr.contains("kein-dist"), "{stderr}");
    assert!(
        stderr.starts_with("Fehler: Das App-Verzeichnis"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
    assert!(output.stdout.is_empty());
}

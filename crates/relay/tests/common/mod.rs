//! A small built app in a temporary directory, shaped like Trunk 0.21's `dist/`.

#![allow(dead_code)] // each test file uses a different part

use std::fs;
use std::path::PathBuf;

use dreieck_relay::Config;

pub mod abuser;
pub mod peer;
pub mod process;
pub mod tls_proxy;
use tempfile::TempDir;

pub const JS: &str = "/dreieck-3f2a1b0c9d8e7f60.js";
pub const WASM: &str = "/dreieck-3f2a1b0c9d8e7f60_bg.wasm";
pub const CSS: &str = "/main-a1b2c3d4e5f60718.css";

/// The inline loader as Trunk writes it.
pub const LOADER: &str = "
import init, * as bindings from '/dreieck-3f2a1b0c9d8e7f60.js';
const wasm = await init({ module_or_path: '/dreieck-3f2a1b0c9d8e7f60_bg.wasm' });

window.wasmBindings = bindings;

dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));
";

pub fn index_html() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"de\"><head>\n<meta charset=\"utf-8\">\n\
         <title>Dreieck</title>\n\
         <link rel=\"manifest\" href=\"/manifest.webmanifest\">\n\
         <link rel=\"stylesheet\" href=\"{CSS}\" integrity=\"sha384-x\">\n\
         <link rel=\"modulepreload\" href=\"{JS}\" crossorigin=\"anonymous\" integrity=\"sha384-y\">\n\
         <script type=\"module\">{LOADER}</script></head>\n\
         <body><noscript>Dreieck braucht JavaScript und WebAssembly.</noscript></body></html>\n"
    )
}

/// Bytes that look like a wasm module and compress well.
pub fn wasm_bytes() -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..4000u32 {
        bytes.extend_from_slice(format!("func{}", i % 50).as_bytes());
    }
    bytes
}

pub fn js_text() -> String {
    "export function hello() { return 'hallo'; }\n".repeat(200)
}

pub struct TestApp {
    pub dir: TempDir,
    pub config: Config,
}

impl TestApp {
    pub fn dist(&self) -> PathBuf {
        self.config.dist.clone()
    }
}

/// A `dist/` with index, hashed assets, `sw.js`, the manifest and icons; `data/` not yet there.
pub fn built_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let dist = dir.path().join("dist");
    fs::create_dir_all(dist.join("icons")).expect("icons dir");
    let write = |name: &str, bytes: &[u8]| fs::write(dist.join(name), bytes).expect("write");
    write("index.html", index_html().as_bytes());
    write(&JS[1..], js_text().as_bytes());
    write(&WASM[1..], &wasm_bytes());
    write(
        &CSS[1..],
        "body { font-family: sans-serif; }\n".repeat(50).as_bytes(),
    );
    write("sw.js", b"self.addEventListener('fetch', () => {});\n");
    write(
        "manifest.webmanifest",
        br#"{"name":"Dreieck","short_name":"Dreieck","start_url":"/","display":"standalone"}"#,
    );
    write(
        "icons/icon.svg",
        br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 10 5 0 10 10z"/></svg>"#,
    );
    write("icons/icon-192.png", b"\x89PNG\r\n\x1a\n not really a png");
    let config = Config {
        host: "127.0.0.1".to_owned(),
        port: 0,
        dist,
        data: dir.path().join("data"),
        limits: Default::default(),
        metrics_public: false,
        // On PostgreSQL over TLS, as across a data centre: the same guarantees must hold.
        database: postgres_backend()
            .map(|admin| format!("{}?sslmode=require", fresh_database(&admin))),
        instance_url: None,
        ca_file: postgres_backend().map(|_| test_ca()),
    };
    TestApp { dir, config }
}

/// The PostgreSQL server to run the relay on, if the run asks for it
/// (`DREIECK_TEST_BACKEND=postgres`, set by `cargo xtask test` for its second pass of the sync
/// tests); SQLite otherwise.
pub fn postgres_backend() -> Option<String> {
    match std::env::var("DREIECK_TEST_BACKEND").as_deref() {
        Ok("postgres") => Some(
            std::env::var("DREIECK_TEST_POSTGRES")
                .expect("DREIECK_TEST_BACKEND=postgres needs DREIECK_TEST_POSTGRES"),
        ),
        Ok("sqlite") | Err(_) => None,
        Ok(other) => panic!("unknown DREIECK_TEST_BACKEND {other}"),
    }
}

/// The certificates `cargo xtask test` made for the run (`DREIECK_TEST_TLS`): `ca.crt`, and
/// `server.crt` with `server.key` for `localhost` and 127.0.0.1.
pub fn test_tls_dir() -> PathBuf {
    PathBuf::from(
        std::env::var_os("DREIECK_TEST_TLS")
            .expect("DREIECK_TEST_TLS names no certificates: run `cargo xtask test`"),
    )
}

/// The authority of the run's certificates.
pub fn test_ca() -> PathBuf {
    test_tls_dir().join("ca.crt")
}

/// A client for the tests' own queries, connected as the relay would: over TLS, trusting the
/// run's authority, when `url` says `sslmode=require`.
fn postgres_client(url: &str) -> postgres::Client {
    if !url.contains("sslmode=require") {
        return postgres::Client::connect(url, postgres::NoTls).expect("connects");
    }
    let config = dreieck_relay::tls_client_config(Some(&test_ca())).expect("the run's authority");
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new((*config).clone());
    postgres::Client::connect(url, tls).expect("connects over TLS")
}

/// Runs `f` on a thread of its own: the PostgreSQL client blocks on a runtime of its own and
/// must not run on one of the test's async threads.
pub fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f)
        .join()
        .expect("database helper thread")
}

/// A new, empty database on the test server; its URL.
pub fn fresh_database(admin: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "relay_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let admin = admin.to_owned();
    off_runtime(move || dreieck_relay::create_database(&admin, &name))
        .expect("creates a test database")
}

/// Runs SQL on a PostgreSQL database (as the tests' superuser).
pub fn postgres_sql(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    off_runtime(move || {
        let mut client = postgres_client(&url);
        client.batch_execute(&sql).expect("runs");
    });
}

/// Every byte the relay stored in its PostgreSQL database (rooms, entries, snapshots).
pub fn postgres_bytes(url: &str) -> Vec<u8> {
    let url = url.to_owned();
    off_runtime(move || {
        let mut client = postgres_client(&url);
        let mut bytes = Vec::new();
        for query in [
            "SELECT id FROM rooms",
            "SELECT COALESCE(verifier, '') FROM rooms",
            "SELECT sealed FROM entries",
            "SELECT sealed FROM snapshots",
        ] {
            for row in client.query(query, &[]).expect("reads") {
                bytes.extend(row.get::<_, Vec<u8>>(0));
            }
        }
        bytes
    })
}

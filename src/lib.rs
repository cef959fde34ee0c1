//! Dreieck's web app as a library: the parts that are tested on their own in the browser
//! (`tests/storage.rs`, run by wasm-bindgen-test in headless Chromium) live here, so that
//! integration tests can import them; the binary (`src/main.rs`, the Leptos views) uses them
//! as `dreieck::storage` and, with the `bench` feature, `dreieck::bench`.
//!
//! `bench` is always compiled (and linted, and run by `tests/storage.rs`), but the binary only
//! calls it with the `bench` feature, so the app as served does not link it.

pub mod bench;
pub mod storage;

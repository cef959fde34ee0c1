//! Dreieck's web app as a library: the parts that are tested on their own in the browser
//! (`tests/storage.rs`, run by wasm-bindgen-test in headless Chromium) live here, so that
//! integration tests can import them; the binary (`src/main.rs`, the Leptos views) uses them
//! as `dreieck::storage` and `dreieck::bench`.

pub mod bench;
pub mod storage;

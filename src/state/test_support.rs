//! Set-up shared by the browser tests of the state modules.

use dreieck::storage::ReportStore;

pub async fn store() -> ReportStore {
    match ReportStore::open().await {
        Ok(s) => s,
        Err(e) => panic!("open failed: {e}"),
    }
}

/// Lets the writer run: IndexedDB answers in a later task, not a microtask.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Waits (up to 5 s) until `check` holds; panics naming `what` otherwise.
pub async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..500 {
        if check() {
            return;
        }
        sleep(10).await;
    }
    panic!("{what}");
}

//! Dreieck in the browser: starts the app, or, in a build with the `bench` feature, the
//! in-browser benchmark (`?bench`). The benchmark is not part of the app as served: it would
//! add its code and demo data to every download.

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod app;
mod read_aloud;
mod route;
mod speech;
mod state;
mod sync;
mod timer;
mod views;

use dreieck::storage::{self, ReportStore};
use leptos::prelude::*;
// Not `leptos::task::spawn_local`: Leptos sets up its executor only when the app is mounted,
// and these futures run before (or instead of) that.
use wasm_bindgen_futures::spawn_local;

fn main() {
    console_error_panic_hook::set_once();

    #[cfg(feature = "bench")]
    if wants_benchmark() {
        spawn_local(async {
            let json = dreieck::bench::run().await;
            show_benchmark(&json);
        });
        return;
    }

    storage::register_service_worker();
    // Without persistence the browser may evict the reports under storage pressure. A refusal
    // is not an error the person can act on here, so it is not shown.
    spawn_local(async {
        let _ = storage::request_persistence().await;
    });
    spawn_local(async {
        let store = ReportStore::open().await.map_err(|e| e.to_string());
        mount_to_body(move || view! { <app::Root store=store /> });
    });
}

/// `?bench` in the address runs the benchmark instead of the app.
#[cfg(feature = "bench")]
fn wants_benchmark() -> bool {
    window()
        .location()
        .search()
        .map(|s| s.contains("bench"))
        .unwrap_or(false)
}

/// Puts the benchmark's JSON into `<pre id="bench-result">`, where the bench runner reads it.
#[cfg(feature = "bench")]
fn show_benchmark(json: &str) {
    let document = document();
    let Ok(pre) = document.create_element("pre") else {
        return;
    };
    pre.set_id("bench-result");
    pre.set_text_content(Some(json));
    if let Some(body) = document.body() {
        let _ = body.append_child(&pre);
    }
}

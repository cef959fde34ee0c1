//! The few things the app takes from the browser itself: the clock, randomness, downloads.
//!
//! Kept apart so the rest of the state code stays plain logic, and because these are exactly
//! the places where wasm differs from native (`Instant::now` and `SystemTime::now` panic in the
//! browser, so time comes from `js_sys::Date`).

use dreieck_model::Date;

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Today's date in the device's local time zone (what a person means by "heute").
pub fn today() -> Option<Date> {
    let now = js_sys::Date::new_0();
    let month = u8::try_from(now.get_month() + 1).ok()?;
    let day = u8::try_from(now.get_date()).ok()?;
    let year = i32::try_from(now.get_full_year()).ok()?;
    Date::from_ymd(year, month, day).ok()
}

/// The time of day in German notation, e.g. `14:05` (for "synchron seit").
pub fn format_time(ms: f64) -> String {
    if !ms.is_finite() || ms <= 0.0 {
        return String::new();
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// Date and time in German notation for "zuletzt geändert", e.g. `23.11.2026, 14:05`.
pub fn format_timestamp(ms: f64) -> String {
    if !ms.is_finite() || ms <= 0.0 {
        return String::new();
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:02}.{:02}.{}, {:02}:{:02}",
        d.get_date(),
        d.get_month() + 1,
        d.get_full_year(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// `s` in lower case, by the browser's `String.prototype.toLowerCase` (full Unicode mapping,
/// like `str::to_lowercase`): the app does not carry Rust's 12 KB Unicode case table for the
/// two places that compare text case-insensitively.
pub fn lowercase(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

/// A random report id: 16 bytes from the platform's cryptographic generator, as hex.
///
/// Ids are also storage keys and appear in links, so they must never collide between devices
/// that later share reports; a timestamp or a counter would.
pub fn random_id() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Fills `buf` from the platform's cryptographic generator.
///
/// Nonce-sized requests (one per sealed keystroke) are served from a pool filled 512 bytes at
/// a time: each call into `crypto.getRandomValues` crossed into JavaScript for 0.07 ms on the
/// typing device's path to the network. Served bytes are wiped from the pool; keys and other
/// secrets (longer requests) come from the generator directly, never ahead of time.
#[cfg(target_arch = "wasm32")]
pub fn fill_random(buf: &mut [u8]) -> Result<(), String> {
    const POOL: usize = 512;
    /// An XChaCha20 nonce.
    const NONCE_AT_MOST: usize = 24;
    thread_local! {
        static POOLED: std::cell::RefCell<([u8; POOL], usize)> =
            const { std::cell::RefCell::new(([0; POOL], POOL)) };
    }
    let fill = |b: &mut [u8]| {
        getrandom::fill(b).map_err(|e| format!("Zufallszahlen nicht verfügbar: {e}"))
    };
    if buf.len() > NONCE_AT_MOST {
        return fill(buf);
    }
    POOLED.with(|p| {
        let mut p = p.borrow_mut();
        let (pool, used) = &mut *p;
        if POOL - *used < buf.len() {
            fill(pool)?;
            *used = 0;
        }
        let taken = &mut pool[*used..*used + buf.len()];
        buf.copy_from_slice(taken);
        taken.fill(0);
        *used += buf.len();
        Ok(())
    })
}

/// Whether the platform's generator answers (asked directly, not from the pool).
#[cfg(target_arch = "wasm32")]
pub fn random_works() -> bool {
    getrandom::fill(&mut [0u8; 1]).is_ok()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn random_works() -> bool {
    false
}

/// Native builds (unit tests, `cargo check` on the host) never create reports.
#[cfg(not(target_arch = "wasm32"))]
pub fn fill_random(_buf: &mut [u8]) -> Result<(), String> {
    Err("Zufallszahlen gibt es nur im Browser.".to_string())
}

/// Offers `bytes` as a file download named `file_name` (Blob + object URL).
///
/// Used for the raw bytes of a report that no longer loads, so nothing is lost even when the
/// app cannot read it: somebody can still take it to whoever can repair it.
pub fn download_bytes(bytes: &[u8], file_name: &str) -> Result<(), String> {
    download_file(bytes, file_name, "application/octet-stream")
}

/// Offers `bytes` as a file download of the given MIME type (exports: JSON, CSV, report files).
pub fn download_file(bytes: &[u8], file_name: &str, mime: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;

    let fail = |what: &str| format!("Herunterladen nicht möglich ({what}).");
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| fail("Blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("URL"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("kein Dokument"))?;
    let anchor = document
        .create_element("a")
        .map_err(|_| fail("Link"))?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| fail("Link"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // The browser has taken the blob once the click is handled; free it a little later, not at
    // once, because some browsers start the download asynchronously.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// Moves keyboard focus to the element with `id` (the browser scrolls it into view); used by
/// the "Prüfen" panel and after navigation and dialogs. Returns whether focus is there now:
/// `false` when the element is gone or cannot take focus, so callers can try the next one.
pub fn focus_element(id: &str) -> bool {
    use wasm_bindgen::JsCast;

    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Some(el) = document
        .get_element_by_id(id)
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    if el.focus().is_err() {
        return false;
    }
    document
        .active_element()
        .is_some_and(|active| &active == el.as_ref())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::collections::HashSet;

    use wasm_bindgen_test::wasm_bindgen_test;

    use super::fill_random;

    #[wasm_bindgen_test]
    fn nonces_from_the_pool_never_repeat_across_refills() {
        // 24-byte nonces: 21 fit into one pool of 512 bytes; 200 cross nine refills.
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let mut nonce = [0u8; 24];
            fill_random(&mut nonce).expect("randomness");
            assert_ne!(nonce, [0u8; 24], "never a wiped slot");
            assert!(seen.insert(nonce), "a nonce handed out twice");
        }
        // Odd sizes that straddle a refill, and a key-sized request from the generator.
        let mut odd = [0u8; 23];
        for _ in 0..30 {
            fill_random(&mut odd).expect("randomness");
            assert_ne!(odd, [0u8; 23]);
        }
        let mut key = [0u8; 32];
        fill_random(&mut key).expect("randomness");
        assert_ne!(key, [0u8; 32]);
    }
}

/// Waits `ms` milliseconds (a timeout of the window; for background work that polls, never
/// for tests of a race).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Puts `class` on the root element while a view is shown (`on`), for styles that reach the
/// header outside the view: conversation mode, the person's own view.
pub fn root_class(class: &str, on: bool) {
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.class_list().toggle_with_force(class, on);
    }
}

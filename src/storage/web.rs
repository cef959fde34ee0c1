//! The Storage API (persistence, quota) and the service worker registration.
//!
//! All three degrade quietly where the browser lacks the API (an old browser, plain http on
//! a LAN address): the app still works, it only cannot promise persistence or offline use.

use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};

use super::error::describe;
use super::warn;

/// `navigator` of the current global (window or worker).
fn navigator() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn storage_manager() -> Option<StorageManager> {
    let storage = Reflect::get(&navigator()?, &JsValue::from_str("storage")).ok()?;
    storage.dyn_into::<StorageManager>().ok()
}

async fn await_promise(p: Result<Promise, JsValue>) -> Option<JsValue> {
    JsFuture::from(p.ok()?).await.ok()
}

/// Asks the browser to keep this site's data even under storage pressure
/// (`navigator.storage.persist()`). Without it, Chromium and Safari may evict IndexedDB of a
/// site that has not been used for a while, and the reports would be gone.
///
/// Returns whether the data is persistent now. Chromium decides without asking the user
/// (installed app, bookmarks, engagement); Firefox shows a prompt. Asks only once the
/// answer is not already "yes".
pub async fn request_persistence() -> bool {
    let Some(manager) = storage_manager() else {
        return false;
    };
    if await_promise(manager.persisted())
        .await
        .and_then(|v| v.as_bool())
        == Some(true)
    {
        return true;
    }
    await_promise(manager.persist())
        .await
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// `(usage, quota)` in bytes from `navigator.storage.estimate()`, for showing how full the
/// device storage is. `None` where the browser does not tell.
pub async fn estimate() -> Option<(f64, f64)> {
    let manager = storage_manager()?;
    let value = await_promise(manager.estimate()).await?;
    if !value.is_object() {
        return None;
    }
    let estimate: StorageEstimate = value.unchecked_into();
    Some((estimate.get_usage()?, estimate.get_quota()?))
}

/// Registers the service worker `/sw.js`, which makes the app open offline after the first
/// visit. Fire and forget: failures are logged to the console, never shown as errors, because
/// the app works without it.
///
/// Does nothing where service workers are unavailable (not a secure context) or when the page
/// URL's query contains `nosw` (development and tests that must see the network).
pub fn register_service_worker() {
    let Some(navigator) = navigator() else {
        return;
    };
    let search = Reflect::get(&js_sys::global(), &JsValue::from_str("location"))
        .and_then(|l| Reflect::get(&l, &JsValue::from_str("search")))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    if search.contains("nosw") {
        return;
    }
    let container = match Reflect::get(&navigator, &JsValue::from_str("serviceWorker")) {
        Ok(c) if !c.is_undefined() && !c.is_null() => c,
        _ => return,
    };
    let Ok(container) = container.dyn_into::<web_sys::ServiceWorkerContainer>() else {
        return;
    };
    let promise = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = JsFuture::from(promise).await {
            warn(&format!(
                "Dreieck: Service Worker nicht registriert ({}); offline öffnen geht dann nicht.",
                describe(&e)
            ));
        }
    });
}

//! The app: provides the state every view needs and keeps the data safe around the page's
//! lifecycle (compact when hidden, warn before closing with unsaved edits).

use dreieck::storage::ReportStore;
use leptos::prelude::*;

use crate::state::app_context::AppContext;
use crate::state::device_lock::{self, LockProblem};
use crate::state::doorkeeper::Doorkeeper;
use crate::state::session;
use crate::views::app_shell::AppShell;
use crate::views::lock_screen::LockScreen;

/// The lock screen while a device with a PIN is locked, the app once it is open.
#[component]
pub fn Root(store: Result<ReportStore, String>) -> impl IntoView {
    let open = RwSignal::new(!dreieck::storage::vault::has_pin());
    let on_open = Callback::new(move |()| open.set(true));
    let store = StoredValue::new_local(store);
    move || {
        if open.get() {
            view! { <App store=store.get_value() /> }.into_any()
        } else {
            view! { <LockScreen store=store.get_value().ok() on_open=on_open /> }.into_any()
        }
    }
}

#[component]
pub fn App(store: Result<ReportStore, String>) -> impl IntoView {
    let store = match store {
        Ok(store) => store,
        Err(reason) => return view! { <StorageUnavailable reason=reason /> }.into_any(),
    };
    let lock_problem: LockProblem = RwSignal::new(None);
    provide_context(lock_problem);
    device_lock::watch(lock_problem);
    let doorkeeper = Doorkeeper::start(store.clone());
    let app = AppContext::new(store);
    provide_context(app);
    provide_context(doorkeeper);
    // Reports deleted for everyone while this device was away go without being opened; a
    // moment after the start, so the first page is not held up.
    set_timeout(
        move || crate::state::deletion_check::watch(app),
        std::time::Duration::from_secs(2),
    );
    // Leichte Sprache enlarges the whole page (every size is in rem), so it is a class on
    // the root element.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root
                .class_list()
                .toggle_with_force("plain-language", app.plain.get());
        }
    });

    // Hidden is often the last moment a mobile browser gives the page (it may be killed
    // without unload): write every open report as one compact save now.
    // Shown again, a tab that seemed alone greets the others (one may have opened meanwhile).
    let hidden = window_event_listener_untyped("visibilitychange", |_| {
        for s in session::all_sessions() {
            if document().hidden() {
                s.compact();
            } else {
                s.greet_tabs();
            }
        }
    });
    // Leaving: the keystrokes that wait to be written together go now. Closing the tab while
    // a write failed or is still on its way would lose the edit: ask (the write goes on while
    // the browser asks).
    let unload = window_event_listener_untyped("beforeunload", |ev| {
        for s in session::all_sessions() {
            s.write_now();
        }
        if session::any_unsaved() {
            ev.prevent_default();
        }
    });
    let left = window_event_listener_untyped("pagehide", |_| {
        for s in session::all_sessions() {
            s.write_now();
        }
    });
    // Back from the back/forward cache.
    let back = window_event_listener_untyped("pageshow", |_| {
        for s in session::all_sessions() {
            s.greet_tabs();
        }
    });
    on_cleanup(move || {
        hidden.remove();
        unload.remove();
        left.remove();
        back.remove();
    });

    view! { <AppShell /> }.into_any()
}

/// Shown instead of the app when the device's storage cannot be opened: without it nothing
/// typed could be kept, so the app does not pretend to work.
#[component]
fn StorageUnavailable(reason: String) -> impl IntoView {
    view! {
        <main id="hauptinhalt" class="page">
            <h1>"Dreieck kann nicht starten"</h1>
            <p class="message error" role="alert">{reason}</p>
        </main>
    }
}

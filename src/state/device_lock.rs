//! Locking the device: on demand ("Sperren"), after the chosen idle time, and in every tab of
//! this browser when one tab locks.
//!
//! Locking writes every pending keystroke first (sealing needs the key), then drops the key and
//! reloads the page: the reload discards the WebAssembly memory with every decrypted report,
//! and the page starts on the lock screen. An edit that cannot be written (disk full) keeps the
//! device open and says so: locking would lose it.

use std::cell::Cell;
use std::time::Duration;

use dreieck::storage::vault;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::BroadcastChannel;

use crate::state::platform::now_ms;
use crate::state::session;

/// The channel the tabs of this browser tell each other "locked" on.
const CHANNEL: &str = "dreieck-sperre";
/// How long locking waits for pending writes.
const WRITE_WAIT_MS: f64 = 5_000.0;

thread_local! {
    static LAST_ACTIVE: Cell<f64> = const { Cell::new(0.0) };
}

/// Why the device stayed open, for the notice in the header.
pub type LockProblem = RwSignal<Option<String>>;

/// Writes what is pending, then locks and reloads. Sets `problem` instead when an edit could
/// not be written in time.
pub fn lock_now(problem: LockProblem, tell_other_tabs: bool) {
    for s in session::all_sessions() {
        s.flush_live();
        s.write_now();
    }
    let started = now_ms();
    leptos::task::spawn_local(async move {
        while session::any_unsaved() {
            if now_ms() - started > WRITE_WAIT_MS {
                problem.set(Some(
                    "Nicht gesperrt: Eine Änderung ist noch nicht auf dem Gerät gespeichert. \
                     Bitte den Hinweis beim Speichern beachten und dann erneut sperren."
                        .into(),
                ));
                return;
            }
            dreieck::storage::yield_to_browser().await;
        }
        if tell_other_tabs {
            if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
                let _ = channel.post_message(&"gesperrt".into());
                channel.close();
            }
        }
        vault::lock();
        let _ = window().location().reload();
    });
}

/// Starts the idle timer and listens for other tabs locking; for the life of the app.
pub fn watch(problem: LockProblem) {
    if !vault::has_pin() {
        return;
    }
    LAST_ACTIVE.with(|t| t.set(now_ms()));
    for event in ["pointerdown", "keydown", "input", "wheel"] {
        let listener = window_event_listener_untyped(event, |_| {
            LAST_ACTIVE.with(|t| t.set(now_ms()));
        });
        // Kept for the page's life: the app is never unmounted but by a reload.
        std::mem::forget(listener);
    }
    let check = move || {
        let idle_ms = f64::from(vault::idle_minutes()) * 60_000.0;
        if problem.get_untracked().is_none() && now_ms() - LAST_ACTIVE.with(Cell::get) >= idle_ms {
            lock_now(problem, true);
        }
    };
    // Runs for the page's life (an interval handle only stops it when cleared).
    let _ = set_interval_with_handle(check, Duration::from_secs(5));
    if let Ok(channel) = BroadcastChannel::new(CHANNEL) {
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            lock_now(problem, false);
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        std::mem::forget(channel);
    }
}

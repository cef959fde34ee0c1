//! "Synchron seit 14:05" / "Verbindet …" / "Kein Netz seit 14:02" / "Server nicht erreichbar
//! seit 14:02", the way changes go ("direkt verbunden", "über den Server", "nicht
//! verbunden"), and since when changes wait to be sent.

use dreieck_session::status::{Path, State};
use leptos::prelude::*;

use dreieck_texts::{fill, Texts};

use crate::state::app_context::use_app;
use crate::state::platform::format_time;
use crate::sync::link::Link;

#[component]
pub fn SyncStatusView(link: Link) -> impl IntoView {
    let app = use_app();
    let status = link.status.clone();
    let state = {
        let status = status.clone();
        Memo::new(move |_| status.with(|s| s.state.clone()))
    };
    let since = {
        let status = status.clone();
        Memo::new(move |_| format_time(status.with(|s| s.since_ms)))
    };
    let notice = {
        let status = status.clone();
        Memo::new(move |_| status.with(|s| s.notice.clone()))
    };
    let waiting_since = {
        let status = status.clone();
        Memo::new(move |_| status.with(|s| s.waiting_since_ms.map(format_time)))
    };
    let path = {
        let status = status.clone();
        Memo::new(move |_| status.with(|s| s.path()))
    };
    let waiting = Memo::new(move |_| status.with(|s| s.waiting));
    view! {
        <div class="sync-status-wrap">
            // Only the state is announced; the waiting count changes with every keystroke.
            <p
                class="sync-status"
                data-state=move || state.get().code()
                data-cause=move || state.get().cause()
                data-path=move || path.get().code()
                data-waiting=move || waiting.get()
                role="status"
            >
                {move || {
                    let t = app.texts();
                    match state.get() {
                        State::Synced => fill(t.sync_synced, &since.get()),
                        State::Connecting => t.sync_connecting.to_string(),
                        State::NoNetwork => fill(t.sync_no_network, &since.get()),
                        State::Unreachable => fill(t.sync_unreachable, &since.get()),
                        State::Refused(reason) => app.shown(&reason),
                    }
                }}
                <span class="sync-path">
                    <span aria-hidden="true">" · "</span>
                    {move || path_name(app.texts(), path.get())}
                </span>
            </p>
            <Show when=move || { waiting.get() > 0 && !matches!(state.get(), State::Synced) }>
                // A time, not a count: three sentences are a hundred keystrokes.
                <p class="sync-waiting">
                    {move || {
                        let since = waiting_since.get().unwrap_or_default();
                        let t = app.texts();
                        if path.get() == Path::Direct {
                            fill(t.sync_waiting_direct, &since)
                        } else {
                            fill(t.sync_waiting, &since)
                        }
                    }}
                </p>
            </Show>
            {move || notice.get().map(|n| view! { <p class="sync-notice">{app.shown(&n)}</p> })}
        </div>
    }
}

/// The way changes go, in the language shown.
fn path_name(t: &Texts, path: Path) -> &'static str {
    match path {
        Path::Direct => t.path_direct,
        Path::Server => t.path_server,
        Path::None => t.path_none,
    }
}

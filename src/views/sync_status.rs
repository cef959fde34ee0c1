//! "synchron seit 14:05" / "verbindet …" / "offline seit 14:02 · 3 Änderungen warten".

use leptos::prelude::*;

use crate::state::platform::format_time;
use crate::sync::link::Link;
use crate::sync::status::State;

#[component]
pub fn SyncStatusView(link: Link) -> impl IntoView {
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
    let waiting = Memo::new(move |_| status.with(|s| s.waiting));
    view! {
        <div class="sync-status-wrap">
            // Only the state is announced; the waiting count changes with every keystroke.
            <p
                class="sync-status"
                data-state=move || state.get().code()
                data-waiting=move || waiting.get()
                role="status"
            >
                {move || match state.get() {
                    State::Synced => format!("Synchron seit {}", since.get()),
                    State::Connecting => "Verbindet …".to_string(),
                    State::Offline => format!("Offline seit {}", since.get()),
                    State::Refused(reason) => reason,
                }}
            </p>
            <Show when=move || { waiting.get() > 0 && !matches!(state.get(), State::Synced) }>
                <p class="sync-waiting">
                    {move || match waiting.get() {
                        1 => "1 Änderung wartet auf das Senden".to_string(),
                        n => format!("{n} Änderungen warten auf das Senden"),
                    }}
                </p>
            </Show>
            {move || notice.get().map(|n| view! { <p class="sync-notice">{n}</p> })}
        </div>
    }
}

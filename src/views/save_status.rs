//! "gespeichert" / "speichert …" / "Nicht gespeichert: <Grund>", with a retry button.

use leptos::prelude::*;

use crate::state::editor::use_editor;
use crate::state::session::SaveStatus;

#[component]
pub fn SaveStatusView() -> impl IntoView {
    let editor = use_editor();
    let status = Memo::new(move |_| editor.status());
    view! {
        <div class="save-status-wrap">
            <p
                class="save-status"
                class:failed=move || matches!(status.get(), SaveStatus::Failed(_))
                role="status"
                aria-live="polite"
            >
                {move || match status.get() {
                    SaveStatus::Saved => "gespeichert".to_string(),
                    SaveStatus::Saving => "speichert …".to_string(),
                    SaveStatus::Failed(reason) => format!("Nicht gespeichert: {reason}"),
                }}
            </p>
            <Show when=move || matches!(status.get(), SaveStatus::Failed(_))>
                <button class="button primary" on:click=move |_| editor.retry()>
                    "Erneut versuchen"
                </button>
            </Show>
        </div>
    }
}

//! "gespeichert" / "speichert …" / "Nicht gespeichert: <Grund>", with a retry button.

use leptos::prelude::*;

use dreieck_texts::fill;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::session::SaveStatus;

#[component]
pub fn SaveStatusView() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let status = Memo::new(move |_| editor.status());
    view! {
        <div class="save-status-wrap">
            <p
                class="save-status"
                class:failed=move || matches!(status.get(), SaveStatus::Failed { .. })
                data-state=move || match status.get() {
                    SaveStatus::Saved => "saved",
                    SaveStatus::Saving => "saving",
                    SaveStatus::Failed { .. } => "failed",
                }
                role="status"
                aria-live="polite"
            >
                {move || match status.get() {
                    SaveStatus::Saved => app.texts().save_saved.to_string(),
                    SaveStatus::Saving => app.texts().save_saving.to_string(),
                    SaveStatus::Failed { reason, plain } => {
                        fill(app.texts().save_failed, if app.plain.get() { &plain } else { &reason })
                    }
                }}
            </p>
            <Show when=move || matches!(status.get(), SaveStatus::Failed { .. })>
                <button class="button primary" on:click=move |_| editor.retry()>
                    {move || app.texts().save_retry}
                </button>
            </Show>
        </div>
    }
}

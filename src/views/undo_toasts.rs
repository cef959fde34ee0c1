//! "Bericht gelöscht – Rückgängig": one toast per report waiting to be deleted.

use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::summary::display_title;

/// The element id of the undo button for report `id` (focus moves there after deleting).
pub fn undo_button_id(id: &str) -> String {
    format!("rueckgaengig-{id}")
}

#[component]
pub fn UndoToasts() -> impl IntoView {
    let app = use_app();
    let deletes = app.deletes;
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || deletes.items() key=|p| (p.id.clone(), p.deleting) let:pending>
                <div class="toast">
                    <p class="toast-text">
                        {move || app.texts().toast_deleted}
                        <span class="toast-detail">{display_title(&pending.title)}</span>
                    </p>
                    {(!pending.deleting)
                        .then(|| {
                            let id = pending.id.clone();
                            view! {
                                <button
                                    id=undo_button_id(&pending.id)
                                    class="button toast-undo"
                                    on:click=move |_| deletes.undo(&id)
                                >
                                    {move || app.texts().toast_undo}
                                </button>
                            }
                        })}
                </div>
            </For>
            {move || {
                deletes
                    .error
                    .get()
                    .map(|e| {
                        view! {
                            <div class="toast toast-error" role="alert">
                                <p class="toast-text">{e}</p>
                                <button
                                    class="button"
                                    on:click=move |_| deletes.error.set(None)
                                >
                                    {move || app.texts().close}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

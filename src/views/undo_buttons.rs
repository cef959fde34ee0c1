//! "Rückgängig" and "Wiederholen" in the editor bar: undo for touch screens (no Strg key) and
//! for anyone who prefers a button. They act on the text field this person typed in last and
//! take back only their own typing (see `dreieck_model::undo`). In the bar rather than under
//! each field: nothing appears or disappears around a field when focus moves, so no click lands
//! on something that moved.

use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;

#[component]
pub fn UndoButtons() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let state = Memo::new(move |_| editor.undo_state());
    let press = move |redo: bool| editor.undo_last(app.role.get_untracked(), redo);
    view! {
        <div class="undo-buttons">
            <button
                type="button"
                class="button quiet"
                disabled=move || !state.get().0
                on:click=move |_| press(false)
            >
                {move || app.texts().undo}
            </button>
            <button
                type="button"
                class="button quiet"
                disabled=move || !state.get().1
                on:click=move |_| press(true)
            >
                {move || app.texts().redo}
            </button>
        </div>
    }
}

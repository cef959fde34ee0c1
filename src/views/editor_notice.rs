//! Why the open report could not do what was asked (storing, syncing): the editor's notice,
//! announced as an alert wherever a report is shown.

use leptos::prelude::*;

use crate::state::editor::use_editor;

#[component]
pub fn EditorNotice() -> impl IntoView {
    let editor = use_editor();
    move || {
        editor
            .notice()
            .map(|n| view! { <p class="message error" role="alert">{n}</p> })
    }
}

//! Why the open report could not do what was asked (storing, syncing): the editor's notice,
//! announced as an alert wherever a report is shown.

use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;

#[component]
pub fn EditorNotice() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    move || {
        editor.notice().map(|n| {
            let text = if app.plain.get() { n.plain } else { n.standard };
            view! { <p class="message error" role="alert">{text}</p> }
        })
    }
}

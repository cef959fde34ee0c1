//! One report in the case list: open it, or delete it.

use dreieck::storage::Summary;
use leptos::prelude::*;

use crate::route::Route;
use crate::state::platform::format_timestamp;
use crate::state::summary::display_title;

#[component]
pub fn CaseRow(
    summary: Summary,
    /// Asks to delete (id, title); the page confirms first.
    on_delete: Callback<(String, String)>,
) -> impl IntoView {
    let title = display_title(&summary.title);
    let changed = format_timestamp(summary.updated_ms);
    let delete_label = format!("Bericht von {title} löschen");
    let id = summary.id.clone();
    let raw_title = summary.title.clone();
    view! {
        <li class="case">
            <a class="case-open" href=Route::Report(summary.id.clone()).href()>
                <span class="case-title">{title}</span>
                <span class="case-meta">
                    {summary.template_name.clone()}
                    {(!changed.is_empty()).then(|| format!(" · zuletzt geändert {changed}"))}
                </span>
            </a>
            <button
                class="button quiet danger-text"
                aria-label=delete_label
                on:click=move |_| on_delete.run((id.clone(), raw_title.clone()))
            >
                "Löschen"
            </button>
        </li>
    }
}

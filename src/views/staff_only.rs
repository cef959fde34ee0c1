//! Said at the top of a staff tool (the paper form, the statistics of all reports, the form
//! editor) when Leichte Sprache is on: the page keeps the official words of the forms and of
//! planning, and says so plainly instead of pretending. Leichte Sprache leaves the links to
//! these pages out; this is for a page reached by its address.

use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn StaffOnlyNotice() -> impl IntoView {
    let app = use_app();
    move || {
        app.plain.get().then(|| {
            view! {
                <div class="message staff-only" role="note">
                    {app.texts().staff_only.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                </div>
            }
        })
    }
}

//! In place of the report, once it was deleted for everyone while open here: who deleted it
//! and when, and that it is gone from this device too.

use dreieck_texts::fill_with;
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::deleted_reports::DeletedReport;
use crate::state::platform::format_timestamp;

#[component]
pub fn ReportDeleted(entry: DeletedReport) -> impl IntoView {
    let app = use_app();
    let when = format_timestamp(entry.time_ms as f64);
    move || {
        let plain = app.plain.get();
        let who = if plain {
            entry.who_plain()
        } else {
            entry.who()
        };
        let text = fill_with(
            if entry.at_retention_end {
                app.texts().deleted_retention_here
            } else {
                app.texts().deleted_by_here
            },
            &[("when", &when), ("who", &who)],
        );
        view! {
            <section class="report-deleted message" role="alert" aria-labelledby="geloescht-hinweis">
                <h2 id="geloescht-hinweis">{app.texts().deleted_title}</h2>
                <p>{text}</p>
                <p>
                    <a class="button" href=Route::CaseList.href()>{app.texts().deleted_to_list}</a>
                </p>
            </section>
        }
    }
}

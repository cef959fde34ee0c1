//! In place of the report, once it was deleted for everyone while open here: who deleted it
//! and when, and that it is gone from this device too.

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
        let text = if entry.at_retention_end {
            if app.plain.get() {
                "Dieser Bericht wird nicht mehr gebraucht. Darum ist er jetzt gelöscht. \
                 Für alle. Auch auf diesem Gerät ist er weg."
                    .to_string()
            } else {
                format!(
                    "Die Aufbewahrung dieses Berichts endete am {when}. Darum ist er für alle \
                     gelöscht, wie von {} festgelegt. Er ist auch von diesem Gerät entfernt.",
                    entry.who()
                )
            }
        } else if app.plain.get() {
            format!(
                "{} hat den Bericht gelöscht. Für alle. Das war am {when}. \
                 Auch auf diesem Gerät ist er jetzt weg.",
                entry.who_plain()
            )
        } else {
            format!(
                "{} hat den Bericht am {when} für alle gelöscht. \
                 Er ist auch von diesem Gerät entfernt.",
                entry.who()
            )
        };
        view! {
            <section class="report-deleted message" role="alert" aria-labelledby="geloescht-hinweis">
                <h2 id="geloescht-hinweis">"Dieser Bericht wurde gelöscht"</h2>
                <p>{text}</p>
                <p>
                    <a class="button" href=Route::CaseList.href()>"Zur Übersicht"</a>
                </p>
            </section>
        }
    }
}

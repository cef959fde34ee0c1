//! One report in the case list: whose it is, which form, where it stands and when it is due;
//! open it, delete it, or (submitted and shared) take it off the device.

use dreieck::storage::Summary;
use dreieck_model::{Date, DueState, Retention};
use leptos::prelude::*;

use crate::route::Route;
use crate::state::case_list::{open_deadline, status_of, urgency};
use crate::state::kept_reports::may_take_off;
use crate::state::platform::format_timestamp;
use crate::state::summary::display_title;

/// Where the report stands against its form's retention period, judged against `today`.
fn retention_of(summary: &Summary, today: Option<Date>) -> Option<Retention> {
    let end = Date::parse_iso(summary.retention_end.as_deref()?).ok()?;
    Some(Retention::on(end, today?))
}

/// "aufbewahren bis …", or the reminder that the retention period ends or ended.
pub fn retention_flag(summary: &Summary, today: Option<Date>) -> Option<impl IntoView> {
    retention_of(summary, today).map(|r| {
        let (class, text) = match r {
            Retention::Ended(d) => (
                "case-retention ended",
                format!("Aufbewahrung endete am {}: bitte löschen", d.german()),
            ),
            Retention::EndsSoon(d) => (
                "case-retention soon",
                format!("Aufbewahrung endet am {}", d.german()),
            ),
            Retention::Until(d) => ("case-retention", format!("aufbewahren bis {}", d.german())),
        };
        view! { <span class=class>{text}</span> }
    })
}

#[component]
pub fn CaseRow(
    summary: Summary,
    /// The day deadlines are judged against.
    today: Option<Date>,
    /// Asks to delete (id, title); the page confirms first.
    on_delete: Callback<(String, String)>,
    /// Asks to take the report off this device, keeping the relay's copy; offered only for a
    /// submitted, shared report. The page confirms first.
    #[prop(optional)]
    on_take_off: Option<Callback<Summary>>,
) -> impl IntoView {
    let title = display_title(&summary.title);
    let changed = format_timestamp(summary.updated_ms);
    let delete_label = format!("Bericht von {title} löschen");
    let id = summary.id.clone();
    let raw_title = summary.title.clone();
    let status = status_of(&summary);
    let urgency = urgency(&summary, today);
    let due = open_deadline(&summary).map(|date| {
        let (class, word) = match urgency {
            Some(DueState::Ueberfaellig) => ("case-due overdue", Some("überfällig")),
            Some(DueState::BaldFaellig) => ("case-due soon", Some("bald fällig")),
            _ => ("case-due", None),
        };
        view! {
            <span class=class title=summary.due_reason.clone()>
                {word.map(|w| view! { <strong class="due-flag">{w}</strong> })}
                {format!("fällig bis {}", date.german())}
            </span>
        }
    });
    let retention = retention_flag(&summary, today);
    let take_off = on_take_off.filter(|_| may_take_off(&summary)).map(|run| {
        let label = format!("Bericht von {title} vom Gerät nehmen");
        let summary = summary.clone();
        view! {
            <button class="button quiet" aria-label=label on:click=move |_| run.run(summary.clone())>
                "Vom Gerät nehmen"
            </button>
        }
    });
    let flags = summary.missing_help.len();
    view! {
        <li class="case" class:case-overdue=urgency == Some(DueState::Ueberfaellig)>
            <a class="case-open" href=Route::Report(summary.id.clone()).href()>
                <span class="case-title">{title}</span>
                <span class="case-meta">
                    {summary.template_name.clone()}
                    {(!changed.is_empty()).then(|| format!(" · zuletzt geändert {changed}"))}
                </span>
                <span class="case-state">
                    <span class=format!("status status-{}", status.code())>{status.label()}</span>
                    {due}
                    {retention}
                    {(flags > 0)
                        .then(|| {
                            let text = if flags == 1 {
                                "1 fehlender Hilfebaustein".to_string()
                            } else {
                                format!("{flags} fehlende Hilfebausteine")
                            };
                            view! { <span class="case-flags">{text}</span> }
                        })}
                </span>
            </a>
            {take_off}
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

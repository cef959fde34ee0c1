//! One report in the case list: whose it is, which form and for what (Anlass), which periods
//! it covers, where it stands and when it is due and why; open it, delete it, or (submitted
//! and shared) take it off the device.

use dreieck::storage::{Period, Summary};
use dreieck_model::{Date, DueState, Retention};
use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;

use crate::route::Route;
use crate::state::case_list::{open_deadline, status_of, urgency};
use crate::state::kept_reports::may_take_off;
use crate::state::platform::format_timestamp;
use crate::state::summary::display_title;
use crate::sync::shared;
use crate::views::case_panel::status_label;

/// Where the report stands against its form's retention period, judged against `today`.
fn retention_of(summary: &Summary, today: Option<Date>) -> Option<Retention> {
    let end = Date::parse_iso(summary.retention_end.as_deref()?).ok()?;
    Some(Retention::on(end, today?))
}

/// "Berichtszeitraum des Ergebnisberichts 01.01.2025 – 31.12.2025"; nothing while empty.
fn period_text(period: Option<&Period>, t: &'static Texts) -> Option<String> {
    let p = period?;
    let day = |d: &Option<String>| {
        d.as_deref()
            .and_then(|d| Date::parse_iso(d).ok())
            .map(|d| d.german())
    };
    let when = match (day(&p.from), day(&p.to)) {
        (None, None) => return None,
        (Some(from), Some(to)) => format!("{from} – {to}"),
        (Some(from), None) => fill(t.row_from, &from),
        (None, Some(to)) => fill(t.row_to, &to),
    };
    Some(format!("{}: {when}", p.label))
}

/// What a caseworker plans by, as one line: the Anlass and the periods.
fn plan_text(summary: &Summary, t: &'static Texts) -> Option<String> {
    let parts: Vec<String> = summary
        .occasion
        .as_ref()
        .map(|o| fill(t.row_occasion, o))
        .into_iter()
        .chain(period_text(summary.period.as_ref(), t))
        .chain(period_text(summary.approval.as_ref(), t))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Where the caseworker's review stands: questions waiting for the provider, answers waiting
/// for the caseworker, or the day the report was accepted.
fn review_text(summary: &Summary, t: &'static Texts) -> Option<(&'static str, String)> {
    let plural = |n: u32, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = Vec::new();
    if summary.remarks_open > 0 {
        parts.push(plural(
            summary.remarks_open,
            t.row_question_open,
            t.row_questions_open,
        ));
    }
    if summary.remarks_answered > 0 {
        parts.push(plural(
            summary.remarks_answered,
            t.row_answer_to_check,
            t.row_answers_to_check,
        ));
    }
    if !parts.is_empty() {
        return Some(("case-review", parts.join(", ")));
    }
    let day = Date::parse_iso(summary.accepted.as_deref()?).ok()?;
    Some(("case-accepted", fill(t.row_accepted, &day.german())))
}

/// Where the copies of a report are, which decides how it is deleted at the end of its
/// retention period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copies {
    /// Only on this device: "Löschen" in the list deletes it.
    OnlyHere,
    /// Shared: other devices and the relay hold it too; only "Für alle löschen" (in the
    /// report) deletes it everywhere, the list's "Löschen" only here.
    Shared,
    /// Taken off this device ("Nur beim Server"): fetched back first, then deleted for all.
    OnlyAtRelay,
}

/// "aufbewahren bis …", or the reminder that the retention period ends or ended, saying how
/// this report is to be deleted.
fn retention_text(
    summary: &Summary,
    today: Option<Date>,
    copies: Copies,
    t: &'static Texts,
) -> Option<(&'static str, String)> {
    retention_of(summary, today).map(|r| match r {
        Retention::Ended(d) => {
            let what = match copies {
                Copies::OnlyHere => t.row_retention_delete,
                Copies::Shared => t.row_retention_delete_all,
                Copies::OnlyAtRelay => t.row_retention_fetch,
            };
            (
                "case-retention ended",
                fill_with(
                    t.row_retention_ended,
                    &[("date", &d.german()), ("what", what)],
                ),
            )
        }
        Retention::EndsSoon(d) => (
            "case-retention soon",
            fill(t.row_retention_soon, &d.german()),
        ),
        Retention::Until(d) => ("case-retention", fill(t.row_retention_until, &d.german())),
    })
}

/// [`retention_text`] as the flag in a row.
pub fn retention_flag(
    summary: &Summary,
    today: Option<Date>,
    copies: Copies,
    t: &'static Texts,
) -> Option<impl IntoView> {
    retention_text(summary, today, copies, t)
        .map(|(class, text)| view! { <span class=class>{text}</span> })
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
    let app = crate::state::app_context::use_app();
    let row = move || {
        let t = app.texts();
        let plain = app.plain.get();
        let summary = summary.clone();
        let title = display_title(&summary.title);
        let changed = format_timestamp(summary.updated_ms);
        let delete_label = fill(t.row_delete, &title);
        let id = summary.id.clone();
        let raw_title = summary.title.clone();
        // The person supported opens their own view (see `Route::opening`).
        let summary_id = summary.id.clone();
        let status = status_of(&summary);
        let urgency = urgency(&summary, today);
        let due = open_deadline(&summary).map(|date| {
            let (class, word) = match urgency {
                Some(DueState::Ueberfaellig) => ("case-due overdue", Some(t.row_overdue)),
                Some(DueState::BaldFaellig) => ("case-due soon", Some(t.row_soon)),
                _ => ("case-due", None),
            };
            view! {
                <span class=class>
                    {word.map(|w| view! { <strong class="due-flag">{w}</strong> })}
                    {fill(t.row_due, &date.german())}
                </span>
            }
        });
        // Why that is the deadline, or what is missing to know it; said in words, not hidden
        // in a tooltip that touch screens and screen readers never show. Nothing once
        // submitted. The rules behind deadlines, the planning line, the retention period and
        // the gaps in help are staff work: Leichte Sprache leaves them out of the row.
        let due_reason = (!plain
            && status != dreieck_model::Status::Submitted
            && !summary.due_reason.is_empty())
        .then(|| view! { <span class="case-due-reason">{summary.due_reason.clone()}</span> });
        let plan = (!plain)
            .then(|| plan_text(&summary, t))
            .flatten()
            .map(|text| view! { <span class="case-plan">{text}</span> });
        let shared = shared::load(&summary.id).is_some();
        let copies = if shared {
            Copies::Shared
        } else {
            Copies::OnlyHere
        };
        let retention = (!plain)
            .then(|| retention_flag(&summary, today, copies, t))
            .flatten();
        let take_off = on_take_off.filter(|_| may_take_off(&summary, shared)).map(|run| {
            let label = fill(t.row_take_off, &title);
            let summary = summary.clone();
            view! {
                <button class="button quiet" aria-label=label on:click=move |_| run.run(summary.clone())>
                    {t.list_take_off_confirm}
                </button>
            }
        });
        let flags = if plain { 0 } else { summary.missing_help.len() };
        let review =
            review_text(&summary, t).map(|(class, text)| view! { <span class=class>{text}</span> });
        let form = if plain {
            app.templates
                .plain_name_of(&summary.template_name)
                .unwrap_or_else(|| summary.template_name.clone())
        } else {
            summary.template_name.clone()
        };
        view! {
            <li class="case" class:case-overdue=urgency == Some(DueState::Ueberfaellig)>
                <a class="case-open" href=move || Route::opening(app.role.get(), summary_id.clone()).href()>
                    <span class="case-title">{title}</span>
                    <span class="case-meta">
                        {form}
                        {(!changed.is_empty()).then(|| format!(" {}", fill(t.row_changed, &changed)))}
                    </span>
                    {plan}
                    <span class="case-state">
                        <span class=format!("status status-{}", status.code())>{status_label(t, status)}</span>
                        {review}
                        {due}
                        {due_reason}
                        {retention}
                        {(flags > 0)
                            .then(|| {
                                let text = if flags == 1 {
                                    t.row_one_gap.to_string()
                                } else {
                                    fill(t.row_gaps, &flags.to_string())
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
                    {t.list_delete_confirm}
                </button>
            </li>
        }
    };
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use dreieck_texts::standard::STANDARD;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_plan_line_names_the_occasion_and_the_periods_that_are_filled() {
        let summary = Summary {
            occasion: Some("Abbruch".into()),
            period: Some(Period {
                label: "Teilnahme".into(),
                from: Some("2026-03-02".into()),
                to: None,
            }),
            approval: Some(Period {
                label: "Bewilligungszeitraum".into(),
                from: None,
                to: None,
            }),
            ..Summary::default()
        };
        assert_eq!(
            plan_text(&summary, &STANDARD).as_deref(),
            Some("Anlass: Abbruch · Teilnahme: ab 02.03.2026")
        );
        assert_eq!(plan_text(&Summary::default(), &STANDARD), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_row_says_what_the_review_waits_for_before_that_it_was_accepted() {
        let summary = Summary {
            remarks_open: 2,
            remarks_answered: 1,
            accepted: Some("2026-12-01".into()),
            ..Summary::default()
        };
        assert_eq!(
            review_text(&summary, &STANDARD),
            Some((
                "case-review",
                "2 Rückfragen offen, 1 Antwort zu prüfen".to_string()
            ))
        );
        let accepted = Summary {
            accepted: Some("2026-12-01".into()),
            ..Summary::default()
        };
        assert_eq!(
            review_text(&accepted, &STANDARD),
            Some(("case-accepted", "angenommen am 01.12.2026".to_string()))
        );
        assert_eq!(review_text(&Summary::default(), &STANDARD), None);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_reminder_says_how_each_report_is_deleted_everywhere() {
        let summary = Summary {
            retention_end: Some("2025-01-10".into()),
            ..Summary::default()
        };
        let today = Date::parse_iso("2026-12-06").ok();
        let text = |copies| retention_text(&summary, today, copies, &STANDARD).map(|(_, t)| t);
        assert_eq!(
            text(Copies::OnlyHere).as_deref(),
            Some("Aufbewahrung endete am 10.01.2025: bitte löschen")
        );
        assert_eq!(
            text(Copies::Shared).as_deref(),
            Some("Aufbewahrung endete am 10.01.2025: bitte im Bericht „Für alle löschen“")
        );
        assert_eq!(
            text(Copies::OnlyAtRelay).as_deref(),
            Some("Aufbewahrung endete am 10.01.2025: bitte zurückholen und für alle löschen")
        );
        // Before the end every row says the same.
        let earlier = Date::parse_iso("2024-01-01").ok();
        assert_eq!(
            retention_text(&summary, earlier, Copies::OnlyAtRelay, &STANDARD),
            retention_text(&summary, earlier, Copies::Shared, &STANDARD)
        );
    }
}

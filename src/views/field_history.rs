//! "Verlauf" under a field: who changed it when, from the document's change graph.
//!
//! Read when the disclosure is opened (it walks every change of the report), and again each
//! time it is opened; nothing here runs while someone types.

use dreieck_model::{Anchor, FieldEdit, RemarkStep};
use dreieck_texts::{fill, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;

use crate::state::editor::use_editor;
use crate::state::platform::{format_time, format_timestamp};

#[component]
pub fn FieldHistory(field_id: String, label: String, plain_label: String) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let entries = RwSignal::new(None::<Result<Vec<FieldEdit>, String>>);
    // The caseworker's questions on the field are part of its history too.
    let review = RwSignal::new(Vec::<RemarkStep>::new());
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        entries.set(open.then(|| editor.field_history(&field_id)));
        let anchor = Anchor::Field(field_id.clone());
        review.set(if open {
            editor
                .read(|r| {
                    r.remarks_on(&anchor)
                        .iter()
                        .flat_map(|remark| remark.steps())
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        });
    };
    view! {
        <details class="field-history" on:toggle=on_toggle>
            <summary>
                {move || app.texts().history}
                <span class="visually-hidden">
                    {move || format!(" {}", fill(app.texts().history_of, app.words(&label, &plain_label)))}
                </span>
            </summary>
            {move || match entries.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="notice">{fill(app.texts().history_unreadable, &e)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>{app.texts().history_empty}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="history-list">
                        {list.iter().map(|e| view! { <li>{describe(e, app.texts(), app.plain.get())}</li> }).collect_view()}
                    </ol>
                }
                .into_any(),
            }}
            {move || {
                let steps = review.get();
                (!steps.is_empty())
                    .then(|| {
                        view! {
                            <p class="history-review">{app.texts().history_questions}</p>
                            <ol class="history-list">
                                {steps.iter().map(|s| view! { <li>{review_step(s, app.texts(), app.plain.get())}</li> }).collect_view()}
                            </ol>
                        }
                    })
            }}
        </details>
    }
}

/// One line: when, who, what ("23.11.2026, 14:05–14:07 · Einrichtung/Dienst · 52 Zeichen
/// geschrieben, 3 gelöscht").
fn describe(e: &FieldEdit, t: &Texts, plain: bool) -> String {
    let when = if e.from_s == 0 {
        t.history_no_time.to_string()
    } else {
        let from = format_timestamp(e.from_s as f64 * 1000.0);
        let (start, end) = (
            format_time(e.from_s as f64 * 1000.0),
            format_time(e.to_s as f64 * 1000.0),
        );
        if e.to_s / 86_400 == e.from_s / 86_400 && start != end {
            format!("{from}–{end}")
        } else {
            from
        }
    };
    let who = e.role.map_or(t.history_unknown_role, |r| {
        if plain {
            r.plain_label()
        } else {
            r.label()
        }
    });
    let mut what = Vec::new();
    if e.inserted > 0 {
        what.push(fill(t.history_written, &characters(e.inserted, t)));
    }
    if e.deleted > 0 {
        what.push(fill(t.history_deleted, &characters(e.deleted, t)));
    }
    if e.set > 0 {
        what.push(t.history_set.to_string());
    }
    format!("{when} · {who} · {}", what.join(", "))
}

/// "04.03.2026 · Einrichtung/Dienst · beantwortet".
fn review_step(s: &RemarkStep, t: &Texts, plain: bool) -> String {
    let when = s
        .date
        .map_or_else(|| t.history_no_date.to_string(), |d| d.german());
    let who = if plain {
        s.role.plain_label()
    } else {
        s.role.label()
    };
    format!("{when} · {who} · {}", s.what)
}

fn characters(n: usize, t: &Texts) -> String {
    if n == 1 {
        t.history_one_character.to_string()
    } else {
        fill(t.history_characters, &n.to_string())
    }
}

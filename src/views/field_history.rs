//! "Verlauf" under a field: who changed it when, from the document's change graph.
//!
//! Read when the disclosure is opened (it walks every change of the report), and again each
//! time it is opened; nothing here runs while someone types.

use dreieck_model::FieldEdit;
use leptos::prelude::*;

use crate::state::editor::use_editor;
use crate::state::platform::{format_time, format_timestamp};

#[component]
pub fn FieldHistory(field_id: String, label: String) -> impl IntoView {
    let editor = use_editor();
    let entries = RwSignal::new(None::<Result<Vec<FieldEdit>, String>>);
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        entries.set(open.then(|| editor.field_history(&field_id)));
    };
    view! {
        <details class="field-history" on:toggle=on_toggle>
            <summary>
                "Verlauf"
                <span class="visually-hidden">{format!(" von „{label}“")}</span>
            </summary>
            {move || match entries.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="notice">{format!("Verlauf nicht lesbar: {e}")}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p>"Noch keine Änderungen."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="history-list">
                        {list.iter().map(|e| view! { <li>{describe(e)}</li> }).collect_view()}
                    </ol>
                }
                .into_any(),
            }}
        </details>
    }
}

/// One line: when, who, what ("23.11.2026, 14:05–14:07 · Einrichtung/Dienst · 52 Zeichen
/// geschrieben, 3 gelöscht").
fn describe(e: &FieldEdit) -> String {
    let when = if e.from_s == 0 {
        "Zeit nicht erfasst".to_string()
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
    let who = e.role.map_or("unbekannte Rolle", |r| r.label());
    let mut what = Vec::new();
    if e.inserted > 0 {
        what.push(format!("{} geschrieben", characters(e.inserted)));
    }
    if e.deleted > 0 {
        what.push(format!("{} gelöscht", characters(e.deleted)));
    }
    if e.set > 0 {
        what.push("Wert geändert".to_string());
    }
    format!("{when} · {who} · {}", what.join(", "))
}

fn characters(n: usize) -> String {
    if n == 1 {
        "1 Zeichen".to_string()
    } else {
        format!("{n} Zeichen")
    }
}

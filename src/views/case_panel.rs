//! "Stand des Berichts": where the report stands (Entwurf, im Gespräch, unterschrieben,
//! übermittelt), its deadline and why, and recording that it was sent to the authority.

use dreieck_model::{due, Date, DueState, Status};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::today;
use crate::state::session::CASE;
use crate::views::case_role_hint::CaseRoleHint;

#[component]
pub fn CasePanel() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    // Signatures, deadlines and the conversation follow any change: re-read on every one
    // (while somebody types, a few times a second), and the panel is rebuilt only when what
    // it shows changed.
    let state = Memo::new(move |_| {
        editor.track_all();
        editor.track_field(CASE);
        let day = today();
        editor.read(|r| {
            (
                r.status(),
                day.map(|d| due(r, d)),
                r.submission(),
                r.acceptance().map(|a| a.date),
            )
        })
    });
    let state = move || state.get();
    let sent_on = RwSignal::new(today().map(|d| d.iso()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let submit = move |_| {
        let role = app.role.get_untracked();
        match Date::parse_iso(&sent_on.get_untracked()) {
            Ok(day) => {
                error.set(None);
                editor.change(move |r| r.mark_submitted(role, day));
            }
            Err(_) => error.set(Some(
                "Bitte das Datum der Übermittlung eintragen.".to_string(),
            )),
        }
    };
    let withdraw = move |_| {
        let role = app.role.get_untracked();
        editor.change(move |r| r.withdraw_submission(role));
    };
    view! {
        <section class="form-section case-panel" aria-labelledby="stand-titel">
            <h2 id="stand-titel">"Stand des Berichts"</h2>
            {move || {
                let Some((status, due, submission, accepted)) = state() else {
                    return ().into_any();
                };
                let deadline = due
                    .filter(|_| status != Status::Submitted)
                    .map(|due| {
                        let (class, word) = match (due.date, due.state) {
                            (Some(d), Some(DueState::Ueberfaellig)) => {
                                ("due overdue", format!("Überfällig: die Frist war der {}.", d.german()))
                            }
                            (Some(d), Some(DueState::BaldFaellig)) => {
                                ("due soon", format!("Bald fällig: bis {}.", d.german()))
                            }
                            (Some(d), _) => ("due", format!("Fällig bis {}.", d.german())),
                            (None, _) => ("due", "Keine Frist bekannt.".to_string()),
                        };
                        view! {
                            <p class=class id="frist">
                                <strong>{word}</strong>
                                " "
                                {due.reason}
                            </p>
                        }
                    });
                view! {
                    <p class="case-status">
                        "Stand: "
                        <span id="bericht-stand" class=format!("status status-{}", status.code())>
                            {status.label()}
                        </span>
                    </p>
                    <p class="section-help">{explain(status)}</p>
                    {accepted
                        .map(|d| {
                            view! {
                                <p class="message ok" id="stand-angenommen">
                                    {format!("Vom Leistungsträger angenommen am {}.", d.german())}
                                </p>
                            }
                        })}
                    {deadline}
                    {match submission {
                        Some(s) => {
                            view! {
                                <p class="message ok" id="uebermittelt">
                                    {format!(
                                        "Übermittelt am {} (eingetragen von: {}).",
                                        s.date.german(),
                                        s.role.label(),
                                    )}
                                </p>
                                <button
                                    class="button"
                                    id="uebermittlung-zuruecknehmen"
                                    disabled=move || !app.role.get().keeps_the_case()
                                    on:click=withdraw
                                >
                                    "Übermittlung zurücknehmen"
                                </button>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <div class="submit-row">
                                    <div class="field-control">
                                        <label for="uebermittelt-am">"Übermittelt am"</label>
                                        <input
                                            type="date"
                                            id="uebermittelt-am"
                                            prop:value=move || sent_on.get()
                                            on:change=move |ev| sent_on.set(event_target_value(&ev))
                                        />
                                    </div>
                                    <button
                                        class="button primary"
                                        id="als-uebermittelt"
                                        disabled=move || !app.role.get().keeps_the_case()
                                        on:click=submit
                                    >
                                        "Als übermittelt eintragen"
                                    </button>
                                </div>
                            }
                                .into_any()
                        }
                    }}
                    <CaseRoleHint text="Die Übermittlung tragen Einrichtung oder Leistungsträger ein." />
                    {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
                }
                    .into_any()
            }}
        </section>
    }
}

/// What the status means, and what comes next.
fn explain(status: Status) -> &'static str {
    match status {
        Status::Draft => "Der Bericht wird vorbereitet. Als Nächstes: das gemeinsame Gespräch.",
        Status::InConversation => {
            "Das Gespräch hat begonnen oder es wird unterschrieben. Unterschrieben ist der Bericht, wenn alle nötigen Unterschriften gültig sind."
        }
        Status::Signed => {
            "Alle nötigen Unterschriften sind gültig. Als Nächstes: den Bericht an den Leistungsträger übermitteln."
        }
        Status::Submitted => "Der Bericht ist beim Leistungsträger.",
    }
}

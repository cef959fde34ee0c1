//! "Stand des Berichts": where the report stands (Entwurf, im Gespräch, unterschrieben,
//! übermittelt), its deadline and why, and recording that it was sent to the authority.

use dreieck_model::{due, Date, Due, DueState, Status};
use dreieck_texts::{around, fill, Texts};
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
            Err(_) => error.set(Some(app.texts_now().case_sent_date_missing.to_string())),
        }
    };
    let withdraw = move |_| {
        let role = app.role.get_untracked();
        editor.change(move |r| r.withdraw_submission(role));
    };
    view! {
        <section class="form-section case-panel" aria-labelledby="stand-titel">
            <h2 id="stand-titel">{move || app.texts().case_title}</h2>
            {move || {
                let Some((status, due, submission, accepted)) = state() else {
                    return ().into_any();
                };
                let t = app.texts();
                let plain = app.plain.get();
                let deadline = due
                    .filter(|_| status != Status::Submitted)
                    .map(|due| {
                        let (class, word) = due_words(&due, t, plain);
                        // The rule behind the deadline is for staff; in Leichte Sprache the
                        // date says enough.
                        let reason = (!plain).then(|| format!(" {}", due.reason));
                        view! {
                            <p class=class id="frist">
                                <strong>{word}</strong>
                                {reason}
                            </p>
                        }
                    });
                view! {
                    <p class="case-status">
                        {around(t.case_status).0}
                        <span id="bericht-stand" class=format!("status status-{}", status.code())>
                            {status_label(t, status)}
                        </span>
                    </p>
                    <p class="section-help">{explain(t, status)}</p>
                    {accepted
                        .map(|d| {
                            view! {
                                <p class="message ok" id="stand-angenommen">
                                    {fill(t.case_accepted, &d.german())}
                                </p>
                            }
                        })}
                    {deadline}
                    {match submission {
                        Some(s) => {
                            view! {
                                <p class="message ok" id="uebermittelt">
                                    {fill(
                                        &fill(t.case_submitted, &s.date.german()),
                                        if plain { s.role.plain_label() } else { s.role.label() },
                                    )}
                                </p>
                                <button
                                    class="button"
                                    id="uebermittlung-zuruecknehmen"
                                    disabled=move || !app.role.get().keeps_the_case()
                                    on:click=withdraw
                                >
                                    {t.case_withdraw}
                                </button>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <div class="submit-row">
                                    <div class="field-control">
                                        <label for="uebermittelt-am">{t.case_sent_on}</label>
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
                                        {t.case_mark_sent}
                                    </button>
                                </div>
                            }
                                .into_any()
                        }
                    }}
                    <CaseRoleHint text=|t| t.case_sent_who />
                    {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
                }
                    .into_any()
            }}
        </section>
    }
}

/// What the status means, and what comes next.
fn explain(t: &'static Texts, status: Status) -> &'static str {
    match status {
        Status::Draft => t.status_draft_next,
        Status::InConversation => t.status_in_conversation_next,
        Status::Signed => t.status_signed_next,
        Status::Submitted => t.status_submitted_next,
    }
}

/// The status's name, in the language shown.
pub fn status_label(t: &'static Texts, status: Status) -> &'static str {
    match status {
        Status::Draft => t.status_draft,
        Status::InConversation => t.status_in_conversation,
        Status::Signed => t.status_signed,
        Status::Submitted => t.status_submitted,
    }
}

/// The deadline in words, with its class ("due overdue", "due soon", "due"); the rule behind
/// it (`Due::reason`) is shown beside it to staff.
pub fn due_words(due: &Due, t: &'static Texts, plain: bool) -> (&'static str, String) {
    let day = |d: Date| if plain { d.spoken() } else { d.german() };
    match (due.date, due.state) {
        (Some(d), Some(DueState::Ueberfaellig)) => ("due overdue", fill(t.due_overdue, &day(d))),
        (Some(d), Some(DueState::BaldFaellig)) => ("due soon", fill(t.due_soon, &day(d))),
        (Some(d), _) => ("due", fill(t.due_at, &day(d))),
        (None, _) => ("due", t.due_unknown.to_string()),
    }
}

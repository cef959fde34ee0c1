//! "Prüfung durch den Leistungsträger": every question on the report at a glance, with a way
//! to the place it was asked, and "Bericht angenommen" (recorded, shown, taken back).

use dreieck_model::{Anchor, Date, RemarkState, Role};
use dreieck_texts::{fill, fill_with, plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::{focus_element, today};
use crate::state::session::CASE;
use crate::views::remark_thread::{remark_dom_id, shown_remarks, state_words};

#[component]
pub fn ReviewPanel() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let remarks = shown_remarks(None);
    // The acceptance names what changed since: re-read on every change.
    let acceptance = Memo::new(move |_| {
        editor.track_all();
        editor.track_field(CASE);
        editor
            .read(|r| {
                r.acceptance().map(|a| {
                    let by = a.by.as_deref().and_then(|k| r.member_name(k));
                    let changed: Option<Vec<String>> = a.changed.map(|ids| {
                        ids.iter()
                            .filter_map(|id| r.template().field(id).map(|f| f.label.clone()))
                            .collect()
                    });
                    (a.date, by, changed)
                })
            })
            .flatten()
    });
    // What each remark is about, as the form names it (standard, plain).
    let about = move |anchor: &Anchor| -> (String, String) {
        editor
            .read(|r| match anchor {
                Anchor::Field(id) => r
                    .template()
                    .field(id)
                    .map(|f| (f.label.clone(), f.plain_label.clone()))
                    .unwrap_or_else(|| {
                        (
                            STANDARD.review_field_gone.to_string(),
                            PLAIN.review_field_gone.to_string(),
                        )
                    }),
                Anchor::Goal(id) => {
                    let goals = r.goals();
                    match goals.iter().position(|g| &g.id == id) {
                        Some(i) => (
                            fill(STANDARD.goal_number, &(i + 1).to_string()),
                            fill(PLAIN.goal_number, &(i + 1).to_string()),
                        ),
                        None => (
                            STANDARD.review_goal_gone.to_string(),
                            PLAIN.review_goal_gone.to_string(),
                        ),
                    }
                }
            })
            .unwrap_or_default()
    };
    let accepted_on = RwSignal::new(today().map(|d| d.iso()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let accept = move |_| {
        let role = app.role.get_untracked();
        let Ok(day) = Date::parse_iso(&accepted_on.get_untracked()) else {
            error.set(Some(app.texts_now().review_accept_date_missing.to_string()));
            return;
        };
        // Checked before the edit, so that the reason shows here, beside the button.
        if let Some(Err(e)) = editor.read(|r| r.check_acceptance(role)) {
            error.set(Some(e.to_string()));
            return;
        }
        error.set(None);
        editor.change(move |r| r.accept(role, day));
    };
    let withdraw = move |_| {
        let role = app.role.get_untracked();
        editor.change(move |r| r.withdraw_acceptance(role));
    };
    let is_caseworker = move || app.role.get() == Role::Caseworker;

    let counts = move || {
        let list = remarks.get();
        if list.is_empty() {
            return app.texts().review_no_questions.to_string();
        }
        let n = |st: RemarkState| list.iter().filter(|s| s.remark.state == st).count();
        let (open, answered, done) = (
            n(RemarkState::Open),
            n(RemarkState::Answered),
            n(RemarkState::Done),
        );
        fill_with(
            app.texts().review_counts,
            &[
                ("open", &open.to_string()),
                ("answered", &answered.to_string()),
                ("done", &done.to_string()),
            ],
        )
    };
    let list = move || {
        let list = remarks.get();
        (!list.is_empty()).then(|| {
            view! {
                <ul class="review-list" aria-label=move || app.texts().review_list_label>
                    {list
                        .into_iter()
                        .map(|s| {
                            let target = remark_dom_id(&s.remark.id);
                            let (what, plain_what) = about(&s.remark.anchor);
                            let state = s.remark.state;
                            let jump = (what.clone(), plain_what.clone());
                            let jump_label = move || {
                                fill(app.texts().review_jump_label, app.words(&jump.0, &jump.1))
                            };
                            view! {
                                <li class=format!("review-item remark-{}", s.remark.state.code())>
                                    <span class="review-about">
                                        {move || app.words(&what, &plain_what).to_string()}
                                    </span>
                                    <span aria-hidden="true">" · "</span>
                                    <span class="remark-state">{move || state_words(app.texts(), state)}</span>
                                    <span class="review-question">{s.remark.text.clone()}</span>
                                    <button
                                        class="button quiet"
                                        aria-label=jump_label
                                        on:click=move |_| {
                                            focus_element(&target);
                                        }
                                    >
                                        {move || app.texts().review_jump}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    };
    let accepted = move || {
        match acceptance.get() {
        Some((date, by, changed)) => {
            let who = by
                .map(|n| format!(" von {n}"))
                .unwrap_or_else(|| format!(" vom {}", Role::Caseworker.label()));
            let t = app.texts();
            let changed = match changed {
                Some(fields) if !fields.is_empty() => {
                    Some(fill(t.review_changed_since, &fields.join(", ")))
                }
                Some(_) => None,
                None => Some(t.review_incomplete.to_string()),
            };
            view! {
                <p class="message ok" id="angenommen">
                    {move || {
                        let day = if app.plain.get() { date.spoken() } else { date.german() };
                        fill_with(app.texts().review_accepted, &[("date", &day), ("who", &who)])
                    }}
                </p>
                {changed.map(|c| view! { <p class="message warn" id="nach-annahme-geaendert">{c}</p> })}
                {move || {
                    is_caseworker()
                        .then(|| {
                            view! {
                                <button class="button" id="annahme-zuruecknehmen" on:click=withdraw>
                                    {move || app.texts().review_withdraw}
                                </button>
                            }
                        })
                }}
            }
                .into_any()
        }
        None => {
            view! {
                <p class="section-help">
                    {move || app.texts().review_not_accepted}
                </p>
                {move || {
                    is_caseworker()
                        .then(|| {
                            view! {
                                <div class="submit-row">
                                    <div class="field-control">
                                        <label for="angenommen-am">{move || app.texts().review_accepted_on}</label>
                                        <input
                                            class="control control-date"
                                            type="date"
                                            id="angenommen-am"
                                            prop:value=move || accepted_on.get()
                                            on:change=move |ev| accepted_on.set(event_target_value(&ev))
                                        />
                                    </div>
                                    <button class="button primary" id="bericht-annehmen" on:click=accept>
                                        {move || app.texts().review_accept}
                                    </button>
                                </div>
                            }
                        })
                }}
            }
                .into_any()
        }
    }
    };
    view! {
        <section class="form-section review-panel" aria-labelledby="pruefung-titel">
            <h2 id="pruefung-titel">
                {move || app.texts().review_title}
            </h2>
            <p class="section-help">
                {move || {
                    app.texts().review_intro
                }}
            </p>
            <p class="review-counts" id="rueckfragen-stand">{counts}</p>
            {list}
            {accepted}
            {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
        </section>
    }
}

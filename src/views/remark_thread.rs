//! The caseworker's questions on one field or goal, where they were asked: each with who asked
//! and when, the provider's answer, and what each role can do next (ask, answer, close, open
//! again, take back). Every role reads them; the person supported reads them in plain words.

use dreieck_model::MAX_REMARK_CHARS;
use dreieck_model::{check_remark, Anchor, Remark, RemarkState, Role, MAX_ANSWER_CHARS};
use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::{focus_element, today};
use crate::state::session::CASE;

/// Element id of a remark (the review panel's "Zur Stelle" jumps there).
pub fn remark_dom_id(remark: &str) -> String {
    format!("rueckfrage-{remark}")
}

/// Element id part for an anchor: `feld-<id>` or `ziel-<id>`.
fn anchor_dom(anchor: &Anchor) -> String {
    match anchor {
        Anchor::Field(id) => format!("feld-{id}"),
        Anchor::Goal(id) => format!("ziel-{id}"),
    }
}

/// A remark with the names the report's memberships give its author and answerer.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownRemark {
    pub remark: Remark,
    pub asker: Option<String>,
    pub answerer: Option<String>,
}

/// The remarks on `anchor` (or all, with `None`), tracked by the case's changes.
pub fn shown_remarks(anchor: Option<Anchor>) -> Memo<Vec<ShownRemark>> {
    let editor = use_editor();
    Memo::new(move |_| {
        editor.track_field(CASE);
        editor
            .read(|r| {
                let remarks = match &anchor {
                    Some(a) => r.remarks_on(a),
                    None => r.remarks(),
                };
                remarks
                    .into_iter()
                    .map(|remark| ShownRemark {
                        asker: remark.by.as_deref().and_then(|k| r.member_name(k)),
                        answerer: remark.answered_by.as_deref().and_then(|k| r.member_name(k)),
                        remark,
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// "Herr Amt (Leistungsträger)"; the name alone when it already names the role (a role used
/// on another's device is named "Leistungsträger (am Gerät von …)"); the role without a name.
fn who(name: Option<&str>, role: Role) -> String {
    match name {
        Some(n) if n.contains(role.label()) => n.to_string(),
        Some(n) => format!("{n} ({})", role.label()),
        None => role.label().to_string(),
    }
}

/// The state as a short phrase, standard or plain.
pub fn state_words(t: &'static Texts, state: RemarkState) -> &'static str {
    match state {
        RemarkState::Open => t.remark_open,
        RemarkState::Answered => t.remark_answered,
        RemarkState::Done => t.remark_done,
    }
}

#[component]
pub fn RemarkThread(
    anchor: Anchor,
    /// What the remarks are about, for labels ("Mobilität", "Ziel 2").
    #[prop(into)]
    about: Signal<String>,
) -> impl IntoView {
    let app = use_app();
    let editor = use_editor();
    let dom = anchor_dom(&anchor);
    let remarks = shown_remarks(Some(anchor.clone()));
    let anchor = StoredValue::new(anchor);
    let asking = RwSignal::new(false);
    let question = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let ask_id = format!("frage-{dom}");
    let open_id = format!("frage-oeffnen-{dom}");
    let is_caseworker = move || app.role.get() == Role::Caseworker;

    let focus_ask = ask_id.clone();
    let open = move |_| {
        asking.set(true);
        let id = focus_ask.clone();
        request_animation_frame(move || {
            focus_element(&id);
        });
    };
    let back_to = open_id.clone();
    let close = move || {
        asking.set(false);
        error.set(None);
        let id = back_to.clone();
        request_animation_frame(move || {
            focus_element(&id);
        });
    };
    let cancel = {
        let close = close.clone();
        move |_| {
            question.set(String::new());
            close();
        }
    };
    let send = move |_| {
        let role = app.role.get_untracked();
        let Some(day) = today() else {
            error.set(Some(app.texts_now().device_date_unknown.to_string()));
            return;
        };
        let text = question.get_untracked();
        // Checked before the edit, so that a refused question stays in the box to be mended.
        let checked = anchor.with_value(|a| {
            editor
                .read(|r| check_remark(r, role, a, &text).map(|_| ()))
                .unwrap_or(Ok(()))
        });
        if let Err(e) = checked {
            error.set(Some(e.to_string()));
            return;
        }
        let a = anchor.get_value();
        editor.change(move |r| r.add_remark(role, &a, &text, day).map(|_| ()));
        question.set(String::new());
        close();
    };

    let ask_label = move || fill(app.texts().remark_ask_label, &about.get());
    view! {
        <div class="remarks" id=format!("rueckfragen-{dom}")>
            <For
                each=move || remarks.get()
                key=|s| s.remark.id.clone()
                children=move |s| view! { <RemarkItem id=s.remark.id.clone() remarks=remarks /> }
            />
            {move || {
                is_caseworker()
                    .then(|| {
                        if asking.get() {
                            view! {
                                <div class="remark-ask">
                                    <label class="field-label" for=ask_id.clone()>{ask_label}</label>
                                    <textarea
                                        class="control"
                                        id=ask_id.clone()
                                        rows="3"
                                        maxlength=MAX_REMARK_CHARS.to_string()
                                        prop:value=move || question.get()
                                        on:input=move |ev| question.set(event_target_value(&ev))
                                    ></textarea>
                                    <div class="remark-actions">
                                        <button class="button primary" on:click=send.clone()>
                                            {move || app.texts().remark_send}
                                        </button>
                                        <button class="button" on:click=cancel.clone()>
                                            {move || app.texts().cancel}
                                        </button>
                                    </div>
                                    {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
                                </div>
                            }
                                .into_any()
                        } else {
                            view! {
                                <button
                                    class="button quiet remark-open"
                                    id=open_id.clone()
                                    on:click=open.clone()
                                >
                                    {move || fill(app.texts().remark_ask_open, &about.get())}
                                </button>
                            }
                                .into_any()
                        }
                    })
            }}
        </div>
    }
}

/// One remark, re-read from `remarks` by id so that its state and answer follow changes
/// without rebuilding the item (and losing a half-written answer).
#[component]
fn RemarkItem(id: String, remarks: Memo<Vec<ShownRemark>>) -> impl IntoView {
    let app = use_app();
    let editor = use_editor();
    let dom = remark_dom_id(&id);
    let head_id = format!("{dom}-kopf");
    let answer_id = format!("{dom}-antwort");
    let rid = StoredValue::new(id);
    let shown = Memo::new(move |_| {
        rid.with_value(|id| remarks.with(|all| all.iter().find(|s| &s.remark.id == id).cloned()))
    });
    let answer = RwSignal::new(
        shown
            .get_untracked()
            .map(|s| s.remark.answer)
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<String>);
    // An answer already sent is shown as text; "Antwort ändern" opens it for editing.
    let editing = RwSignal::new(false);
    let role = move || app.role.get();
    // Acting rebuilds the item's buttons: focus goes back to the remark, not to the page.
    let dom_stored = StoredValue::new(dom.clone());
    let keep_focus = move || {
        let dom = dom_stored.get_value();
        request_animation_frame(move || {
            focus_element(&dom);
        });
    };

    let send_answer = move |_| {
        let Some(day) = today() else {
            error.set(Some(app.texts_now().device_date_unknown.to_string()));
            return;
        };
        let text = answer.get_untracked();
        if text.trim().is_empty() {
            error.set(Some(app.texts_now().remark_write_answer.to_string()));
            return;
        }
        error.set(None);
        let role = app.role.get_untracked();
        let id = rid.get_value();
        editor.change(move |r| r.answer_remark(role, &id, &text, day));
        editing.set(false);
        keep_focus();
    };
    let act = move |what: RemarkState| {
        let role = app.role.get_untracked();
        let id = rid.get_value();
        match what {
            RemarkState::Done => {
                let Some(day) = today() else {
                    error.set(Some(app.texts_now().device_date_unknown.to_string()));
                    return;
                };
                editor.change(move |r| r.close_remark(role, &id, day));
            }
            _ => editor.change(move |r| r.reopen_remark(role, &id)),
        }
        keep_focus();
    };
    let withdraw = move |_| {
        let role = app.role.get_untracked();
        let id = rid.get_value();
        editor.change(move |r| r.withdraw_remark(role, &id));
    };

    let head = move || {
        let s = shown.get()?;
        let who = who(s.asker.as_deref(), Role::Caseworker);
        let t = app.texts();
        let plain = app.plain.get();
        let when = s
            .remark
            .asked
            .map(|d| {
                fill(
                    t.remark_on_day,
                    &if plain { d.spoken() } else { d.german() },
                )
            })
            .unwrap_or_default();
        Some(fill_with(t.remark_from, &[("who", &who), ("when", &when)]))
    };
    let state = move || shown.get().map(|s| s.remark.state);
    let state_text = move || state().map(|st| state_words(app.texts(), st));
    let answer_block = move || {
        let s = shown.get()?;
        if s.remark.answer.is_empty() {
            return None;
        }
        let who = who(s.answerer.as_deref(), Role::Provider);
        let t = app.texts();
        let plain = app.plain.get();
        let when = s
            .remark
            .answered
            .map(|d| {
                fill(
                    t.remark_on_day,
                    &if plain { d.spoken() } else { d.german() },
                )
            })
            .unwrap_or_default();
        let title = fill_with(t.remark_answer_from, &[("who", &who), ("when", &when)]);
        Some(view! {
            <div class="remark-answer">
                <p class="remark-meta">{title}</p>
                <p class="remark-text">{s.remark.answer.clone()}</p>
            </div>
        })
    };
    let answer_form = {
        let answer_id = answer_id.clone();
        move || {
            let open = state().is_some_and(|st| st != RemarkState::Done);
            (role() == Role::Provider && open).then(|| {
                let answered =
                    shown.with(|s| s.as_ref().is_some_and(|s| !s.remark.answer.is_empty()));
                if answered && !editing.get() {
                    let answer_id = answer_id.clone();
                    return view! {
                        <button
                            class="button quiet"
                            on:click=move |_| {
                                answer.set(shown.get_untracked().map(|s| s.remark.answer).unwrap_or_default());
                                editing.set(true);
                                let id = answer_id.clone();
                                request_animation_frame(move || {
                                    focus_element(&id);
                                });
                            }
                        >
                            {move || app.texts().remark_change_answer}
                        </button>
                    }
                        .into_any();
                }
                view! {
                    <div class="remark-reply">
                        <label class="field-label" for=answer_id.clone()>
                            {move || app.texts().remark_answer_label}
                        </label>
                        <textarea
                            class="control"
                            id=answer_id.clone()
                            rows="3"
                            maxlength=MAX_ANSWER_CHARS.to_string()
                            prop:value=move || answer.get()
                            on:input=move |ev| answer.set(event_target_value(&ev))
                        ></textarea>
                        <button class="button primary" on:click=send_answer>
                            {move || app.texts().remark_send_answer}
                        </button>
                    </div>
                }
                    .into_any()
            })
        }
    };
    let caseworker_actions = move || {
        let st = state()?;
        (role() == Role::Caseworker).then(|| {
            let unanswered = st == RemarkState::Open;
            view! {
                <div class="remark-actions">
                    {if st == RemarkState::Done {
                        view! {
                            <button class="button" on:click=move |_| act(RemarkState::Open)>
                                {move || app.texts().remark_reopen}
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button class="button primary" on:click=move |_| act(RemarkState::Done)>
                                {move || app.texts().remark_mark_done}
                            </button>
                        }
                            .into_any()
                    }}
                    {unanswered
                        .then(|| {
                            view! {
                                <button class="button quiet danger-text" on:click=withdraw>
                                    {move || app.texts().remark_withdraw}
                                </button>
                            }
                        })}
                </div>
            }
        })
    };
    view! {
        <div
            class=move || format!("remark remark-{}", state().map(RemarkState::code).unwrap_or("offen"))
            id=dom.clone()
            tabindex="-1"
            role="group"
            aria-labelledby=head_id.clone()
        >
            <p class="remark-meta" id=head_id.clone()>
                <strong>{head}</strong>
                " · "
                <span class="remark-state">{state_text}</span>
            </p>
            <p class="remark-text">{move || shown.get().map(|s| s.remark.text)}</p>
            {answer_block}
            {answer_form}
            {caseworker_actions}
            {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
        </div>
    }
}

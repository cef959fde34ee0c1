//! "Prüfen": what is missing or implausible before signing, each with a link to the field.

use dreieck_model::{validate, Problem};
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::{focus_element, lowercase, today};
use crate::views::goal_card::goal_control_id;
use crate::views::goals_table::ADD_GOAL_ID;
use crate::views::text_field::control_id;

/// Element ids that may show the problem, most specific first; the first one on the page gets
/// focus. A problem names its field (and goal), not the control, so the part of a goal or of a
/// field group is taken from what the message is about.
fn targets(problem: &Problem) -> Vec<String> {
    let message = lowercase(&problem.message);
    let mut ids = Vec::new();
    match &problem.goal {
        Some(goal) => {
            if message.contains("grund") {
                ids.push(goal_control_id(goal, "reason"));
            }
            if message.contains("zielerreichung") {
                ids.push(goal_control_id(goal, "erreichung-1"));
            }
            ids.push(goal_control_id(goal, "text"));
        }
        None => {
            let base = control_id(&problem.field);
            if message.contains("„bis“") {
                ids.push(format!("{base}-to"));
            }
            if message.contains("datum eintragen") {
                ids.push(format!("{base}-date"));
            }
            ids.extend([
                base.clone(),
                format!("{base}-from"),
                format!("{base}-name"),
                format!("{base}-date"),
                ADD_GOAL_ID.to_string(),
            ]);
        }
    }
    ids
}

#[component]
pub fn CheckPanel() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let problems = RwSignal::new(None::<Vec<Problem>>);
    let run = move |_| {
        let Some(day) = today() else {
            return;
        };
        let found = editor.read(|r| validate(r, day)).unwrap_or_default();
        problems.set(Some(found));
    };
    // Links keep the current hash, so following one never leaves the report.
    let href = Route::Report(editor.id()).href();
    view! {
        <section class="form-section check-panel" aria-labelledby="pruefen-titel">
            <h2 id="pruefen-titel">{move || app.texts().check_title}</h2>
            <p class="section-help">
                {move || app.texts().check_intro}
            </p>
            <button class="button primary" on:click=run>
                {move || if problems.with(Option::is_some) { app.texts().check_again } else { app.texts().check_run }}
            </button>
            <div role="status" aria-live="polite">
                {move || {
                    problems
                        .get()
                        .map(|list| {
                            if list.is_empty() {
                                view! { <p class="message ok">{app.texts().check_none}</p> }.into_any()
                            } else {
                                let count = if list.len() == 1 {
                                    app.texts().check_one.to_string()
                                } else {
                                    fill(app.texts().check_many, &list.len().to_string())
                                };
                                let href = href.clone();
                                view! {
                                    <p class="message">{count}</p>
                                    <ul class="problem-list">
                                        {list
                                            .into_iter()
                                            .map(|p| {
                                                let ids = targets(&p);
                                                view! {
                                                    <li>
                                                        <a
                                                            href=href.clone()
                                                            on:click=move |ev| {
                                                                ev.prevent_default();
                                                                ids.iter().any(|id| focus_element(id));
                                                            }
                                                        >
                                                            {if app.plain.get() { p.plain_message.clone() } else { p.message.clone() }}
                                                        </a>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </div>
        </section>
    }
}

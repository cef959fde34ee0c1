//! "Ziele aus dem Gesamtplan übernehmen": goals pasted from the plan or read from a text file
//! (the format of `dreieck_model::goals_from_text`), added after the goals the report has.
//! The whole list is read first; a mistake names its line and nothing is added.

use dreieck_model::{goals_from_file, goals_from_text, GoalDraft};
use dreieck_texts::fill;
use dreieck_texts::{plain::PLAIN, standard::STANDARD};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::focus_element;
use crate::state::report_files::{read_file, take_chosen_file};
use crate::views::goal_card::goal_control_id;
use crate::views::words::Words;

/// The button that opens the panel (focus returns there when it closes).
const OPEN_ID: &str = "ziele-uebernehmen";
const TEXT_ID: &str = "ziele-liste";
/// The file input (tests choose files through it).
pub const GOAL_FILE_INPUT_ID: &str = "ziele-datei";

#[component]
pub fn GoalImport(editable: Signal<bool>) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let open = RwSignal::new(false);
    let text = RwSignal::new(String::new());
    // How many goals were taken, or why none (the model's message).
    let outcome = RwSignal::new(None::<Result<usize, String>>);
    let input = NodeRef::<Input>::new();

    // Adds the drafts as one change; says how many, or why none.
    let take = move |drafts: Result<Vec<GoalDraft>, String>| {
        let drafts = match drafts {
            Ok(d) => d,
            Err(e) => {
                outcome.set(Some(Err(e)));
                return;
            }
        };
        let role = app.role.get_untracked();
        let mut added = Vec::new();
        let mut refused = None;
        editor.change(|r| match r.add_goals(role, &drafts) {
            Ok(ids) => {
                added = ids;
                Ok(())
            }
            Err(e) => {
                refused = Some(e.to_string());
                Err(e)
            }
        });
        if let Some(e) = refused {
            outcome.set(Some(Err(e)));
            return;
        }
        outcome.set(Some(Ok(added.len())));
        open.set(false);
        text.set(String::new());
        if let Some(first) = added.into_iter().next() {
            request_animation_frame(move || {
                focus_element(&goal_control_id(&first, "text"));
            });
        }
    };
    let from_text = move |_| {
        take(
            text.with_untracked(|t| goals_from_text(t))
                .map_err(|e| e.to_string()),
        );
    };
    let choose = move |_| {
        if let Some(el) = input.get() {
            el.click();
        }
    };
    let chosen = move |_| {
        let Some(file) = input.get().and_then(|el| take_chosen_file(&el)) else {
            return;
        };
        spawn_local(async move {
            let drafts = match read_file(&file).await {
                Ok(bytes) => goals_from_file(&bytes).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            take(drafts);
        });
    };
    let close = move |_| {
        open.set(false);
        outcome.set(None);
        request_animation_frame(|| {
            focus_element(OPEN_ID);
        });
    };
    let toggle = move |_| {
        outcome.set(None);
        open.update(|o| *o = !*o);
        if open.get_untracked() {
            request_animation_frame(|| {
                focus_element(TEXT_ID);
            });
        }
    };

    view! {
        <div class="goal-import">
            <button
                id=OPEN_ID
                class="button"
                aria-expanded=move || open.get().to_string()
                aria-controls="ziele-uebernehmen-bereich"
                disabled=move || !editable.get()
                on:click=toggle
            >
                {move || app.texts().goal_import_open}
            </button>
            <div id="ziele-uebernehmen-bereich" class="goal-import-panel" hidden=move || !open.get()>
                <label class="field-label" for=TEXT_ID>
                    {move || app.texts().goal_import_label}
                </label>
                <p class="field-help" id="ziele-liste-hilfe">
                    <Words
                        standard=STANDARD.goal_import_help
                    plain=PLAIN.goal_import_help
                        block="ziele-liste-hilfe"
                    />
                </p>
                <textarea
                    id=TEXT_ID
                    class="control"
                    rows="6"
                    aria-describedby="ziele-liste-hilfe"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                <div class="button-row">
                    <button class="button primary" on:click=from_text>"Übernehmen"</button>
                    <button class="button" on:click=choose>
                        {move || app.texts().goal_import_file}
                    </button>
                    <button class="button quiet" on:click=close>"Abbrechen"</button>
                </div>
                <input
                    node_ref=input
                    id=GOAL_FILE_INPUT_ID
                    type="file"
                    accept=".txt,text/plain"
                    hidden
                    tabindex="-1"
                    on:change=chosen
                />
            </div>
            // One live region that stays in the page: each outcome replaces the last.
            <div class="goal-import-outcome" aria-live="polite">
                {move || match outcome.get() {
                    Some(Ok(n)) => {
                        let t = app.texts();
                        let text = if n == 1 {
                            t.goal_import_one.to_string()
                        } else {
                            fill(t.goal_import_many, &n.to_string())
                        };
                        view! { <p class="message ok">{text}</p> }
                            .into_any()
                    }
                    Some(Err(e)) => {
                        view! {
                            <p class="message error" role="alert">
                                {fill(app.texts().goal_import_failed, &e)}
                            </p>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
            </div>
        </div>
    }
}

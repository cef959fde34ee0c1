//! "Ziele und Maßnahmen": the goals as cards, "Ziel hinzufügen", and goals taken from the
//! Gesamtplan.

use dreieck_model::{CodeList, Field, GoalId};
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::conversation::GoalFocus;
use crate::state::editor::use_editor;
use crate::state::platform::focus_element;
use crate::state::session::GOALS;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::field_label::FieldHelp;
use crate::views::goal_card::{goal_control_id, GoalCard};
use crate::views::goal_import::GoalImport;
use crate::views::text_field::control_id;

/// Element id of the "Ziel hinzufügen" button (focus returns there after removing a goal).
pub const ADD_GOAL_ID: &str = "ziel-hinzufuegen";

#[component]
pub fn GoalsTable(
    field: Field,
    achievement_codes: String,
    reason_codes: String,
    editable: Signal<bool>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let lists = editor
        .read(|r| {
            let t = r.template();
            (
                t.code_list(&achievement_codes).cloned(),
                t.code_list(&reason_codes).cloned(),
            )
        })
        .unwrap_or_default();
    let (Some(achievement), Some(reason)) = lists else {
        return view! {
            <p class="message error">"Die Vorlage nennt eine unbekannte Codeliste für die Ziele."</p>
        }
            .into_any();
    };
    let achievement: StoredValue<CodeList> = StoredValue::new(achievement);
    let reason: StoredValue<CodeList> = StoredValue::new(reason);

    // The goals' order; re-read after changes (adding, moving, removing), not on typing.
    let order = Memo::new(move |_| {
        editor.track_field(GOALS);
        editor
            .read(|r| r.goals().into_iter().map(|g| g.id).collect::<Vec<GoalId>>())
            .unwrap_or_default()
    });

    // In a conversation's goal step, only that goal (see `GoalFocus`).
    let focus = use_context::<GoalFocus>();
    let shown = move || {
        let only = focus.and_then(|f| f.goal.get());
        order
            .get()
            .into_iter()
            .filter(|g| only.as_ref().is_none_or(|o| o == g))
            .collect::<Vec<_>>()
    };
    let add = move |_| {
        let role = app.role.get_untracked();
        let mut added = None;
        editor.change(|r| {
            added = Some(r.add_goal(role)?);
            Ok(())
        });
        if let Some(goal) = added {
            if let Some(f) = focus {
                f.on_added.run(goal.clone());
            }
            request_animation_frame(move || {
                focus_element(&goal_control_id(&goal, "text"));
            });
        }
    };

    // The goal the removal dialog asks about: (id, number).
    let confirm = RwSignal::new(None::<(GoalId, usize)>);
    let ask_remove =
        Callback::new(move |(goal, number): (GoalId, usize)| confirm.set(Some((goal, number))));
    let message = Signal::derive(move || {
        confirm
            .get()
            .map(|(_, n)| fill(app.texts().goal_remove_question, &n.to_string()))
    });
    let on_confirm = move || {
        if let Some((goal, _)) = confirm.get_untracked() {
            confirm.set(None);
            let role = app.role.get_untracked();
            editor.change(|r| r.remove_goal(role, &goal));
            request_animation_frame(|| {
                focus_element(ADD_GOAL_ID);
            });
        }
    };
    let on_cancel = move || confirm.set(None);

    let base = control_id(&field.id);
    let (list_label, plain_list_label) = (field.label.clone(), field.plain_label.clone());
    view! {
        <div class="field goals" id=base.clone()>
            <FieldHelp field=field.clone() control_id=base.clone() />
            <Show when=move || order.with(Vec::is_empty)>
                <p class="message empty">{move || app.texts().goals_none}</p>
            </Show>
            <ol class="goal-list" aria-label=move || app.words(&list_label, &plain_list_label).to_string()>
                <For each=shown key=|id| id.clone() let:goal>
                    <GoalCard
                        goal=goal
                        order=order
                        achievement=achievement
                        reason=reason
                        editable=editable
                        on_remove=ask_remove
                    />
                </For>
            </ol>
            <button
                id=ADD_GOAL_ID
                class="button"
                on:click=add
                disabled=move || !editable.get()
            >
                {move || app.texts().goal_add}
            </button>
            <GoalImport editable=editable />
            <ConfirmDialog
                message=message
                confirm_label=Signal::derive(move || app.texts().goal_remove.to_string())
                on_confirm=Callback::new(move |()| on_confirm())
                on_cancel=Callback::new(move |()| on_cancel())
            />
        </div>
    }
    .into_any()
}

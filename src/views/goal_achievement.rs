//! "Zielerreichung": the five codes of a goal as a radio group, with the conflict notice.

use dreieck_model::{CodeList, Goal, GoalId, GoalScalar};
use dreieck_texts::{fill_with, plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::choice_field::code_label;
use crate::views::conflict_notice::{ConflictKey, ConflictNotice};
use crate::views::face::Face;
use crate::views::goal_card::goal_control_id;

#[component]
pub fn GoalAchievement(
    goal: GoalId,
    /// The goal as stored (re-read after changes).
    data: Memo<Option<Goal>>,
    codes: StoredValue<CodeList>,
    editable: Signal<bool>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = StoredValue::new(goal.clone());
    let set = move |code: String| {
        let role = app.role.get_untracked();
        id.with_value(|g| editor.change(|r| r.set_goal_achievement(role, g, Some(&code))));
    };
    let name = goal_control_id(&goal, "erreichung");
    let levels = codes.with_value(|list| list.codes.len());
    let (legend, plain_legend) = codes.with_value(|l| {
        (
            STANDARD.achievement_legend,
            fill_with(PLAIN.achievement_legend, &[("rating", &l.plain_label)]),
        )
    });
    let options = codes.with_value(|list| {
        list.codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let code = c.code.clone();
                let (label, plain) = (c.label.clone(), c.plain_label.clone());
                let chosen = c.code.clone();
                let input_id = goal_control_id(&goal, &format!("erreichung-{}", c.code));
                let label_for = input_id.clone();
                let checked = move || {
                    data.with(|g| g.as_ref().and_then(|g| g.achievement.as_deref()) == Some(&code))
                };
                view! {
                    <label class="choice" for=label_for>
                        <input
                            type="radio"
                            id=input_id
                            name=name.clone()
                            value=c.code.clone()
                            prop:checked=checked
                            prop:disabled=move || !editable.get()
                            on:change=move |_| set(chosen.clone())
                        />
                        <Show when=move || app.plain.get()>
                            <Face level=i levels=levels />
                        </Show>
                        <span class="choice-code">{format!("({})", c.code)}</span>
                        <span>{move || app.words(&label, &plain).to_string()}</span>
                    </label>
                }
            })
            .collect_view()
    });
    view! {
        <fieldset class="field field-group choices">
            <legend class="field-label">{move || app.words(legend, &plain_legend).to_string()}</legend>
            {options}
            <ConflictNotice
                key=ConflictKey::Goal(goal, GoalScalar::Achievement)
                show=Callback::new(move |code: String| codes.with_value(|l| code_label(l, &code)))
                on_choose=Callback::new(set)
            />
        </fieldset>
    }
}

//! One goal: its number and where it came from, text (with the SMART prompt), its plan, its
//! measures, achievement and reason, and moving or removing it.

use dreieck_model::text_control::TextTarget;
use dreieck_model::{Anchor, CodeList, GoalId, GoalText};
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::focus_element;
use crate::state::session::GOALS;
use crate::views::goal_achievement::GoalAchievement;
use crate::views::goal_measures::GoalMeasures;
use crate::views::goal_plan_fields::{GoalOrigin, GoalPlanFields, SmartPrompt};
use crate::views::goal_reason::GoalReason;
use crate::views::goal_self_rating::GoalSelfRating;
use crate::views::remark_thread::RemarkThread;
use crate::views::typed_text::TypedTextarea;

/// Element id of a control in a goal card: `part` is `text`, `measures`, `reason`, `up`, …
pub fn goal_control_id(goal: &str, part: &str) -> String {
    format!("ziel-{goal}-{part}")
}

#[component]
pub fn GoalCard(
    goal: GoalId,
    /// All goals in order, for the number and for which moves make sense.
    order: Memo<Vec<GoalId>>,
    achievement: StoredValue<CodeList>,
    reason: StoredValue<CodeList>,
    editable: Signal<bool>,
    /// Asks to remove (id, number); the table confirms first.
    on_remove: Callback<(GoalId, usize)>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = StoredValue::new(goal.clone());
    let position =
        Memo::new(move |_| id.with_value(|g| order.with(|o| o.iter().position(|x| x == g))));
    let number = move || position.get().map(|p| p + 1).unwrap_or(0);
    let is_last = move || position.get().map(|p| p + 1) == Some(order.with(Vec::len));

    // This goal as stored; re-read after changes made elsewhere than typing in place.
    let data = Memo::new(move |_| {
        editor.track_field(GOALS);
        editor
            .read(|r| id.with_value(|g| r.goals().into_iter().find(|x| &x.id == g)))
            .flatten()
    });
    let role = move || app.role.get_untracked();

    let move_to = move |delta: isize| {
        let Some(target) = position
            .get_untracked()
            .and_then(|p| p.checked_add_signed(delta))
        else {
            return;
        };
        let r = role();
        id.with_value(|g| editor.change(|rep| rep.move_goal(r, g, target)));
        // The card's DOM moved, which drops focus in some browsers: put it back on the button
        // that was pressed, or on the other one once the goal reached the end of the list.
        let goal = id.get_value();
        request_animation_frame(move || {
            let (pressed, other) = if delta < 0 {
                ("up", "down")
            } else {
                ("down", "up")
            };
            if !focus_element(&goal_control_id(&goal, pressed)) {
                focus_element(&goal_control_id(&goal, other));
            }
        });
    };
    let remove = move |_| on_remove.run((id.get_value(), number()));

    let title_id = goal_control_id(&goal, "titel");
    let labelled_by = title_id.clone();
    let text_id = goal_control_id(&goal, "text");

    view! {
        <li class="goal-card" aria-labelledby=labelled_by>
            <h3 id=title_id class="goal-title">{move || fill(app.texts().goal_number, &number().to_string())}</h3>
            <GoalOrigin data=data />
            <div class="field">
                <label class="field-label" for=text_id.clone()>
                    {move || app.texts().goal_text}
                </label>
                <TypedTextarea
                    id=text_id
                    target=TextTarget::Goal { goal: goal.clone(), part: GoalText::Text }
                    editable=editable
                    rows=2
                />
                <SmartPrompt id=goal_control_id(&goal, "smart") />
            </div>
            <GoalMeasures goal=goal.clone() data=data editable=editable />
            <GoalPlanFields goal=goal.clone() data=data editable=editable />
            <GoalAchievement goal=goal.clone() data=data codes=achievement editable=editable />
            <GoalReason goal=goal.clone() data=data codes=reason editable=editable />
            <GoalSelfRating goal=goal.clone() data=data codes=achievement />
            <RemarkThread
                anchor=Anchor::Goal(goal.clone())
                about=Signal::derive(move || fill(app.texts().goal_number, &number().to_string()))
            />
            <div class="goal-actions">
                <button
                    id=goal_control_id(&goal, "up")
                    class="button"
                    disabled=move || !editable.get() || position.get() == Some(0)
                    on:click=move |_| move_to(-1)
                >
                    {move || app.texts().move_up}
                </button>
                <button
                    id=goal_control_id(&goal, "down")
                    class="button"
                    disabled=move || !editable.get() || is_last()
                    on:click=move |_| move_to(1)
                >
                    {move || app.texts().move_down}
                </button>
                <button class="button danger-text" disabled=move || !editable.get() on:click=remove>
                    {move || app.texts().goal_remove}
                </button>
            </div>
        </li>
    }
}

//! "Grund bei Nicht-Erreichung": asked for (and required) only when the achievement needs it.

use dreieck_model::{CodeList, Goal, GoalId, GoalScalar};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::choice_field::code_label;
use crate::views::conflict_notice::{ConflictKey, ConflictNotice};
use crate::views::goal_card::goal_control_id;

#[component]
pub fn GoalReason(
    goal: GoalId,
    /// The goal as stored (re-read after changes).
    data: Memo<Option<Goal>>,
    codes: StoredValue<CodeList>,
    editable: Signal<bool>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = StoredValue::new(goal.clone());
    let select_id = goal_control_id(&goal, "reason");
    let key = ConflictKey::Goal(goal, GoalScalar::Reason);
    let set = move |code: String| {
        let role = app.role.get_untracked();
        let code = (!code.is_empty()).then_some(code);
        id.with_value(|g| editor.change(|r| r.set_goal_reason(role, g, code.as_deref())));
    };
    let current = move || data.with(|g| g.as_ref().and_then(|g| g.reason.clone()));
    let options = move || {
        codes.with_value(|list| {
            list.codes
                .iter()
                .map(|c| {
                    let code = c.code.clone();
                    let (label, plain) = (c.label.clone(), c.plain_label.clone());
                    let number = c.code.clone();
                    view! {
                        <option
                            value=c.code.clone()
                            prop:selected=move || current().as_deref() == Some(code.as_str())
                        >
                            {move || format!("({number}) {}", app.words(&label, &plain))}
                        </option>
                    }
                })
                .collect_view()
        })
    };
    let plain_question = StoredValue::new(codes.with_value(|l| l.plain_label.clone()));
    let needs_reason = move || data.with(|g| g.as_ref().is_some_and(|g| g.needs_reason));
    view! {
        <Show when=needs_reason>
            <div class="field">
                <label class="field-label" for=select_id.clone()>
                    {move || plain_question.with_value(|p| app.words("Grund bei Nicht-Erreichung", p).to_string())}
                    <span class="mark required" aria-hidden="true">
                        {move || format!(" {}", app.texts().field_required)}
                    </span>
                </label>
                <select
                    id=select_id.clone()
                    class="control"
                    aria-required="true"
                    prop:disabled=move || !editable.get()
                    on:change=move |ev| set(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || current().is_none()>
                        {move || app.texts().choose_one}
                    </option>
                    {options()}
                </select>
                <ConflictNotice
                    key=key.clone()
                    show=Callback::new(move |code: String| codes.with_value(|l| code_label(l, &code)))
                    on_choose=Callback::new(set)
                />
            </div>
        </Show>
    }
}

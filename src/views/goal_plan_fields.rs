//! What a goal is planned as: its level, its life area, the day it is to be reached (each
//! measure's who and by when: [`crate::views::goal_measures`]). Where the goal came from is its own small view
//! ([`GoalOrigin`]).

use dreieck_model::{Date, Goal, GoalId, GoalLevel, HELP_AREAS};
use dreieck_texts::{plain::PLAIN, standard::STANDARD};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::goal_card::goal_control_id;
use crate::views::words::Words;

/// "aus dem letzten Bericht fortgeschrieben", "aus dem Gesamtplan übernommen" or "neu in
/// diesem Bericht": which goals continued and which are new, said in words on every card.
#[component]
pub fn GoalOrigin(data: Memo<Option<Goal>>) -> impl IntoView {
    let app = use_app();
    let origin = move || data.with(|g| g.as_ref().and_then(|g| g.plan.origin));
    view! {
        <p class=move || {
            format!("goal-origin {}", origin().map(|o| o.code()).unwrap_or("neu"))
        }>
            {move || match origin() {
                Some(o) => app.words(o.label(), o.plain_label()).to_string(),
                None => app.texts().goal_origin_new.to_string(),
            }}
        </p>
    }
}

/// The SMART prompt under the goal's text, in both language variants.
#[component]
pub fn SmartPrompt(id: String) -> impl IntoView {
    let block = id.clone();
    view! {
        <p class="field-help" id=id.clone()>
            <Words
                standard=STANDARD.goal_smart_prompt
                    plain=PLAIN.goal_smart_prompt
                block=block
            />
        </p>
    }
}

#[component]
pub fn GoalPlanFields(
    goal: GoalId,
    data: Memo<Option<Goal>>,
    editable: Signal<bool>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = StoredValue::new(goal.clone());
    let role = move || app.role.get_untracked();
    let plan = move || data.with(|g| g.as_ref().map(|g| g.plan.clone()).unwrap_or_default());
    let day = |value: String| Date::parse_iso(&value).ok();

    let set_level = move |code: String| {
        let r = role();
        id.with_value(|g| {
            editor.change(|rep| rep.set_goal_level(r, g, GoalLevel::from_code(&code)))
        });
    };
    let set_area = move |code: String| {
        let r = role();
        let area = (!code.is_empty()).then_some(code);
        id.with_value(|g| editor.change(|rep| rep.set_goal_area(r, g, area.as_deref())));
    };
    let set_target = move |value: String| {
        let r = role();
        id.with_value(|g| editor.change(|rep| rep.set_goal_target(r, g, day(value))));
    };
    let level_id = goal_control_id(&goal, "ebene");
    let target_id = goal_control_id(&goal, "zieldatum");
    let area_id = goal_control_id(&goal, "lebensbereich");
    let iso = |d: Option<Date>| d.map(|d| d.iso()).unwrap_or_default();
    view! {
        <div class="goal-plan">
            <div class="field">
                <label class="field-label" for=level_id.clone()>
                    {move || app.texts().goal_level}
                </label>
                <select
                    id=level_id
                    class="control"
                    prop:disabled=move || !editable.get()
                    on:change=move |ev| set_level(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || plan().level.is_none()>
                        {move || app.texts().no_answer}
                    </option>
                    {GoalLevel::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <option value=l.code() prop:selected=move || plan().level == Some(l)>
                                    {move || app.words(l.label(), l.plain_label())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label class="field-label" for=area_id.clone()>
                    {move || app.texts().goal_area}
                </label>
                <select
                    id=area_id
                    class="control"
                    prop:disabled=move || !editable.get()
                    on:change=move |ev| set_area(event_target_value(&ev))
                >
                    <option value="" prop:selected=move || plan().area.is_none()>
                        {move || app.texts().no_answer}
                    </option>
                    {HELP_AREAS
                        .into_iter()
                        .map(|a| {
                            view! {
                                <option
                                    value=a.code
                                    prop:selected=move || plan().area.as_deref() == Some(a.code)
                                >
                                    {move || app.words(a.label, a.plain_label)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label class="field-label" for=target_id.clone()>
                    {move || app.texts().goal_target_date}
                </label>
                <input
                    id=target_id
                    type="date"
                    class="control control-date"
                    prop:value=move || iso(plan().target)
                    prop:disabled=move || !editable.get()
                    on:change=move |ev| set_target(event_target_value(&ev))
                />
            </div>
        </div>
    }
}

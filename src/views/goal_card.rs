//! One goal: its text, measures, achievement (1–5), the reason when needed, and moving.

use dreieck_model::{CodeList, Goal, GoalId, GoalScalar, Role};
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::focus_element;
use crate::views::choice_field::code_label;
use crate::views::conflict_notice::{ConflictKey, ConflictNotice};
use crate::views::text_field::{grow_with_content, resize};

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
    on_remove: impl Fn(GoalId, usize) + Clone + Send + Sync + 'static,
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
        editor.track();
        editor
            .read(|r| id.with_value(|g| r.goals().into_iter().find(|x| &x.id == g)))
            .flatten()
    });
    let read = move |f: fn(&Goal) -> String| data.with(|g| g.as_ref().map(f).unwrap_or_default());
    let role = move || app.role.get_untracked();

    let title_id = goal_control_id(&goal, "titel");
    let labelled_by = title_id.clone();
    let text_id = goal_control_id(&goal, "text");
    let measures_id = goal_control_id(&goal, "measures");
    let reason_id = goal_control_id(&goal, "reason");
    let up_id = goal_control_id(&goal, "up");
    let down_id = goal_control_id(&goal, "down");
    let reason_key = ConflictKey::Goal(goal.clone(), GoalScalar::Reason);
    let text_node = NodeRef::<Textarea>::new();
    let measures_node = NodeRef::<Textarea>::new();
    grow_with_content(text_node);
    grow_with_content(measures_node);

    let move_to = move |delta: isize| {
        let Some(pos) = position.get_untracked() else {
            return;
        };
        let Some(target) = pos.checked_add_signed(delta) else {
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
            let pressed = goal_control_id(&goal, pressed);
            let disabled = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&pressed))
                .is_some_and(|el| el.has_attribute("disabled"));
            focus_element(&if disabled {
                goal_control_id(&goal, other)
            } else {
                pressed
            });
        });
    };

    let achievement_options = achievement.with_value(|list| {
        list.codes
            .iter()
            .map(|c| {
                let code = c.code.clone();
                let code_for_change = c.code.clone();
                let input_id = goal_control_id(&goal, &format!("erreichung-{}", c.code));
                let name = goal_control_id(&goal, "erreichung");
                let label_for = input_id.clone();
                view! {
                    <label class="choice" for=label_for>
                        <input
                            type="radio"
                            id=input_id
                            name=name
                            value=c.code.clone()
                            prop:checked=move || data.with(|g| g.as_ref().and_then(|g| g.achievement.as_deref()) == Some(code.as_str()))
                            prop:disabled=move || !editable.get()
                            on:change=move |_| {
                                let r = role();
                                id.with_value(|g| editor.change(|rep| rep.set_goal_achievement(r, g, Some(&code_for_change))));
                            }
                        />
                        <span class="choice-code">{format!("({})", c.code)}</span>
                        <span>{c.label.clone()}</span>
                    </label>
                }
            })
            .collect_view()
    });
    let reason_options = move || {
        reason.with_value(|list| {
        list.codes
            .iter()
            .map(|c| {
                let code = c.code.clone();
                view! {
                    <option
                        value=c.code.clone()
                        prop:selected=move || data.with(|g| g.as_ref().and_then(|g| g.reason.as_deref()) == Some(code.as_str()))
                    >
                        {format!("({}) {}", c.code, c.label)}
                    </option>
                }
            })
            .collect_view()
    })
    };
    let needs_reason = move || data.with(|g| g.as_ref().is_some_and(|g| g.needs_reason));
    let set_reason = move |code: String| {
        let r = role();
        let code = (!code.is_empty()).then_some(code);
        id.with_value(|g| editor.change(|rep| rep.set_goal_reason(r, g, code.as_deref())));
    };
    let set_achievement = move |code: String| {
        let r = role();
        id.with_value(|g| editor.change(|rep| rep.set_goal_achievement(r, g, Some(&code))));
    };
    let show_achievement = move |code: &str| achievement.with_value(|l| code_label(l, code));
    let show_reason = move |code: &str| reason.with_value(|l| code_label(l, code));

    let type_text = move |ev: leptos::ev::Event, measures: bool| {
        let value = event_target_value(&ev);
        let r: Role = role();
        id.with_value(|g| {
            editor.type_in(|rep| {
                if measures {
                    rep.set_goal_measures(r, g, &value)
                } else {
                    rep.set_goal_text(r, g, &value)
                }
            })
        });
    };
    let remove = move |_| on_remove(id.get_value(), number());

    view! {
        <li class="goal-card" aria-labelledby=labelled_by>
            <h3 id=title_id class="goal-title">{move || format!("Ziel {}", number())}</h3>
            <div class="field">
                <label class="field-label" for=text_id.clone()>"Nennung des Ziels"</label>
                <textarea
                    node_ref=text_node
                    id=text_id
                    class="control"
                    rows="2"
                    prop:readOnly=move || !editable.get()
                    prop:value=move || read(|g| g.text.clone())
                    on:input=move |ev| {
                        type_text(ev, false);
                        resize(text_node);
                    }
                ></textarea>
            </div>
            <div class="field">
                <label class="field-label" for=measures_id.clone()>"Maßnahmen"</label>
                <textarea
                    node_ref=measures_node
                    id=measures_id
                    class="control"
                    rows="2"
                    prop:readOnly=move || !editable.get()
                    prop:value=move || read(|g| g.measures.clone())
                    on:input=move |ev| {
                        type_text(ev, true);
                        resize(measures_node);
                    }
                ></textarea>
            </div>
            <fieldset class="field field-group choices">
                <legend class="field-label">"Zielerreichung"</legend>
                {achievement_options}
                <ConflictNotice
                    key=ConflictKey::Goal(goal.clone(), GoalScalar::Achievement)
                    show=show_achievement
                    on_choose=set_achievement
                />
            </fieldset>
            <Show when=needs_reason>
                <div class="field">
                    <label class="field-label" for=reason_id.clone()>
                        "Grund bei Nicht-Erreichung"
                        <span class="mark required" aria-hidden="true">" Pflichtfeld"</span>
                    </label>
                    <select
                        id=reason_id.clone()
                        class="control"
                        aria-required="true"
                        prop:disabled=move || !editable.get()
                        on:change=move |ev| set_reason(event_target_value(&ev))
                    >
                        <option
                            value=""
                            prop:selected=move || data.with(|g| g.as_ref().is_none_or(|g| g.reason.is_none()))
                        >
                            "– bitte wählen –"
                        </option>
                        {reason_options()}
                    </select>
                    <ConflictNotice
                        key=reason_key.clone()
                        show=show_reason
                        on_choose=set_reason
                    />
                </div>
            </Show>
            <div class="goal-actions">
                <button
                    id=up_id
                    class="button"
                    disabled=move || !editable.get() || position.get() == Some(0)
                    on:click=move |_| move_to(-1)
                >
                    "Nach oben"
                </button>
                <button
                    id=down_id
                    class="button"
                    disabled=move || !editable.get() || is_last()
                    on:click=move |_| move_to(1)
                >
                    "Nach unten"
                </button>
                <button class="button danger-text" disabled=move || !editable.get() on:click=remove>
                    "Ziel entfernen"
                </button>
            </div>
        </li>
    }
}

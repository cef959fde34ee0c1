//! A goal's measures: each one's text, who carries it out and by when (seed 001), adding
//! another, removing one (asked first when something is written in it).

use dreieck_model::text_control::TextTarget;
use dreieck_model::{Date, Goal, GoalId, GoalText, MeasureId};
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::focus_element;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::goal_card::goal_control_id;
use crate::views::typed_text::TypedTextarea;

/// Element id of a control of one measure: `part` is `text`, `wer`, `bis`, `entfernen`.
pub fn measure_control_id(goal: &str, measure: &str, part: &str) -> String {
    goal_control_id(goal, &format!("massnahme-{measure}-{part}"))
}

#[component]
pub fn GoalMeasures(
    goal: GoalId,
    data: Memo<Option<Goal>>,
    editable: Signal<bool>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = StoredValue::new(goal.clone());
    let ids = Memo::new(move |_| {
        data.with(|g| {
            g.as_ref()
                .map(|g| g.measures.iter().map(|m| m.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let add_id = goal_control_id(&goal, "massnahme-neu");

    let add = {
        let add_id = add_id.clone();
        move |_| {
            let role = app.role.get_untracked();
            let mut added = None;
            id.with_value(|g| {
                editor.change(|r| {
                    added = Some(r.add_measure(role, g)?);
                    Ok(())
                })
            });
            let goal = id.get_value();
            let add_id = add_id.clone();
            request_animation_frame(move || {
                let focused = added
                    .map(|m| focus_element(&measure_control_id(&goal, &m, "text")))
                    .unwrap_or(false);
                if !focused {
                    focus_element(&add_id);
                }
            });
        }
    };

    // The measure the removal dialog asks about: (id, number).
    let confirm = RwSignal::new(None::<(MeasureId, usize)>);
    let remove_now = {
        let add_id = add_id.clone();
        move |measure: MeasureId| {
            let role = app.role.get_untracked();
            id.with_value(|g| editor.change(|r| r.remove_measure(role, g, &measure)));
            let add_id = add_id.clone();
            request_animation_frame(move || {
                focus_element(&add_id);
            });
        }
    };
    let ask_remove = {
        let remove_now = remove_now.clone();
        Callback::new(move |(measure, number): (MeasureId, usize)| {
            // Read from the report, not the card's copy: typing in place does not refresh it.
            let blank = id
                .with_value(|g| {
                    editor.read(|r| {
                        r.goals()
                            .into_iter()
                            .find(|x| &x.id == g)
                            .and_then(|x| x.measures.into_iter().find(|m| m.id == measure))
                            .is_none_or(|m| m.is_blank())
                    })
                })
                .unwrap_or(true);
            if blank {
                remove_now(measure);
            } else {
                confirm.set(Some((measure, number)));
            }
        })
    };
    let message = Signal::derive(move || {
        confirm
            .get()
            .map(|(_, n)| fill(app.texts().measure_remove_question, &n.to_string()))
    });

    view! {
        <fieldset class="goal-measures">
            <legend class="field-label">
                {move || app.texts().measures}
            </legend>
            <ol class="measure-list">
                <For each=move || ids.get() key=|m| m.clone() let:measure>
                    <MeasureItem
                        goal=id.get_value()
                        measure=measure
                        ids=ids
                        data=data
                        editable=editable
                        on_remove=ask_remove
                    />
                </For>
            </ol>
            <button
                id=add_id
                type="button"
                class="button"
                disabled=move || !editable.get()
                on:click=add
            >
                {move || {
                    if ids.with(Vec::is_empty) {
                        app.texts().measure_add_first
                    } else {
                        app.texts().measure_add_more
                    }
                }}
            </button>
            <Show when=move || confirm.with(Option::is_some)>
                <ConfirmDialog
                    message=message
                    confirm_label=Signal::derive(move || app.texts().measure_remove_confirm.to_string())
                    question_id="massnahme-entfernen-frage"
                    on_confirm=Callback::new({
                        let remove_now = remove_now.clone();
                        move |()| {
                            if let Some((m, _)) = confirm.get_untracked() {
                                confirm.set(None);
                                remove_now(m);
                            }
                        }
                    })
                    on_cancel=Callback::new(move |()| confirm.set(None))
                />
            </Show>
        </fieldset>
    }
}

/// One measure: its text, who, by when, and its remove button.
#[component]
fn MeasureItem(
    goal: GoalId,
    measure: MeasureId,
    /// The goal's measures in order, for the number.
    ids: Memo<Vec<MeasureId>>,
    data: Memo<Option<Goal>>,
    editable: Signal<bool>,
    on_remove: Callback<(MeasureId, usize)>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let key = StoredValue::new((goal.clone(), measure.clone()));
    let number = Memo::new({
        let measure = measure.clone();
        move |_| ids.with(|ids| ids.iter().position(|m| m == &measure).map_or(0, |p| p + 1))
    });
    let current = move || {
        key.with_value(|(_, m)| {
            data.with(|g| {
                g.as_ref()
                    .and_then(|g| g.measures.iter().find(|x| &x.id == m).cloned())
                    .unwrap_or_default()
            })
        })
    };
    let role = move || app.role.get_untracked();
    let set_by = move |value: String| {
        let r = role();
        key.with_value(|(g, m)| editor.change(|rep| rep.set_measure_by(r, g, m, &value)));
    };
    let set_until = move |value: String| {
        let r = role();
        let day = Date::parse_iso(&value).ok();
        key.with_value(|(g, m)| editor.change(|rep| rep.set_measure_until(r, g, m, day)));
    };
    let text_id = measure_control_id(&goal, &measure, "text");
    let by_id = measure_control_id(&goal, &measure, "wer");
    let until_id = measure_control_id(&goal, &measure, "bis");
    let numbered = move |text: &str| fill(text, &number.get().to_string());
    view! {
        <li class="measure">
            <div class="field">
                <label class="field-label" for=text_id.clone()>
                    {move || numbered(app.texts().measure_text)}
                </label>
                <TypedTextarea
                    id=text_id
                    target=TextTarget::Goal { goal: goal.clone(), part: GoalText::Measure(measure.clone()) }
                    editable=editable
                    rows=2
                />
            </div>
            <div class="measure-plan">
                <div class="field">
                    <label class="field-label" for=by_id.clone()>
                        {move || numbered(app.texts().measure_by)}
                    </label>
                    <input
                        id=by_id
                        type="text"
                        class="control"
                        maxlength=dreieck_model::MAX_MEASURES_BY.to_string()
                        autocomplete="off"
                        prop:value=move || current().by
                        prop:disabled=move || !editable.get()
                        on:change=move |ev| set_by(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label class="field-label" for=until_id.clone()>
                        {move || numbered(app.texts().measure_until)}
                    </label>
                    <input
                        id=until_id
                        type="date"
                        class="control control-date"
                        prop:value=move || current().until.map(|d| d.iso()).unwrap_or_default()
                        prop:disabled=move || !editable.get()
                        on:change=move |ev| set_until(event_target_value(&ev))
                    />
                </div>
            </div>
            <button
                id=measure_control_id(&goal, &measure, "entfernen")
                type="button"
                class="button danger-text measure-remove"
                disabled=move || !editable.get()
                on:click=move |_| {
                    on_remove.run((key.with_value(|(_, m)| m.clone()), number.get_untracked()))
                }
            >
                {move || numbered(app.texts().measure_remove)}
            </button>
        </li>
    }
}

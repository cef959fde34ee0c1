//! "Selbsteinschätzung": the person supported rates the goal with five faces, in plain
//! language, beside the provider's Zielerreichung. Only the beneficiary's role can choose;
//! when both ratings are given and differ, the card says so as something to talk about.

use dreieck_model::{CodeList, Goal, GoalId, GoalScalar, Role};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::choice_field::code_label;
use crate::views::conflict_notice::{ConflictKey, ConflictNotice};
use crate::views::face::Face;
use crate::views::goal_card::goal_control_id;

#[component]
pub fn GoalSelfRating(
    goal: GoalId,
    /// The goal as stored (re-read after changes).
    data: Memo<Option<Goal>>,
    /// The achievement scale (the same five levels, read in plain language here).
    codes: StoredValue<CodeList>,
    /// The difference is said below, after the provider's rating (the person's view shows
    /// the person's own rating first).
    #[prop(optional)]
    difference_below: bool,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let editable = Signal::derive(move || app.role.get() == Role::Beneficiary);
    let id = StoredValue::new(goal.clone());
    let set = move |code: String| {
        let role = app.role.get_untracked();
        id.with_value(|g| editor.change(|r| r.set_goal_self_rating(role, g, Some(&code))));
    };
    let name = goal_control_id(&goal, "selbst");
    let levels = codes.with_value(|list| list.codes.len());
    let options = codes.with_value(|list| {
        list.codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let code = c.code.clone();
                let chosen = c.code.clone();
                let input_id = goal_control_id(&goal, &format!("selbst-{}", c.code));
                let label_for = input_id.clone();
                let checked = move || {
                    data.with(|g| g.as_ref().and_then(|g| g.self_rating.as_deref()) == Some(&code))
                };
                view! {
                    <label class="choice face-choice" for=label_for>
                        <input
                            type="radio"
                            id=input_id
                            name=name.clone()
                            value=c.code.clone()
                            prop:checked=checked
                            prop:disabled=move || !editable.get()
                            on:change=move |_| set(chosen.clone())
                        />
                        <Face level=i levels=levels />
                        <span>{c.plain_label.clone()}</span>
                    </label>
                }
            })
            .collect_view()
    });
    let difference = move || {
        data.with(|g| {
            let g = g
                .as_ref()
                .filter(|g| g.ratings_differ && !difference_below)?;
            if app.plain.get() {
                return Some(
                    "Sie sehen es anders als der Dienst. Sprechen Sie darüber.".to_string(),
                );
            }
            let named =
                |code: &str| codes.with_value(|l| format!("({code}) {}", code_label(l, code)));
            let provider = named(g.achievement.as_deref()?);
            let own = named(g.self_rating.as_deref()?);
            Some(format!(
                "Die Einschätzungen sind verschieden: Einrichtung „{provider}“, \
                 leistungsberechtigte Person „{own}“. Darüber sprechen."
            ))
        })
    };
    let plain_question = codes.with_value(|l| l.plain_label.clone());
    view! {
        <fieldset class="field field-group choices self-rating">
            <legend class="field-label">
                {move || format!("{} ", app.texts().self_rating_legend)}
                {plain_question}
            </legend>
            <Show when=move || !editable.get()>
                <p class="field-help">
                    {move || app.texts().self_rating_only_person}
                </p>
            </Show>
            {options}
            <ConflictNotice
                key=ConflictKey::Goal(goal, GoalScalar::SelfRating)
                show=Callback::new(move |code: String| codes.with_value(|l| code_label(l, &code)))
                on_choose=Callback::new(set)
            />
            {move || difference().map(|text| view! { <p class="rating-difference">{text}</p> })}
        </fieldset>
    }
}

//! The goals in the person's own view: each goal with the help agreed for it, the person's own
//! rating first (the faces they choose), then what the provider says.
//!
//! Nothing here changes a goal but the person's rating: goals and measures are the provider's
//! to write, and the person reads them here as agreed (`Report::agreed_goals`).

use dreieck_model::{AgreedGoal, CodeList, FieldKind, GoalId};
use dreieck_texts::{fill, plain::PLAIN, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::session::GOALS;
use crate::views::goal_card::goal_control_id;
use crate::views::goal_self_rating::GoalSelfRating;
use crate::views::read_aloud_button::ReadAloudButton;

/// Heading id of the goals part (for `aria-labelledby` and the page's order).
pub const GOALS_HEADING: &str = "meine-ziele";

#[component]
pub fn PersonGoals() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let codes = editor
        .template(|t| {
            t.fields().find_map(|f| match &f.kind {
                FieldKind::Goals {
                    achievement_codes, ..
                } => t.code_list(achievement_codes).cloned(),
                _ => None,
            })
        })
        .flatten();
    let Some(codes) = codes else {
        return ().into_any();
    };
    let codes = StoredValue::new(codes);
    let goals = Memo::new(move |_| {
        editor.track_field(GOALS);
        editor.read(|r| r.agreed_goals()).unwrap_or_default()
    });
    let ids =
        Memo::new(move |_| goals.with(|g| g.iter().map(|g| g.id.clone()).collect::<Vec<_>>()));
    let all_sentences =
        Callback::new(move |()| editor.read(all_goal_sentences).unwrap_or_default());
    view! {
        <section class="form-section person-goals" aria-labelledby=GOALS_HEADING>
            <div class="section-head">
                <h2 id=GOALS_HEADING>{move || app.texts().person_goals}</h2>
                <ReadAloudButton block=GOALS_HEADING what=PLAIN.person_goals sentences=all_sentences always=true />
            </div>
            <p class="section-help">{move || goals.with(|g| goals_intro(app.texts(), g.len()))}</p>
            <ol class="goal-list">
                <For each=move || ids.get() key=|id| id.clone() let:id>
                    <PersonGoal id=id goals=goals codes=codes />
                </For>
            </ol>
        </section>
    }
    .into_any()
}

#[component]
fn PersonGoal(
    id: GoalId,
    goals: Memo<Vec<AgreedGoal>>,
    codes: StoredValue<CodeList>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let key = StoredValue::new(id.clone());
    let agreed = Memo::new(move |_| {
        goals.with(|g| key.with_value(|k| g.iter().find(|x| &x.id == k).cloned()))
    });
    // The goal as stored, for the faces (the same memo shape the goal card gives them).
    let data = Memo::new(move |_| {
        editor.track_field(GOALS);
        editor
            .read(|r| key.with_value(|k| r.goals().into_iter().find(|g| &g.id == k)))
            .flatten()
    });
    let title_id = goal_control_id(&id, "meins");
    let number = move || agreed.with(|g| g.as_ref().map_or(0, |g| g.number));
    let text = move || {
        agreed.with(|g| match g.as_ref().map(|g| g.text.as_str()) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => app.texts().person_goal_without_text.to_string(),
        })
    };
    let measures = move || {
        agreed.with(|g| {
            let list = g.as_ref().map(|g| g.measures.clone()).unwrap_or_default();
            (!list.is_empty()).then(|| {
                view! {
                    <p class="goal-measures-title">
                        {app.texts().person_measures}
                    </p>
                    <ul class="goal-measures-list">
                        {list.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                }
            })
        })
    };
    let provider = move || {
        agreed.with(|g| {
            let g = g.as_ref()?;
            let line = provider_line(g, app.texts(), app.plain.get())?;
            Some(view! { <p class="provider-rating">{line}</p> })
        })
    };
    let spoken = Callback::new(move |()| {
        agreed.with_untracked(|g| g.as_ref().map(goal_sentences).unwrap_or_default())
    });
    let labelled = title_id.clone();
    view! {
        <li class="goal-card person-goal" aria-labelledby=labelled>
            <div class="section-head">
                <h3 id=title_id class="goal-title">{move || fill(app.texts().goal_number, &number().to_string())}</h3>
                <ReadAloudButton
                    block=goal_control_id(&id, "vorlesen")
                    what=agreed.with_untracked(|g| fill(app.texts().goal_number, &g.as_ref().map_or(0, |g| g.number).to_string()))
                    sentences=spoken
                    always=true
                />
            </div>
            <p class="goal-text">{text}</p>
            {measures}
            <GoalSelfRating goal=id.clone() data=data codes=codes difference_below=true />
            {provider}
            {move || {
                agreed
                    .with(|g| g.as_ref().is_some_and(|g| g.ratings_differ))
                    .then(|| view! { <p class="rating-difference">{app.texts().person_ratings_differ}</p> })
            }}
        </li>
    }
}

/// What "Vorlesen" reads for all goals, as shown.
pub fn all_goal_sentences(report: &dreieck_model::Report) -> Vec<String> {
    let goals = report.agreed_goals();
    let mut out = vec![
        format!("{}.", PLAIN.person_goals),
        goals_intro(&PLAIN, goals.len()),
    ];
    out.extend(goals.iter().flat_map(goal_sentences));
    out
}

/// How many goals there are, as one sentence.
fn goals_intro(t: &Texts, count: usize) -> String {
    match count {
        0 => t.person_no_goals.to_string(),
        1 => t.person_one_goal.to_string(),
        n => fill(t.person_goals_count, &n.to_string()),
    }
}

/// What the provider says about the goal, once they said it.
fn provider_line(g: &AgreedGoal, t: &Texts, plain: bool) -> Option<String> {
    let a = g.achievement.as_ref()?;
    let label = if plain { &a.plain } else { &a.standard };
    Some(fill(t.person_provider_says, label))
}

/// What "Vorlesen" reads for one goal: as shown, the person's own rating before the
/// provider's.
fn goal_sentences(g: &AgreedGoal) -> Vec<String> {
    let mut out = vec![format!("Ziel {}.", g.number)];
    out.push(if g.text.is_empty() {
        PLAIN.person_goal_without_text.to_string()
    } else {
        g.text.clone()
    });
    if !g.measures.is_empty() {
        out.push(PLAIN.person_measures.to_string());
        out.extend(g.measures.iter().cloned());
    }
    out.push(match &g.self_rating {
        Some(own) => format!("Sie sagen: {}", own.plain),
        None => PLAIN.person_no_own_rating.to_string(),
    });
    out.extend(provider_line(g, &PLAIN, true));
    if g.ratings_differ {
        out.push(PLAIN.person_ratings_differ.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dreieck_model::Label;

    fn goal(own: Option<&str>, provider: Option<&str>) -> AgreedGoal {
        let label = |s: &str| Label {
            standard: s.to_string(),
            plain: s.to_string(),
        };
        AgreedGoal {
            id: "g1".to_string(),
            number: 1,
            text: "Allein einkaufen".into(),
            measures: vec!["Einkaufstraining".into()],
            achievement: provider.map(label),
            self_rating: own.map(label),
            ratings_differ: own.is_some() && provider.is_some() && own != provider,
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_persons_rating_is_read_before_the_providers() {
        let s = goal_sentences(&goal(
            Some("Es hat geklappt."),
            Some("Es hat fast geklappt."),
        ));
        let own = s.iter().position(|l| l.starts_with("Sie sagen")).unwrap();
        let provider = s
            .iter()
            .position(|l| l.starts_with("Der Dienst sagt"))
            .unwrap();
        assert!(own < provider, "{s:?}");
        assert!(s.iter().any(|l| l.contains("anders als der Dienst")));
        let none = goal_sentences(&goal(None, None));
        assert!(none.contains(&"Sie haben noch nichts gewählt.".to_string()));
        assert!(!none.iter().any(|l| l.starts_with("Der Dienst")));
    }
}

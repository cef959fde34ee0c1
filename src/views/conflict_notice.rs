//! "Gleichzeitig geändert: A oder B?" for a scalar two people set at the same time.
//!
//! Automerge keeps every concurrently set value; the model hands them all back and the person
//! chooses. Choosing sets the value again, which resolves the conflict.

use dreieck_model::GoalScalar;
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::editor::use_editor;
use crate::state::session::GOALS;

/// Which scalar to ask about.
#[derive(Clone, Debug, PartialEq)]
pub enum ConflictKey {
    /// A field, or a sub-field like `zeitraum/from`.
    Field(String),
    Goal(String, GoalScalar),
}

impl From<String> for ConflictKey {
    fn from(field: String) -> Self {
        ConflictKey::Field(field)
    }
}

/// "A oder B", "A, B oder C".
pub fn or_list(values: &[String], or: &str) -> String {
    match values.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {or} {last}", rest.join(", ")),
    }
}

#[component]
pub fn ConflictNotice(
    #[prop(into)] key: ConflictKey,
    /// How a stored value is shown (a code's label, a German date).
    show: Callback<String, String>,
    /// Sets the chosen value again.
    on_choose: Callback<String>,
) -> impl IntoView {
    let editor = use_editor();
    let app = crate::state::app_context::use_app();
    let key = StoredValue::new(key);
    let values = move || {
        key.with_value(|k| match k {
            ConflictKey::Field(f) => editor.track_field(f),
            ConflictKey::Goal(..) => editor.track_field(GOALS),
        });
        editor
            .read(|r| {
                key.with_value(|k| match k {
                    ConflictKey::Field(f) => r.conflicts(f),
                    ConflictKey::Goal(g, which) => r.goal_conflicts(g, *which),
                })
            })
            .and_then(Result::ok)
            .unwrap_or_default()
    };
    let question = move || {
        let shown: Vec<String> = values().into_iter().map(|v| show.run(v)).collect();
        fill(
            app.texts().conflict_question,
            &or_list(&shown, app.texts().conflict_or),
        )
    };
    view! {
        <Show when=move || { values().len() > 1 }>
            <div class="conflict" role="group" aria-label=move || app.texts().conflict_label>
                <p class="conflict-question">{question}</p>
                <div class="conflict-choices">
                    {move || {
                        values()
                            .into_iter()
                            .map(|v| {
                                let label = fill(app.texts().conflict_take, &show.run(v.clone()));
                                view! {
                                    <button class="button" on:click=move |_| on_choose.run(v.clone())>
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </div>
        </Show>
    }
}

//! A text of the template in both its versions, side by side: standard German and Leichte
//! Sprache. Every label, title and name the template editor changes comes in this pair, so the
//! plain version is never forgotten next to the standard one.

use leptos::prelude::*;

use crate::state::template_draft::Words;

#[component]
pub fn WordsPair(
    /// The element ids of the two inputs: standard, plain.
    ids: [String; 2],
    /// Their labels: standard, plain.
    labels: [&'static str; 2],
    /// The text now (tracked).
    value: Callback<Words, String>,
    on_input: Callback<(Words, String)>,
) -> impl IntoView {
    let [standard_id, plain_id] = ids;
    [
        (Words::Standard, standard_id, labels[0]),
        (Words::Plain, plain_id, labels[1]),
    ]
    .into_iter()
    .map(|(words, id, label)| {
        view! {
            <div class="field-part field-part-wide">
                <label for=id.clone()>{label}</label>
                <input
                    id=id
                    class="control"
                    type="text"
                    prop:value=move || value.run(words)
                    on:input=move |ev| on_input.run((words, event_target_value(&ev)))
                />
            </div>
        }
    })
    .collect_view()
}

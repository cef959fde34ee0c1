//! A field's visible label and help text, shared by every control.

use leptos::prelude::*;

/// Element id of a field's help text, for `aria-describedby`.
pub fn help_id(control_id: &str) -> String {
    format!("{control_id}-hilfe")
}

/// `<label for=…>` with "Pflichtfeld" and "nur lesen" marks, and the help text below it.
#[component]
pub fn FieldLabel(
    /// The id of the control this labels.
    #[prop(into)]
    for_id: String,
    #[prop(into)] text: String,
    help: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(into)] editable: Signal<bool>,
) -> impl IntoView {
    let help_el = help.map(|h| {
        view! { <p class="field-help" id=help_id(&for_id)>{h}</p> }
    });
    view! {
        <label class="field-label" for=for_id.clone()>
            {text}
            {required.then(|| view! { <span class="mark required" aria-hidden="true">" Pflichtfeld"</span> })}
            <Show when=move || !editable.get()>
                <span class="mark readonly" aria-hidden="true">" nur lesen"</span>
            </Show>
        </label>
        {help_el}
    }
}

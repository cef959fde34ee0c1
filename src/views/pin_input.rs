//! One PIN field: masked, a number pad on touch devices, labelled in both languages, described
//! by the error line of the form it is in.

use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn PinInput(
    #[prop(into)] id: String,
    /// The label (standard, plain).
    label: (&'static str, &'static str),
    autocomplete: &'static str,
    value: RwSignal<String>,
    /// A label that changes (the chosen person's name), instead of `label`.
    #[prop(optional, into)]
    label_text: Option<Signal<String>>,
    /// The id of the line that shows what went wrong.
    #[prop(default = "pin-fehler".into(), into)]
    described: String,
) -> impl IntoView {
    let app = use_app();
    view! {
        <div class="field">
            <label class="field-label" for=id.clone()>{move || match label_text {
                Some(text) => text.get(),
                None => app.words(label.0, label.1).to_string(),
            }}</label>
            <input
                id=id
                class="control pin-input"
                type="password"
                inputmode="numeric"
                autocomplete=autocomplete
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

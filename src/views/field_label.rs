//! A field's visible label and help text, shared by every control, in standard German or in
//! Leichte Sprache.
//!
//! In Leichte Sprache the label and help are read-aloud block `field.id`: label sentences
//! first, then help sentences (see [`field_sentences`]).

use dreieck_model::{sentences, Field};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::views::words::{sentence_count, Words};

/// Element id of a field's help text, for `aria-describedby`.
pub fn help_id(control_id: &str) -> String {
    format!("{control_id}-hilfe")
}

/// What read-aloud says of a field before its value: the plain label, then the plain help.
pub fn field_sentences(field: &Field) -> Vec<String> {
    sentences(&field.plain_label)
        .into_iter()
        .chain(
            field
                .plain_help
                .as_deref()
                .map(sentences)
                .unwrap_or_default(),
        )
        .map(String::from)
        .collect()
}

/// The help text in the current language, if the field has one in it (tracked).
fn current_help(field: &Field, plain: bool) -> Option<&str> {
    if plain {
        field.plain_help.as_deref()
    } else {
        field.help.as_deref()
    }
}

/// `aria-describedby` for the control: the help element's id while there is help to show.
pub fn described_by(field: &Field, control_id: &str) -> Signal<Option<String>> {
    let app = use_app();
    let field = StoredValue::new(field.clone());
    let id = help_id(control_id);
    Signal::derive(move || {
        let plain = app.plain.get();
        field
            .with_value(|f| current_help(f, plain).is_some())
            .then(|| id.clone())
    })
}

/// The label's words and its "Pflichtfeld" / "nur lesen" marks, for a `<label>` or `<legend>`.
#[component]
pub fn LabelText(
    field: Field,
    #[prop(into)] editable: Signal<bool>,
    /// "(optional)" instead of "Pflichtfeld" (signature lines).
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let app = use_app();
    let required = field.required;
    view! {
        <Words standard=field.label.clone() plain=field.plain_label.clone() block=field.id.clone() />
        {required
            .then(|| {
                view! {
                    <span class="mark required" aria-hidden="true">
                        {move || format!(" {}", app.texts().field_required)}
                    </span>
                }
            })}
        {optional
            .then(|| view! { <span class="mark">{move || format!(" {}", app.texts().field_optional)}</span> })}
        <Show when=move || !editable.get()>
            <span class="mark readonly" aria-hidden="true">{move || format!(" {}", app.texts().field_read_only)}</span>
        </Show>
    }
}

/// The help paragraph below a label, in the current language (nothing when there is none).
#[component]
pub fn FieldHelp(field: Field, #[prop(into)] control_id: String) -> impl IntoView {
    let app = use_app();
    let first = sentence_count(&field.plain_label);
    let field = StoredValue::new(field);
    let id = help_id(&control_id);
    move || {
        let plain = app.plain.get();
        field.with_value(|f| {
            current_help(f, plain).map(|_| {
                view! {
                    <p class="field-help" id=id.clone()>
                        <Words
                            standard=f.help.clone().unwrap_or_default()
                            plain=f.plain_help.clone().unwrap_or_default()
                            block=f.id.clone()
                            first=first
                        />
                    </p>
                }
            })
        })
    }
}

/// `<label for=…>` with its marks, and the help text below it.
#[component]
pub fn FieldLabel(
    /// The id of the control this labels.
    #[prop(into)]
    for_id: String,
    field: Field,
    #[prop(into)] editable: Signal<bool>,
) -> impl IntoView {
    view! {
        <label class="field-label" for=for_id.clone()>
            <LabelText field=field.clone() editable=editable />
        </label>
        <FieldHelp field=field control_id=for_id />
    }
}

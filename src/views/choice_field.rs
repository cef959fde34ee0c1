//! One code from a code list of the template (`<select>`).

use dreieck_model::{CodeList, Field, FieldValue};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::conflict_notice::ConflictNotice;
use crate::views::field_label::{described_by, FieldLabel};
use crate::views::text_field::control_id;

/// A code's label as shown to people, e.g. "teilweise erreicht"; the code itself if unknown.
pub fn code_label(list: &CodeList, code: &str) -> String {
    list.codes
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.label.clone())
        .unwrap_or_else(|| code.to_string())
}

#[component]
pub fn ChoiceField(field: Field, code_list: String, editable: Signal<bool>) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = control_id(&field.id);
    let described = described_by(&field, &id);
    let field_id = StoredValue::new(field.id.clone());
    let list = editor
        .template(|t| t.code_list(&code_list).cloned())
        .flatten();
    let Some(list) = list else {
        return view! {
            <p class="message error">
                {format!("Die Vorlage nennt eine unbekannte Codeliste „{code_list}“.")}
            </p>
        }
        .into_any();
    };

    let current = move || {
        field_id.with_value(|f| editor.track_field(f));
        editor
            .read(|r| field_id.with_value(|f| r.value(f)))
            .and_then(Result::ok)
            .and_then(|v| match v {
                FieldValue::Choice(c) => c,
                _ => None,
            })
    };
    let set = move |code: String| {
        let role = app.role.get_untracked();
        let code = (!code.is_empty()).then_some(code);
        field_id.with_value(|f| editor.change(|r| r.set_choice(role, f, code.as_deref())));
    };
    let options = list
        .codes
        .iter()
        .map(|c| {
            let code = c.code.clone();
            let (label, plain) = (c.label.clone(), c.plain_label.clone());
            view! {
                <option value=c.code.clone() prop:selected=move || current().as_deref() == Some(code.as_str())>
                    {move || app.words(&label, &plain).to_string()}
                </option>
            }
        })
        .collect_view();
    let shown_list = list.clone();
    view! {
        <div class="field">
            <FieldLabel for_id=id.clone() field=field.clone() editable=editable />
            <select
                id=id
                class="control"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:disabled=move || !editable.get()
                on:change=move |ev| set(event_target_value(&ev))
            >
                <option value="" prop:selected=move || current().is_none()>
                    {move || app.texts().choose_one}
                </option>
                {options}
            </select>
            <ConflictNotice
                key=field.id.clone()
                show=Callback::new(move |code: String| code_label(&shown_list, &code))
                on_choose=Callback::new(set)
            />
        </div>
    }
    .into_any()
}

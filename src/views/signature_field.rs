//! A signature line: who signs, and the date. (The drawn signature comes later.)

use dreieck_model::{Field, SignatureLine};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::{use_editor, Editor};
use crate::views::conflict_notice::ConflictNotice;
use crate::views::date_field::{german_date, parse_date_input};
use crate::views::field_label::help_id;
use crate::views::text_field::control_id;

fn read_line(editor: Editor, field: &str) -> SignatureLine {
    editor
        .read(|r| r.signature(field))
        .and_then(Result::ok)
        .unwrap_or_default()
}

#[component]
pub fn SignatureField(field: Field, optional: bool, editable: Signal<bool>) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let base = control_id(&field.id);
    let name_id = format!("{base}-name");
    let date_id = format!("{base}-date");
    let described = field.help.as_ref().map(|_| help_id(&base));
    let field_id = StoredValue::new(field.id.clone());

    let name = move || {
        field_id.with_value(|f| editor.track_field(f));
        field_id.with_value(|f| read_line(editor, f).name)
    };
    let date = move || {
        field_id.with_value(|f| editor.track_field(f));
        field_id
            .with_value(|f| read_line(editor, f).date)
            .map(|d| d.iso())
            .unwrap_or_default()
    };
    let set_name = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let role = app.role.get_untracked();
        field_id.with_value(|f| editor.type_in(|r| r.set_signature_name(role, f, &text)));
    };
    let set_date = move |iso: String| {
        let role = app.role.get_untracked();
        field_id.with_value(|f| {
            editor.change(|r| {
                let date = parse_date_input(&iso)?;
                r.set_signature_date(role, f, date)
            })
        });
    };
    view! {
        <fieldset class="field field-group signature" aria-describedby=described>
            <legend class="field-label">
                {field.label.clone()}
                {optional.then(|| view! { <span class="mark">" (optional)"</span> })}
                <Show when=move || !editable.get()>
                    <span class="mark readonly" aria-hidden="true">" nur lesen"</span>
                </Show>
            </legend>
            {field.help.clone().map(|h| view! { <p class="field-help" id=help_id(&base)>{h}</p> })}
            <div class="field-row">
                <div class="field-part field-part-wide">
                    <label for=name_id.clone()>"Name"</label>
                    <input
                        type="text"
                        id=name_id
                        class="control"
                        autocomplete="off"
                        prop:readOnly=move || !editable.get()
                        prop:value=name
                        on:input=set_name
                    />
                </div>
                <div class="field-part">
                    <label for=date_id.clone()>"Datum"</label>
                    <input
                        type="date"
                        id=date_id
                        class="control control-date"
                        prop:readOnly=move || !editable.get()
                        prop:value=date
                        on:change=move |ev| set_date(event_target_value(&ev))
                    />
                    <ConflictNotice
                        key=format!("{}/date", field.id)
                        show=Callback::new(|v: String| german_date(&v))
                        on_choose=Callback::new(set_date)
                    />
                </div>
            </div>
        </fieldset>
    }
}

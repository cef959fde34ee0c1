//! A calendar date (`<input type="date">`), with the conflict notice for concurrent changes.

use dreieck_model::{Date, Field};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::conflict_notice::ConflictNotice;
use crate::views::field_label::{described_by, FieldLabel};
use crate::views::text_field::control_id;

/// Reads an `<input type="date">` value: empty clears the date, anything else must be ISO.
pub fn parse_date_input(value: &str) -> Result<Option<Date>, dreieck_model::ModelError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        Date::parse_iso(value).map(Some)
    }
}

/// How a stored ISO date is shown in a conflict question.
pub fn german_date(iso: &str) -> String {
    Date::parse_iso(iso)
        .map(|d| d.german())
        .unwrap_or_else(|_| iso.to_string())
}

#[component]
pub fn DateField(field: Field, editable: Signal<bool>) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = control_id(&field.id);
    let described = described_by(&field, &id);
    let field_id = StoredValue::new(field.id.clone());

    let value = move || {
        field_id.with_value(|f| editor.track_field(f));
        editor
            .read(|r| field_id.with_value(|f| r.value(f)))
            .and_then(Result::ok)
            .and_then(|v| match v {
                dreieck_model::FieldValue::Date(Some(d)) => Some(d.iso()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let set = move |iso: String| {
        let role = app.role.get_untracked();
        field_id.with_value(|f| {
            editor.change(|r| {
                let date = parse_date_input(&iso)?;
                r.set_date(role, f, date)
            })
        });
    };
    view! {
        <div class="field">
            <FieldLabel for_id=id.clone() field=field.clone() editable=editable />
            <input
                type="date"
                id=id
                class="control control-date"
                aria-describedby=described
                aria-required=field.required.then_some("true")
                prop:readOnly=move || !editable.get()
                prop:value=value
                on:change=move |ev| set(event_target_value(&ev))
            />
            <ConflictNotice
                key=field.id.clone()
                show=Callback::new(|v: String| german_date(&v))
                on_choose=Callback::new(set)
            />
        </div>
    }
}

//! A period: two dates, "von" and "bis".

use dreieck_model::{DateRange, Field};
use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::{use_editor, Editor};
use crate::views::conflict_notice::ConflictNotice;
use crate::views::date_field::{german_date, parse_date_input};
use crate::views::field_label::{described_by, FieldHelp, LabelText};
use crate::views::text_field::control_id;

/// Which end of the period.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    From,
    To,
}

impl End {
    fn key(self) -> &'static str {
        match self {
            End::From => "from",
            End::To => "to",
        }
    }
    fn label(self, t: &Texts) -> &'static str {
        match self {
            End::From => t.date_from,
            End::To => t.date_to,
        }
    }
}

fn read_range(editor: Editor, field: &str) -> DateRange {
    editor
        .read(|r| r.date_range(field))
        .and_then(Result::ok)
        .unwrap_or_default()
}

#[component]
pub fn DateRangeField(field: Field, editable: Signal<bool>) -> impl IntoView {
    let base = control_id(&field.id);
    let described = described_by(&field, &base);
    let legend_id = format!("{base}-legende");
    view! {
        <fieldset class="field field-group" aria-describedby=described>
            <legend id=legend_id class="field-label">
                <LabelText field=field.clone() editable=editable />
            </legend>
            <FieldHelp field=field.clone() control_id=base.clone() />
            <div class="field-row">
                <RangeEnd field=field.id.clone() end=End::From editable=editable required=field.required />
                <RangeEnd field=field.id.clone() end=End::To editable=editable required=field.required />
            </div>
        </fieldset>
    }
}

#[component]
fn RangeEnd(field: String, end: End, editable: Signal<bool>, required: bool) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let id = format!("{}-{}", control_id(&field), end.key());
    let field_id = StoredValue::new(field.clone());
    let value = move || {
        field_id.with_value(|f| editor.track_field(f));
        let range = field_id.with_value(|f| read_range(editor, f));
        let date = match end {
            End::From => range.from,
            End::To => range.to,
        };
        date.map(|d| d.iso()).unwrap_or_default()
    };
    let set = move |iso: String| {
        let role = app.role.get_untracked();
        field_id.with_value(|f| {
            let mut range = read_range(editor, f);
            editor.change(|r| {
                let date = parse_date_input(&iso)?;
                match end {
                    End::From => range.from = date,
                    End::To => range.to = date,
                }
                r.set_date_range(role, f, range)
            })
        });
    };
    view! {
        <div class="field-part">
            <label for=id.clone()>{move || end.label(app.texts())}</label>
            <input
                type="date"
                id=id
                class="control control-date"
                aria-required=required.then_some("true")
                prop:readOnly=move || !editable.get()
                prop:value=value
                on:change=move |ev| set(event_target_value(&ev))
            />
            <ConflictNotice
                key=format!("{field}/{}", end.key())
                show=Callback::new(|v: String| german_date(&v))
                on_choose=Callback::new(set)
            />
        </div>
    }
}

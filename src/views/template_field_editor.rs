//! One field in the template editor: its two labels and its place in the section. Its id and
//! kind are shown, never changed.

use dreieck_model::FieldKind;
use leptos::prelude::*;

use crate::state::template_draft::{TemplateDraft, Words};
use crate::views::move_buttons::MoveButtons;
use crate::views::words_pair::WordsPair;

/// The kind of a field in German.
pub fn kind_name(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::ShortText => "Textzeile",
        FieldKind::LongText => "Text",
        FieldKind::Date { .. } => "Datum",
        FieldKind::DateRange => "Zeitraum",
        FieldKind::Choice { .. } => "Auswahl",
        FieldKind::Goals { .. } => "Zieltabelle",
        FieldKind::Signature { .. } => "Unterschrift",
    }
}

#[component]
pub fn TemplateFieldEditor(draft: TemplateDraft, field_id: String) -> impl IntoView {
    let t = draft.template;
    let fid = field_id.clone();
    let label = {
        let fid = fid.clone();
        move |words: Words| {
            t.with(|t| {
                t.field(&fid)
                    .map(|f| match words {
                        Words::Standard => f.label.clone(),
                        Words::Plain => f.plain_label.clone(),
                    })
                    .unwrap_or_default()
            })
        }
    };
    let position = {
        let fid = fid.clone();
        Signal::derive(move || {
            t.with(|t| {
                t.field_position(&fid)
                    .map(|(s, j)| (j, t.sections[s].fields.len()))
                    .unwrap_or((0, 1))
            })
        })
    };
    let kind = t.with_untracked(|t| t.field(&fid).map(|f| kind_name(&f.kind)).unwrap_or(""));
    let standard_id = format!("vorlage-feld-{fid}-label");
    let plain_id = format!("vorlage-feld-{fid}-plain");
    let legend_id = format!("vorlage-feld-{fid}-titel");
    let (label_value, label_what) = (label.clone(), label);
    let (set_label, moved) = (fid.clone(), fid.clone());
    view! {
        <li class="template-field">
            <fieldset>
                <legend id=legend_id>
                    {move || format!("Feld {} von {}", position.get().0 + 1, position.get().1)}
                    <span class="template-field-meta">
                        {format!(" · {kind} · ID ")}
                        <code>{fid.clone()}</code>
                    </span>
                </legend>
                <div class="field-row">
                    <WordsPair
                        ids=[standard_id, plain_id]
                        labels=["Beschriftung", "Beschriftung in Leichter Sprache"]
                        value=Callback::new(label_value)
                        on_input=Callback::new(move |(words, text)| {
                            draft.set_field_label(&set_label, words, text)
                        })
                    />
                </div>
                <MoveButtons
                    id_prefix=format!("vorlage-feld-{field_id}")
                    what=Signal::derive(move || format!("Feld „{}“", label_what(Words::Standard)))
                    can_up=Signal::derive(move || position.get().0 > 0)
                    can_down=Signal::derive(move || {
                        let (at, len) = position.get();
                        at + 1 < len
                    })
                    on_move=Callback::new(move |direction| draft.move_field(&moved, direction))
                />
            </fieldset>
        </li>
    }
}

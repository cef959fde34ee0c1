//! One section in the template editor: its two titles, its place in the form, its fields.

use leptos::prelude::*;

use crate::state::template_draft::{TemplateDraft, Words};
use crate::views::move_buttons::MoveButtons;
use crate::views::template_field_editor::TemplateFieldEditor;
use crate::views::words_pair::WordsPair;

#[component]
pub fn TemplateSectionEditor(draft: TemplateDraft, section_id: String) -> impl IntoView {
    let t = draft.template;
    let sid = section_id.clone();
    let title = {
        let sid = sid.clone();
        move |words: Words| {
            t.with(|t| {
                t.sections
                    .iter()
                    .find(|s| s.id == sid)
                    .map(|s| match words {
                        Words::Standard => s.title.clone(),
                        Words::Plain => s.plain_title.clone(),
                    })
                    .unwrap_or_default()
            })
        }
    };
    let position = {
        let sid = sid.clone();
        Signal::derive(move || t.with(|t| (t.section_index(&sid).unwrap_or(0), t.sections.len())))
    };
    let field_ids = {
        let sid = sid.clone();
        move || {
            t.with(|t| {
                t.sections
                    .iter()
                    .find(|s| s.id == sid)
                    .map(|s| s.fields.iter().map(|f| f.id.clone()).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
        }
    };
    let heading_id = format!("vorlage-abschnitt-{sid}-titel");
    let heading_id_ref = heading_id.clone();
    let standard_id = format!("vorlage-abschnitt-{sid}-label");
    let plain_id = format!("vorlage-abschnitt-{sid}-plain");
    let (title_heading, title_value, title_what) = (title.clone(), title.clone(), title);
    let (set_title, moved) = (sid.clone(), sid.clone());
    view! {
        <section class="template-section-editor" aria-labelledby=heading_id_ref>
            <h2 id=heading_id>
                <span class="template-section-number">
                    {move || format!("Abschnitt {} von {}: ", position.get().0 + 1, position.get().1)}
                </span>
                {move || title_heading(Words::Standard)}
            </h2>
            <div class="field-row">
                <WordsPair
                    ids=[standard_id, plain_id]
                    labels=["Überschrift", "Überschrift in Leichter Sprache"]
                    value=Callback::new(title_value)
                    on_input=Callback::new(move |(words, text)| {
                        draft.set_section_title(&set_title, words, text)
                    })
                />
            </div>
            <MoveButtons
                id_prefix=format!("vorlage-abschnitt-{section_id}")
                what=Signal::derive(move || format!("Abschnitt „{}“", title_what(Words::Standard)))
                can_up=Signal::derive(move || position.get().0 > 0)
                can_down=Signal::derive(move || {
                    let (at, len) = position.get();
                    at + 1 < len
                })
                on_move=Callback::new(move |direction| draft.move_section(&moved, direction))
            />
            <ol class="template-fields">
                <For
                    each=field_ids
                    key=|id| id.clone()
                    children=move |field_id| {
                        view! { <TemplateFieldEditor draft=draft field_id=field_id /> }
                    }
                />
            </ol>
        </section>
    }
}

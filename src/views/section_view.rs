//! One section of the template, with its fields.

use dreieck_model::{sentences, Pictogram, Section};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::field_view::{spoken_field, FieldView};
use crate::views::pictogram::PictogramView;
use crate::views::read_aloud_button::ReadAloudButton;
use crate::views::words::{sentence_count, Words};

#[component]
pub fn SectionView(section: Section) -> impl IntoView {
    let heading_id = format!("abschnitt-{}", section.id);
    let labelled_by = heading_id.clone();
    // Hidden while its condition does not hold (see `FieldView`), re-evaluated when a field
    // a condition looks at changes.
    let editor = use_editor();
    let section_id = section.id.clone();
    let conditional = section.shown_when.is_some();
    let hidden = move || {
        conditional && {
            editor.track_conditions();
            !editor
                .read(|r| r.is_section_shown(&section_id))
                .unwrap_or(true)
        }
    };
    let app = use_app();
    // Read-aloud block of the heading: the plain title, then the plain help.
    let block = heading_id.clone();
    let heading: Vec<String> = sentences(&section.plain_title)
        .into_iter()
        .chain(
            section
                .plain_help
                .as_deref()
                .map(sentences)
                .unwrap_or_default(),
        )
        .map(String::from)
        .collect();
    // A section of one field reads that field too, and the field has no button of its own.
    let single = match section.fields.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    };
    let read_by_section = single.is_some();
    let spoken = move || {
        let mut all = heading.clone();
        if let Some(field) = &single {
            all.extend(editor.read(|r| spoken_field(field, r)).unwrap_or_default());
        }
        all
    };
    let help_first = sentence_count(&section.plain_title);
    let pictogram = section.pictogram.unwrap_or(Pictogram::Document);
    let (help, plain_help) = (section.help.clone(), section.plain_help.clone());
    let help_block = block.clone();
    let help_view = move || {
        let text = if app.plain.get() { &plain_help } else { &help };
        text.as_ref().map(|_| {
            view! {
                <p class="section-help">
                    <Words
                        standard=help.clone().unwrap_or_default()
                        plain=plain_help.clone().unwrap_or_default()
                        block=help_block.clone()
                        first=help_first
                    />
                </p>
            }
        })
    };
    view! {
        <section class="form-section" aria-labelledby=labelled_by hidden=hidden>
            <div class="section-head">
                <Show when=move || app.plain.get()>
                    <PictogramView pictogram=pictogram />
                </Show>
                <h2 id=heading_id>
                    <Words standard=section.title.clone() plain=section.plain_title.clone() block=block.clone() />
                </h2>
                <ReadAloudButton
                    block=block
                    what=section.plain_title.clone()
                    sentences=Callback::new(move |()| spoken())
                />
            </div>
            {help_view}
            {section
                .fields
                .into_iter()
                .map(|field| view! { <FieldView field=field read_by_section=read_by_section /> })
                .collect_view()}
        </section>
    }
}

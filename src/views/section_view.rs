//! One section of the template, with its fields.

use dreieck_model::Section;
use leptos::prelude::*;

use crate::state::editor::use_editor;
use crate::views::field_view::FieldView;

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
    view! {
        <section class="form-section" aria-labelledby=labelled_by hidden=hidden>
            <h2 id=heading_id>{section.title.clone()}</h2>
            {section.help.clone().map(|h| view! { <p class="section-help">{h}</p> })}
            {section
                .fields
                .into_iter()
                .map(|field| view! { <FieldView field=field /> })
                .collect_view()}
        </section>
    }
}

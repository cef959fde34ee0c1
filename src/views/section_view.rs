//! One section of the template, with its fields.

use dreieck_model::Section;
use leptos::prelude::*;

use crate::views::field_view::FieldView;

#[component]
pub fn SectionView(section: Section) -> impl IntoView {
    let heading_id = format!("abschnitt-{}", section.id);
    let labelled_by = heading_id.clone();
    view! {
        <section class="form-section" aria-labelledby=labelled_by>
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

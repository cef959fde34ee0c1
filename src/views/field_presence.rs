//! "Leistungsträger schreibt hier": shown at a field while someone else's cursor is in it, so
//! two people do not unknowingly write the same sentence.

use leptos::prelude::*;

use crate::state::editor::use_editor;

#[component]
pub fn FieldPresence(field_id: String) -> impl IntoView {
    let editor = use_editor();
    let field_id = StoredValue::new(field_id);
    let writers = move || {
        let link = editor.link()?;
        let roles: Vec<&'static str> = link.peers.with(|b| {
            b.peers
                .iter()
                .filter(|p| field_id.with_value(|f| p.field.as_deref() == Some(f.as_str())))
                .map(|p| p.role.label())
                .collect()
        });
        (!roles.is_empty()).then(|| roles.join(", "))
    };
    move || {
        writers().map(|who| {
            view! {
                <p class="field-presence">
                    <span aria-hidden="true">"✎ "</span>
                    {who}
                    " schreibt hier"
                </p>
            }
        })
    }
}

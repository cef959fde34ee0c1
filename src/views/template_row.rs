//! One template in the list of the "Vorlagen" page: what it is, and what can be done with it.

use dreieck_model::Template;
use dreieck_texts::{fill, fill_with};
use leptos::prelude::*;

use crate::route::Route;

#[component]
pub fn TemplateRow(
    template: Template,
    /// Imported on this device (may be removed); otherwise shipped with the app.
    imported: bool,
    on_download: Callback<Template>,
    /// Asks to remove (id, version, name); the page confirms first.
    on_remove: Callback<(String, String, String)>,
) -> impl IntoView {
    let app = crate::state::app_context::use_app();
    let t = app.texts_now();
    let plain = app.plain.get_untracked();
    let name = if plain && !template.plain_name.trim().is_empty() {
        template.plain_name.clone()
    } else {
        template.name.clone()
    };
    let fields = template.fields().count();
    let origin = if imported {
        t.template_own
    } else {
        t.template_shipped
    };
    let field_count = if fields == 1 {
        t.template_one_field.to_string()
    } else {
        fill(t.template_fields, &fields.to_string())
    };
    let meta = fill_with(
        t.template_meta,
        &[
            ("id", &template.id),
            ("version", &template.version),
            ("fields", &field_count),
            ("origin", origin),
        ],
    );
    let which = fill_with(
        t.template_which,
        &[("name", &name), ("version", &template.version)],
    );
    let edit = Route::TemplateEditor {
        id: template.id.clone(),
        version: template.version.clone(),
    };
    let remove = (
        template.id.clone(),
        template.version.clone(),
        template.name.clone(),
    );
    view! {
        <li class="template">
            <div class="template-body">
                <span class="template-name">{name}</span>
                <span class="template-meta">{meta}</span>
            </div>
            <div class="template-actions">
                // The form editor is a staff tool (StaffOnlyNotice): not offered in Leichte Sprache.
                <a class="button" href=edit.href() aria-label=fill(t.template_edit_label, &which) hidden=plain>
                    {t.template_edit}
                </a>
                <button
                    class="button"
                    aria-label=fill(t.template_download_label, &which)
                    on:click=move |_| on_download.run(template.clone())
                >
                    {t.template_download}
                </button>
                {imported
                    .then(|| {
                        view! {
                            <button
                                class="button danger-text"
                                aria-label=fill(t.template_remove_label, &which)
                                on:click=move |_| on_remove.run(remove.clone())
                            >
                                {t.remove}
                            </button>
                        }
                    })}
            </div>
        </li>
    }
}

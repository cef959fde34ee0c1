//! One template in the list of the "Vorlagen" page: what it is, and what can be done with it.

use dreieck_model::Template;
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
    let name = template.name.clone();
    let fields = template.fields().count();
    let origin = if imported {
        "eigene Vorlage"
    } else {
        "mitgeliefert"
    };
    let which = format!("„{}“, Version {}", template.name, template.version);
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
                <span class="template-meta">
                    "ID " <code>{template.id.clone()}</code> " · Version "
                    {template.version.clone()} " · " {fields}
                    {if fields == 1 { " Feld" } else { " Felder" }} " · " {origin}
                </span>
            </div>
            <div class="template-actions">
                <a class="button" href=edit.href() aria-label=format!("Anpassen: {which}")>
                    "Anpassen"
                </a>
                <button
                    class="button"
                    aria-label=format!("Herunterladen: {which}")
                    on:click=move |_| on_download.run(template.clone())
                >
                    "Herunterladen"
                </button>
                {imported
                    .then(|| {
                        view! {
                            <button
                                class="button danger-text"
                                aria-label=format!("Entfernen: {which}")
                                on:click=move |_| on_remove.run(remove.clone())
                            >
                                "Entfernen"
                            </button>
                        }
                    })}
            </div>
        </li>
    }
}

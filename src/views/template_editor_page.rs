//! "Vorlage anpassen" (`#/vorlagen/<id>/<version>`): the form's name, section titles and field
//! labels in both languages, and the order of sections and fields; saved as a new version.

use dreieck_model::Template;
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::template_draft::{TemplateDraft, Words};
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::staff_only::StaffOnlyNotice;
use crate::views::template_save::TemplateSave;
use crate::views::template_section_editor::TemplateSectionEditor;
use crate::views::words_pair::WordsPair;

#[component]
pub fn TemplateEditorPage(id: String, version: String) -> impl IntoView {
    let app = use_app();
    let library = app.templates.library;
    let loaded = app.templates.loaded;
    // Only this template: saving another version must not rebuild the editor under the cursor.
    let found = Memo::new(move |_| library.with(|l| l.find(&id, &version).cloned()));
    move || match found.get() {
        Some(template) => view! { <TemplateEditor template=template /> }.into_any(),
        None if !loaded.get() => {
            view! { <p class="message" role="status">"Vorlage wird geladen …"</p> }.into_any()
        }
        None => view! {
            <div class="page">
                <h1 id=PAGE_TITLE_ID tabindex="-1">"Vorlage nicht gefunden"</h1>
                <p class="message error" role="alert">
                    "Diese Vorlage gibt es auf diesem Gerät nicht (mehr). "
                    <a href=Route::Templates.href()>"Zu den Vorlagen"</a>
                </p>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn TemplateEditor(template: Template) -> impl IntoView {
    let heading = format!(
        "Vorlage anpassen: {} (Version {})",
        template.name, template.version
    );
    let draft = TemplateDraft::new(template);
    let t = draft.template;
    let section_ids =
        move || t.with(|t| t.sections.iter().map(|s| s.id.clone()).collect::<Vec<_>>());
    let name = move |words: Words| {
        t.with(|t| match words {
            Words::Standard => t.name.clone(),
            Words::Plain => t.plain_name.clone(),
        })
    };
    view! {
        <div class="page template-editor">
            <div class="page-head">
                <h1 id=PAGE_TITLE_ID tabindex="-1">{heading}</h1>
                <StaffOnlyNotice />
            </div>
            <p class="page-intro">
                "Hier ändern Sie Namen, Überschriften und Beschriftungen – jeweils auch in Leichter Sprache – und die Reihenfolge von Abschnitten und Feldern. Die IDs bleiben gleich: unter ihnen stehen die Einträge in den Berichten."
            </p>
            <section class="template-name-editor" aria-labelledby="vorlage-name-titel">
                <h2 id="vorlage-name-titel">"Formular"</h2>
                <div class="field-row">
                    <WordsPair
                        ids=["vorlage-name".to_string(), "vorlage-name-plain".to_string()]
                        labels=["Name des Formulars", "Name in Leichter Sprache"]
                        value=Callback::new(name)
                        on_input=Callback::new(move |(words, text)| draft.set_name(words, text))
                    />
                </div>
                <RetentionSetting draft=draft />
            </section>
            // Moves are announced here (the moved item keeps focus on its button).
            <p class="visually-hidden" aria-live="polite" role="status">
                {move || draft.announcement.get()}
            </p>
            <For
                each=section_ids
                key=|id| id.clone()
                children=move |section_id| {
                    view! { <TemplateSectionEditor draft=draft section_id=section_id /> }
                }
            />
            <TemplateSave draft=draft />
        </div>
    }
}

/// The form's retention period: years after the submission, or none.
#[component]
fn RetentionSetting(draft: TemplateDraft) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let initial = draft
        .template
        .with_untracked(|t| t.retention_years.map(|y| y.to_string()).unwrap_or_default());
    view! {
        <div class="field retention-setting">
            <label class="field-label" for="vorlage-aufbewahrung">"Aufbewahrung nach der Übermittlung (Jahre)"</label>
            <p class="field-help" id="vorlage-aufbewahrung-hilfe">
                "Wie lange ein übermittelter Bericht aufbewahrt wird. 90 Tage vor dem Ende erinnert die Übersicht daran, danach steht er dort zum Löschen an. Leer lassen: keine Frist."
            </p>
            <input
                id="vorlage-aufbewahrung"
                class="control retention-years"
                type="number"
                inputmode="numeric"
                min="1"
                max=dreieck_model::MAX_RETENTION_YEARS.to_string()
                step="1"
                aria-describedby="vorlage-aufbewahrung-hilfe"
                aria-invalid=move || error.with(Option::is_some).to_string()
                prop:value=initial
                on:input=move |ev| error.set(draft.set_retention(&event_target_value(&ev)).err())
            />
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </div>
    }
}

//! The end of the template editor: the new version's number, "Als neue Version speichern" and
//! "Herunterladen".

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::template_draft::{suggest_version, TemplateDraft};
use crate::state::template_library::download;

#[component]
pub fn TemplateSave(draft: TemplateDraft) -> impl IntoView {
    let app = use_app();
    let library = app.templates.library;
    let id = draft.template.with_untracked(|t| t.id.clone());
    let version = RwSignal::new(library.with_untracked(|l| suggest_version(l, &id)));
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let save = move |_| {
        let Some(store) = app.store() else {
            return;
        };
        let finished = library.with_untracked(|l| draft.finish(&version.get_untracked(), l));
        let template = match finished {
            Ok(t) => t,
            Err(e) => {
                outcome.set(Some(Err(e)));
                return;
            }
        };
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let result = app
                .templates
                .save_edited(&store, template.clone())
                .await
                .map(|_| {
                    format!(
                        "Gespeichert als Version {}. Neue Berichte mit „{}“ bekommen diese Version.",
                        template.version, template.name
                    )
                });
            if result.is_ok() {
                // Ready for another round of changes under the next free number.
                let _ =
                    version.try_set(library.with_untracked(|l| suggest_version(l, &template.id)));
            }
            let _ = busy.try_set(false);
            let _ = outcome.try_set(Some(result));
        });
    };
    let download_draft = move |_| {
        let finished = draft.template.with_untracked(|t| {
            let mut t = t.clone();
            t.version = version.get_untracked().trim().to_string();
            t.verify().map(|()| t).map_err(|e| e.to_string())
        });
        let result = finished
            .and_then(|t| download(&t))
            .map(|name| format!("„{name}“ wurde heruntergeladen."));
        outcome.set(Some(result));
    };

    view! {
        <section class="template-save" aria-labelledby="vorlage-speichern-titel">
            <h2 id="vorlage-speichern-titel">"Speichern"</h2>
            <p class="section-help">
                "Die Änderungen werden als neue Version gespeichert. Berichte, die schon angelegt sind, behalten ihre Version."
            </p>
            <div class="field-part">
                <label for="vorlage-version">"Neue Version"</label>
                <input
                    id="vorlage-version"
                    class="control control-version"
                    type="text"
                    autocomplete="off"
                    prop:value=move || version.get()
                    on:input=move |ev| version.set(event_target_value(&ev))
                />
            </div>
            <div class="template-save-actions">
                <button class="button primary" on:click=save disabled=move || busy.get()>
                    {move || if busy.get() { "Wird gespeichert …" } else { "Als neue Version speichern" }}
                </button>
                <button class="button" on:click=download_draft>
                    "Herunterladen"
                </button>
                <a class="button quiet" href=Route::Templates.href()>
                    "Zurück zu den Vorlagen"
                </a>
            </div>
            <div class="template-save-outcome" aria-live="polite">
                {move || match outcome.get() {
                    Some(Ok(m)) => view! { <p class="message ok">{m}</p> }.into_any(),
                    Some(Err(e)) => {
                        view! {
                            <p class="message error" role="alert">
                                "Nicht gespeichert: "
                                {e}
                            </p>
                        }
                            .into_any()
                    }
                    None => ().into_any(),
                }}
            </div>
        </section>
    }
}

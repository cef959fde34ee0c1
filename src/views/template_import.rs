//! "Vorlage importieren": a template file (`.json`) taken onto this device, or refused with
//! the line and the problem.

use dreieck_texts::fill;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::use_app;
use crate::state::report_files::{read_file, take_chosen_file};

/// The id of the file input (tests choose files through it).
pub const TEMPLATE_FILE_INPUT_ID: &str = "vorlage-datei";

#[component]
pub fn TemplateImport() -> impl IntoView {
    let app = use_app();
    let input = NodeRef::<Input>::new();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let choose = move |_| {
        if let Some(el) = input.get() {
            el.click();
        }
    };
    let chosen = move |_| {
        let Some(file) = input.get().and_then(|el| take_chosen_file(&el)) else {
            return;
        };
        let Some(store) = app.store() else {
            return;
        };
        outcome.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = match read_file(&file).await {
                Ok(bytes) => app
                    .templates
                    .import(&store, &bytes)
                    .await
                    .map(|added| added.message(app.texts_now())),
                Err(e) => Err(e),
            };
            let _ = busy.try_set(false);
            let _ = outcome.try_set(Some(result));
        });
    };

    view! {
        <div class="import">
            <button
                id="vorlage-importieren"
                class="button primary"
                on:click=choose
                disabled=move || busy.get()
                aria-describedby="vorlage-importieren-hinweis"
            >
                {move || if busy.get() { app.texts().template_checking } else { app.texts().template_import }}
            </button>
            <span id="vorlage-importieren-hinweis" class="import-hint">
                {move || app.texts().template_import_hint}
            </span>
            <input
                node_ref=input
                id=TEMPLATE_FILE_INPUT_ID
                type="file"
                accept=".json,application/json"
                hidden
                tabindex="-1"
                on:change=chosen
            />
        </div>
        // One live region that stays in the page: each outcome replaces the last.
        <div class="template-import-outcome" aria-live="polite">
            {move || match outcome.get() {
                Some(Ok(message)) => view! { <p class="message ok">{message}</p> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <p class="message error" role="alert">
                            {fill(app.texts().template_import_failed, &e)}
                        </p>
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
        </div>
    }
}

//! A stored report that does not load: shown, never hidden, with its raw bytes for download.

use dreieck_texts::fill;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::use_app;
use crate::state::platform::download_bytes;

#[component]
pub fn BrokenRow(id: String, error: String) -> impl IntoView {
    let app = use_app();
    let download_error = RwSignal::new(None::<String>);
    let heading_id = format!("kaputt-{id}");
    let labelled_by = heading_id.clone();
    let file_name = format!("dreieck-bericht-{id}.automerge");
    let download = {
        let id = id.clone();
        move |_| {
            let Some(store) = app.store() else {
                return;
            };
            let id = id.clone();
            let file_name = file_name.clone();
            spawn_local(async move {
                let result = match store.load(&id).await {
                    Ok(bytes) => download_bytes(&bytes, &file_name),
                    Err(e) => Err(e.to_string()),
                };
                let _ = download_error.try_set(result.err());
            });
        }
    };
    view! {
        <li class="case broken" aria-labelledby=labelled_by>
            <div class="case-body">
                <span class="case-title" id=heading_id>
                    {move || fill(app.texts().broken_title, &id)}
                </span>
                <span class="case-meta">{error}</span>
                {move || {
                    download_error
                        .get()
                        .map(|e| view! { <span class="case-meta error" role="alert">{e}</span> })
                }}
            </div>
            <button class="button" on:click=download>
                {move || app.texts().broken_download}
            </button>
        </li>
    }
}

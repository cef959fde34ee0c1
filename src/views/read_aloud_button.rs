//! "Vorlesen" on a block in Leichte Sprache; while the block is read it says "Stopp".
//! Shown only where the browser can speak.

use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn ReadAloudButton(
    /// The read-aloud block (see `state::read_aloud`).
    #[prop(into)]
    block: String,
    /// What is read, for the button's accessible name ("Vorlesen: Ihr Name").
    #[prop(into)]
    what: Signal<String>,
    /// The sentences, gathered when the button is pressed (the value may have changed).
    sentences: Callback<(), Vec<String>>,
    /// Shown in standard German too (words read to the person by whoever sits with them),
    /// not only in Leichte Sprache.
    #[prop(optional)]
    always: bool,
) -> impl IntoView {
    let app = use_app();
    let reader = app.reader;
    let available = reader.available();
    let block = StoredValue::new(block);
    let reading = move || block.with_value(|b| reader.is_reading(b));
    let click = move |_| {
        if untrack(reading) {
            reader.stop();
        } else {
            reader.start(block.get_value(), sentences.run(()));
        }
    };
    let name = move || {
        let t = app.texts();
        if reading() {
            t.read_aloud_stop_label.to_string()
        } else {
            what.with(|w| fill(t.read_aloud_what, w))
        }
    };
    view! {
        <Show when=move || available && (always || app.plain.get())>
            <button
                type="button"
                class="button read-aloud"
                class:reading=reading
                aria-label=name
                on:click=click
            >
                <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                    {move || {
                        if reading() {
                            view! { <rect x="6" y="6" width="12" height="12" rx="1" /> }.into_any()
                        } else {
                            view! {
                                <path d="M4 9h4l5-4v14l-5-4H4z" />
                                <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" />
                            }
                                .into_any()
                        }
                    }}
                </svg>
                {move || if reading() { app.texts().read_aloud_stop } else { app.texts().read_aloud }}
            </button>
        </Show>
    }
}

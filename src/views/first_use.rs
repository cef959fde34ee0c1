//! The first start on a device without a PIN: "Dieses Gerät schützen" comes before anything
//! else, whatever link was opened (an invitation included: it goes on once the PIN is set).
//! Going on without a PIN is possible, said plainly with what it means, and remembered.

use dreieck::storage::vault;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::lock_page::PinSetup;
use crate::views::words::Words;

/// Whether to ask now: no PIN, and not declined before.
pub fn wanted() -> bool {
    !vault::has_pin() && !vault::pin_declined()
}

#[component]
pub fn FirstUse(
    /// Set to `false` once a PIN is set or declined: the page asked for comes.
    asking: RwSignal<bool>,
) -> impl IntoView {
    let app = use_app();
    let has_pin = RwSignal::new(false);
    Effect::new(move |_| {
        if has_pin.get() {
            asking.set(false);
        }
    });
    let error = RwSignal::new(None::<String>);
    let decline = move |_| match vault::decline_pin() {
        Ok(()) => asking.set(false),
        Err(e) => error.set(Some(e.to_string())),
    };
    view! {
        <div class="page lock-settings first-use">
            <h1 id=PAGE_TITLE_ID tabindex="-1">
                {move || app.words("Dieses Gerät schützen", "Zuerst eine PIN").to_string()}
            </h1>
            <PinSetup has_pin=has_pin />
            <section aria-labelledby="ohne-pin-titel" class="without-pin">
                <h2 id="ohne-pin-titel">
                    {move || app.words("Ohne PIN weiter", "Ohne PIN").to_string()}
                </h2>
                <p>
                    <Words
                        standard="Ohne PIN liegen die Berichte unverschlüsselt auf diesem Gerät: Wer es benutzt oder seine Daten kopiert, kann sie lesen. Das passt nur zu einem Gerät, das niemand sonst benutzt und das selbst gesperrt ist. Eine PIN lässt sich jederzeit unter „Gerät schützen“ festlegen."
                        plain="Ohne PIN kann jeder die Berichte auf diesem Gerät lesen. Das ist unsicher. Sie können die PIN auch später machen."
                        block="ohne-pin-text"
                    />
                </p>
                <p class="field-error" role="alert">{move || error.get()}</p>
                <button type="button" class="button" on:click=decline>
                    {move || app.words("Ohne PIN weiter", "Ohne PIN weiter").to_string()}
                </button>
            </section>
        </div>
    }
}

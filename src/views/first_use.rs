//! The first start on a device without a PIN: "Dieses Gerät schützen" comes before anything
//! else, whatever link was opened (an invitation included: it goes on once the PIN is set).
//! There is no way past it without a PIN: a tablet handed on, or a phone that is lost, must
//! never hold reports in the clear because somebody was in a hurry on the first day.

use dreieck::storage::vault;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::lock_page::PinSetup;

/// Whether to ask now: no PIN yet (and not a test browser, see [`vault::first_use_skipped`]).
pub fn wanted() -> bool {
    !vault::has_pin() && !vault::first_use_skipped()
}

#[component]
pub fn FirstUse(
    /// Set to `false` once a PIN is set: the page asked for comes.
    asking: RwSignal<bool>,
) -> impl IntoView {
    let app = use_app();
    let has_pin = RwSignal::new(false);
    Effect::new(move |_| {
        if has_pin.get() {
            asking.set(false);
        }
    });
    view! {
        <div class="page lock-settings first-use">
            <h1 id=PAGE_TITLE_ID tabindex="-1">
                {move || app.texts().first_use_title.to_string()}
            </h1>
            <PinSetup has_pin=has_pin />
        </div>
    }
}

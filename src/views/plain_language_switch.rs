//! "Leichte Sprache" in the header: a toggle for the whole device, so whoever hands the
//! tablet to the person supported switches once, on any page.

use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn PlainLanguageSwitch() -> impl IntoView {
    let app = use_app();
    let pressed = move || if app.plain.get() { "true" } else { "false" };
    view! {
        <button
            type="button"
            id="leichte-sprache"
            class="button toggle plain-switch"
            aria-pressed=pressed
            on:click=move |_| app.set_plain(!app.plain.get_untracked())
        >
            <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                <path d="M4 5h16v11H11l-5 4v-4H4z" />
                <path d="M8 9h8M8 12h5" />
            </svg>
            {move || app.texts().plain_language}
        </button>
    }
}

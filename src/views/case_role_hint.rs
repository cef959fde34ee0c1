//! Why the case controls are disabled for the role this device writes in.

use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;

/// Says who records this (`text`) while the device's role does not keep the case
/// (`Role::keeps_the_case`); nothing otherwise.
#[component]
pub fn CaseRoleHint(text: fn(&'static Texts) -> &'static str) -> impl IntoView {
    let app = use_app();
    move || {
        (!app.role.get().keeps_the_case())
            .then(|| view! { <p class="section-help">{text(app.texts())}</p> })
    }
}

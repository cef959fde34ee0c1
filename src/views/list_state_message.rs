//! What a page built on the stored reports shows while they load, or when they cannot be read.

use leptos::prelude::*;

use crate::state::case_list::ListState;

/// The loading or failure message; `None` once the reports are read.
pub fn list_state_message(state: &ListState) -> Option<AnyView> {
    match state {
        ListState::Loading => Some(
            view! { <p class="message" role="status">"Berichte werden geladen …"</p> }.into_any(),
        ),
        ListState::Failed(e) => Some(
            view! {
                <p class="message error" role="alert">
                    "Die Berichte konnten nicht gelesen werden: "
                    {e.clone()}
                </p>
            }
            .into_any(),
        ),
        ListState::Ready => None,
    }
}

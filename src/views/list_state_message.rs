//! What a page built on the stored reports shows while they load, or when they cannot be read.

use dreieck_texts::fill;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::case_list::ListState;

/// The loading or failure message; `None` once the reports are read.
pub fn list_state_message(state: &ListState) -> Option<AnyView> {
    match state {
        ListState::Loading => Some(
            view! { <p class="message" role="status">{move || use_app().texts().list_loading}</p> }
                .into_any(),
        ),
        ListState::Failed(e) => Some(
            view! {
                <p class="message error" role="alert">
                    {fill(use_app().texts().list_unreadable, e)}
                </p>
            }
            .into_any(),
        ),
        ListState::Ready => None,
    }
}

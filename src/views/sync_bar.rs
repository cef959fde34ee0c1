//! The sharing part of the editor bar: "Teilen", the sync state and who else is here. Also
//! tells the link which field this device is editing (focus moving inside the form).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::editor::use_editor;
use crate::views::direct_dialog::DirectButton;
use crate::views::presence_list::PresenceList;
use crate::views::share_dialog::ShareButton;
use crate::views::sync_status::SyncStatusView;

#[component]
pub fn SyncBar() -> impl IntoView {
    let editor = use_editor();
    view! {
        <div class="sync-bar">
            <ShareButton />
            {move || {
                editor
                    .link()
                    .map(|link| {
                        view! {
                            <SyncStatusView link=link.clone() />
                            <DirectButton link=link.clone() />
                            <PresenceList link=link />
                        }
                    })
            }}
        </div>
    }
}

/// The template field of the element focus moved to (`data-field` of its field container).
pub fn focused_field(ev: &web_sys::FocusEvent) -> Option<String> {
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    target
        .closest("[data-field]")
        .ok()??
        .get_attribute("data-field")
}

//! The sharing part of the editor bar: "Teilen", the sync state and who else is here. Also
//! tells the link which field this device is editing (focus moving inside the form).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::editor::{use_editor, Editor};
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

/// `focusin` and `focusout` handlers for a report's root element (class `report-form`): tell
/// the link which field this device is in, and nothing once focus leaves the report.
pub fn presence_handlers(
    editor: Editor,
) -> (
    impl Fn(web_sys::FocusEvent) + Copy,
    impl Fn(web_sys::FocusEvent) + Copy,
) {
    let focus_in = move |ev: web_sys::FocusEvent| {
        if let Some(link) = editor.link_untracked() {
            link.set_focus(focused_field(&ev));
        }
    };
    let focus_out = move |ev: web_sys::FocusEvent| {
        let leaving = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_none_or(|el| el.closest(".report-form").ok().flatten().is_none());
        if leaving {
            if let Some(link) = editor.link_untracked() {
                link.set_focus(None);
            }
        }
    };
    (focus_in, focus_out)
}

/// The template field of the element focus moved to (`data-field` of its field container).
pub fn focused_field(ev: &web_sys::FocusEvent) -> Option<String> {
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    target
        .closest("[data-field]")
        .ok()??
        .get_attribute("data-field")
}

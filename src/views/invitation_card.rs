//! One role's invitation: the link to copy and the QR code to scan.

use dreieck_model::Role;
use leptos::prelude::*;

use crate::views::qr_code::QrCode;

#[component]
pub fn InvitationCard(role: Role, url: String) -> impl IntoView {
    let input_id = format!("einladung-{}", role.as_str());
    let copied = RwSignal::new(false);
    let copy = {
        let url = url.clone();
        move |_| {
            let clipboard = window().navigator().clipboard();
            let _ = clipboard.write_text(&url);
            copied.set(true);
        }
    };
    view! {
        <li class="invitation">
            <h3 class="invitation-role">{role.label()}</h3>
            <label class="invitation-label" for=input_id.clone()>
                "Einladungslink für „" {role.label()} "“"
            </label>
            <input
                id=input_id
                class="control invitation-link"
                data-role=role.as_str()
                type="text"
                readonly
                prop:value=url.clone()
                on:focus=|ev| {
                    if let Some(el) = ev.target().and_then(|t| {
                        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()
                    }) {
                        el.select();
                    }
                }
            />
            <button class="button" on:click=copy>
                {move || if copied.get() { "Kopiert" } else { "Link kopieren" }}
            </button>
            <QrCode text=url label=format!("QR-Code der Einladung für {}", role.label()) />
        </li>
    }
}

//! One person's invitation: for whom, the link to copy and the QR code to scan.

use dreieck_model::Role;
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::views::qr_code::QrCode;

#[component]
pub fn InvitationCard(
    role: Role,
    name: String,
    url: String,
    /// "gilt bis …" (a protected report's invitations expire).
    until: Option<String>,
) -> impl IntoView {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let input_id = format!("einladung-{n}");
    let app = crate::state::app_context::use_app();
    let role_words = crate::views::role_select::role_name(app.texts_now(), role);
    let whom = if name.is_empty() {
        role_words.to_string()
    } else {
        format!("{name} ({role_words})")
    };
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
            <h3 class="invitation-role">
                {if name.is_empty() {
                    view! { {role_words} }.into_any()
                } else {
                    view! { {name.clone()} " (" <span>{role_words}</span> ")" }.into_any()
                }}
            </h3>
            {until.map(|u| view! { <p class="invitation-until">{u}</p> })}
            <label class="invitation-label" for=input_id.clone()>
                {fill(app.texts_now().invite_link_for, &whom)}
            </label>
            <input
                id=input_id
                class="control invitation-link"
                data-role=role.as_str()
                data-name=name.clone()
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
                {move || if copied.get() { app.texts().invite_copied } else { app.texts().invite_copy }}
            </button>
            <QrCode text=url label=fill(app.texts_now().invite_qr, &whom) />
        </li>
    }
}

//! "Teilen": puts the report into a room on the relay and shows an invitation per role.

use std::rc::Rc;

use dreieck_model::Role;
use leptos::html::Dialog;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::state::platform::fill_random;
use crate::sync::invitation::Invitation;
use crate::sync::shared::{self, Shared};
use crate::views::invitation_card::InvitationCard;

/// A new room: 128 random bits of id and a 256-bit document key, from the platform generator.
fn new_room() -> Result<Shared, String> {
    let mut room = [0u8; 16];
    let mut key = [0u8; 32];
    fill_random(&mut room)?;
    fill_random(&mut key)?;
    Ok(Shared {
        room,
        key,
        acked_heads: Vec::new(),
    })
}

/// The invitation links of the report, one per role (`None` while it is not shared).
fn invitations(report_id: &str) -> Option<Vec<(Role, String)>> {
    let shared = shared::load(report_id)?;
    let location = window().location();
    let base = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
    Some(
        Role::ALL
            .into_iter()
            .map(|role| {
                let inv = Invitation {
                    report_id: report_id.to_string(),
                    room: shared.room,
                    key: shared.key,
                    role,
                };
                (role, format!("{base}{}", inv.fragment()))
            })
            .collect(),
    )
}

#[component]
pub fn ShareButton() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let dialog = NodeRef::<Dialog>::new();
    let links = RwSignal::new(Vec::<(Role, String)>::new());
    let error = RwSignal::new(None::<String>);

    let open = move |_| {
        let id = editor.id();
        if shared::load(&id).is_none() {
            let role = app.role;
            let result =
                new_room().and_then(|s| editor.share(s, Rc::new(move || role.get_untracked())));
            if let Err(e) = result {
                error.set(Some(format!("Teilen ist nicht möglich: {e}")));
                return;
            }
        }
        error.set(None);
        links.set(invitations(&id).unwrap_or_default());
        if let Some(el) = dialog.get() {
            if el.show_modal().is_err() {
                el.set_open(true);
            }
        }
    };
    let close = move |_| {
        if let Some(el) = dialog.get() {
            el.close();
        }
    };

    view! {
        <button id="teilen" class="button" on:click=open>
            "Teilen"
        </button>
        {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
        <dialog node_ref=dialog class="share-dialog" aria-labelledby="teilen-titel">
            <h2 id="teilen-titel">"Bericht teilen"</h2>
            <p>
                "Wer einen dieser Links öffnet oder den QR-Code scannt, kann den Bericht lesen und mitschreiben. "
                "Geben Sie jeden Link nur der Person, für die er bestimmt ist. "
                "Der Server sieht den Inhalt nie: alles wird auf den Geräten verschlüsselt."
            </p>
            <ul class="invitations">
                {move || {
                    links
                        .get()
                        .into_iter()
                        .map(|(role, url)| view! { <InvitationCard role=role url=url /> })
                        .collect_view()
                }}
            </ul>
            <div class="confirm-actions">
                <button class="button primary" autofocus on:click=close>
                    "Fertig"
                </button>
            </div>
        </dialog>
    }
}

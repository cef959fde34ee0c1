//! "Teilen": puts the report into a room on the relay and shows an invitation per role.

use std::rc::Rc;

use dreieck_model::Role;
use leptos::html::Dialog;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::{use_editor, Editor};
use crate::state::platform::now_ms;
use crate::sync::invitation::Invitation;
use crate::sync::shared::{self, Shared};
use crate::views::invitation_card::InvitationCard;
use crate::views::members_list::MembersList;
use dreieck::storage::settings;
use dreieck_model::{ModelError, ParticipantKey};

/// The invitation links of the report, one per role this device may invite to (`None` while
/// it is not shared).
///
/// In a protected report each link carries the secret of an invitation for its role: the
/// first time, the invitation is granted in the report (signed by this device's key for a
/// role that may invite), so it reaches the other devices like any edit. The joining device
/// enrols its own key with it and then writes in that role only.
fn invitations(editor: Editor, report_id: &str) -> Option<Vec<(Role, String)>> {
    let shared = shared::load(report_id)?;
    let location = window().location();
    let base = format!("{}{}", location.origin().ok()?, location.pathname().ok()?);
    let protected = editor.read(|r| r.is_protected()).unwrap_or(false);
    Some(
        Role::ALL
            .into_iter()
            .filter_map(|role| {
                let secret = if protected {
                    Some(invitation_secret(editor, report_id, role)?)
                } else {
                    None
                };
                let inv = Invitation {
                    report_id: report_id.to_string(),
                    room: shared.room,
                    key: shared.key,
                    role,
                    secret,
                };
                Some((role, format!("{base}{}", inv.fragment())))
            })
            .collect(),
    )
}

/// The secret of this device's invitation for `role`, granted in the report if it is not yet;
/// `None` when this device may not invite to that role.
fn invitation_secret(editor: Editor, report_id: &str, role: Role) -> Option<[u8; 32]> {
    let seed = settings::invitation_seed(report_id, role.as_str()).ok()?;
    let key = ParticipantKey::from_seed(&seed);
    let granted = std::rc::Rc::new(std::cell::Cell::new(false));
    let done = granted.clone();
    let now = now_ms() as i64;
    editor.change(move |r| {
        r.set_now_ms(now);
        match r.ensure_invitation(role, &key, now) {
            Ok(_) => {
                done.set(true);
                Ok(())
            }
            // Not this device's to invite: no link for the role.
            Err(ModelError::Membership(_)) => Ok(()),
            Err(e) => Err(e),
        }
    });
    granted.get().then_some(seed)
}

#[component]
pub fn ShareButton() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let dialog = NodeRef::<Dialog>::new();
    let links = RwSignal::new(Vec::<(Role, String)>::new());
    // The member list verifies every membership record: only while the dialog is open, not
    // on every keystroke of everybody.
    let showing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let open = move |_| {
        let id = editor.id();
        if shared::load(&id).is_none() {
            let role = app.role;
            let result = Shared::fresh()
                .and_then(|s| editor.share(s, Rc::new(move || role.get_untracked())));
            if let Err(e) = result {
                error.set(Some(format!("Teilen ist nicht möglich: {e}")));
                return;
            }
        }
        error.set(None);
        links.set(invitations(editor, &id).unwrap_or_default());
        showing.set(true);
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
        <dialog
            node_ref=dialog
            class="share-dialog"
            aria-labelledby="teilen-titel"
            on:close=move |_| showing.set(false)
        >
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
            {move || showing.get().then(|| view! { <MembersList /> })}
            <div class="confirm-actions">
                <button class="button primary" autofocus on:click=close>
                    "Fertig"
                </button>
            </div>
        </dialog>
    }
}

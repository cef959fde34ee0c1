//! "Teilen": puts the report into a room on the relay and shows an invitation per role.

use std::rc::Rc;

use dreieck_model::Role;
use dreieck_texts::{fill, Texts};
use leptos::html::Dialog;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::doorkeeper::use_doorkeeper;
use crate::state::editor::{use_editor, Editor};
use crate::state::platform::{fill_random, now_ms};
use crate::sync::invitation::{Access, Invitation};
use crate::sync::open_invites::{self, OpenInvite};
use crate::sync::shared::{self, Shared};
use crate::views::invitation_card::InvitationCard;
use crate::views::members_list::MembersList;
use crate::views::role_select::role_name;
use dreieck_model::trust::InvitationSecret;
use dreieck_model::ModelError;

/// How long a person's invitation can be used.
/// (The dialog's texts name the 14 days.)
const INVITATION_DAYS: i64 = 14;

/// The dialog's texts, in Leichte Sprache with `plain` (a sentence a line there).
struct Wording {
    intro: &'static str,
    nobody: &'static str,
    role: &'static str,
    name: &'static str,
    create: &'static str,
}

fn wording(t: &'static Texts) -> Wording {
    Wording {
        intro: t.share_intro,
        nobody: t.share_nobody,
        role: t.share_role,
        name: t.share_name,
        create: t.share_create,
    }
}

/// One invitation made in this dialog: for whom, and the link that carries it.
#[derive(Clone, PartialEq)]
struct Made {
    role: Role,
    name: String,
    url: String,
    expires_ms: Option<i64>,
}

/// Makes the invitation link for one person in `role` (`None` with the reason in German).
///
/// In a protected report the invitation is granted in the report for one device and
/// [`INVITATION_DAYS`] (signed by this device's key for a role that may invite), so every
/// device lists it; the link carries only its secret. This device keeps the secret and
/// admits the first device that asks with it ([`Doorkeeper`]), which then writes in that role
/// only. A report from before membership has no invitations: its link carries the room and
/// key.
fn invite(editor: Editor, report_id: &str, role: Role, name: &str) -> Result<Made, String> {
    let t = use_app().texts_now();
    let shared = shared::load(report_id).ok_or(t.share_not_shared)?;
    let location = window().location();
    let base = format!(
        "{}{}",
        location.origin().map_err(|_| t.share_no_address)?,
        location.pathname().map_err(|_| t.share_no_address)?
    );
    let protected = editor.read(|r| r.is_protected()).unwrap_or(false);
    let now = now_ms() as i64;
    let expires_ms = now + INVITATION_DAYS * 24 * 60 * 60 * 1000;
    let access = if protected {
        let doorkeeper = use_doorkeeper().ok_or(t.share_not_here)?;
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes)?;
        let secret = InvitationSecret::from_bytes(bytes);
        // What the model said: the inviting member's key, or why nobody was invited.
        let outcome = std::rc::Rc::new(std::cell::RefCell::new(None::<Result<[u8; 32], String>>));
        let said = outcome.clone();
        let name = name.to_string();
        let granted = secret.clone();
        editor.change(move |r| {
            r.set_now_ms(now);
            match r.invite(role, &name, &granted, now, expires_ms) {
                Ok(inviter) => {
                    *said.borrow_mut() = Some(Ok(inviter));
                    Ok(())
                }
                // Said here, in the dialog, not as a failed edit.
                Err(ModelError::Membership(why)) => {
                    *said.borrow_mut() = Some(Err(why));
                    Ok(())
                }
                Err(e) => Err(e),
            }
        });
        let said = outcome.borrow_mut().take();
        let inviter = match said {
            Some(Ok(inviter)) => inviter,
            Some(Err(why)) => return Err(why),
            None => return Err(t.share_not_saved.to_string()),
        };
        let open = OpenInvite {
            report_id: report_id.to_string(),
            secret: bytes,
            expires_ms,
            admitted: Vec::new(),
        };
        open_invites::add(open.clone(), now)?;
        doorkeeper.watch(open);
        Access::Ask { secret, inviter }
    } else {
        Access::Room {
            room: shared.room,
            key: shared.key,
        }
    };
    let inv = Invitation {
        report_id: report_id.to_string(),
        role,
        access,
    };
    Ok(Made {
        role,
        name: name.trim().to_string(),
        url: format!("{base}{}", inv.fragment()),
        expires_ms: protected.then_some(expires_ms),
    })
}

#[component]
pub fn ShareButton() -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let dialog = NodeRef::<Dialog>::new();
    // The invitations made since the dialog opened (their secrets are nowhere else).
    let made = RwSignal::new(Vec::<Made>::new());
    let roles = RwSignal::new(Vec::<Role>::new());
    let role = RwSignal::new(None::<Role>);
    let name = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
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
                error.set(Some(fill(app.texts_now().share_failed, &e.to_string())));
                return;
            }
        }
        error.set(None);
        form_error.set(None);
        made.set(Vec::new());
        let invitable = editor
            .read(|r| {
                if r.is_protected() {
                    r.invitable_roles()
                } else {
                    Role::ALL.to_vec()
                }
            })
            .unwrap_or_default();
        role.set(invitable.first().copied());
        roles.set(invitable);
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
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(r) = role.get_untracked() else {
            return;
        };
        match invite(editor, &editor.id(), r, &name.get_untracked()) {
            Ok(m) => {
                form_error.set(None);
                name.set(String::new());
                made.update(|v| v.push(m));
            }
            Err(why) => form_error.set(Some(why)),
        }
    };

    view! {
        <button id="teilen" class="button" on:click=open>
            {move || app.texts().share_button}
        </button>
        {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
        <dialog
            node_ref=dialog
            class="share-dialog"
            aria-labelledby="teilen-titel"
            on:close=move |_| showing.set(false)
        >
            <h2 id="teilen-titel">{move || app.texts().share_title}</h2>
            {move || {
                wording(app.texts())
                    .intro
                    .lines().map(|line| view! { <p>{line}</p> })
                    .collect_view()
            }}
            {move || {
                let list = roles.get();
                let words = wording(app.texts());
                if list.is_empty() {
                    return view! {
                        <div class="invite-none">
                            {words.nobody.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
                        </div>
                    }
                        .into_any();
                }
                view! {
                    <form class="invite-form" on:submit=submit>
                        <div class="field">
                            <label for="einladen-rolle">{words.role}</label>
                            <select
                                id="einladen-rolle"
                                class="control"
                                on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)))
                            >
                                {list
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <option value=r.as_str() selected=move || role.get() == Some(r)>
                                                {role_name(app.texts(), r)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="einladen-name">{words.name}</label>
                            <input
                                id="einladen-name"
                                class="control"
                                type="text"
                                autocomplete="off"
                                maxlength="200"
                                prop:value=move || name.get()
                                on:input=move |ev| name.set(event_target_value(&ev))
                            />
                        </div>
                        <button class="button" type="submit">{words.create}</button>
                        {move || form_error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
                    </form>
                }
                    .into_any()
            }}
            <ul class="invitations" aria-live="polite">
                {move || {
                    made.get()
                        .into_iter()
                        .map(|m| {
                            let until = m.expires_ms.map(|ms| until_label(app.texts(), ms));
                            view! { <InvitationCard role=m.role name=m.name url=m.url until=until /> }
                        })
                        .collect_view()
                }}
            </ul>
            {move || showing.get().then(|| view! { <MembersList /> })}
            <div class="confirm-actions">
                <button class="button primary" autofocus on:click=close>
                    {move || app.texts().done}
                </button>
            </div>
        </dialog>
    }
}

/// "gilt bis 18.12.2026 für ein Gerät" for an expiry in ms since the epoch.
fn until_label(t: &'static Texts, ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let day = format!(
        "{:02}.{:02}.{}",
        date.get_date(),
        date.get_month() + 1,
        date.get_full_year()
    );
    fill(t.share_until, &day)
}

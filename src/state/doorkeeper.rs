//! The inviting side of joining by link: while the app is open, this device listens in the
//! rendezvous room of every invitation it made and answers each device that asks.
//!
//! It answers only after it has caught up with the room (a device answered before finds its
//! answer there and is not answered twice), from the report as stored on this device, by its
//! own clock and its own count of admitted devices (`crate::sync::open_invites`), which is
//! written before the answer leaves. The decision itself is the model's
//! (`Report::decide_join`); nothing a joining device claims is taken for granted.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use dreieck::storage::ReportStore;
use dreieck_model::trust::{Decision, JoinMessage, JoinReply, JoinRequest, RoomKeys};
use dreieck_model::Report;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::device_keys::give_keys;
use crate::state::platform::{fill_random, now_ms};
use crate::sync::open_invites::{self, OpenInvite};
use crate::sync::rendezvous::Rendezvous;
use crate::sync::shared;

/// The app-wide doorkeeper (a context).
#[derive(Clone, Copy)]
pub struct Doorkeeper {
    store: StoredValue<ReportStore, LocalStorage>,
    /// The owner every listening effect belongs to: the app's, not the view's that made the
    /// invitation (which may close long before anyone asks).
    owner: StoredValue<Owner, LocalStorage>,
    /// The invitations listened for, by secret.
    watching: StoredValue<Vec<([u8; 32], Rendezvous)>, LocalStorage>,
}

impl Doorkeeper {
    /// Starts listening for every invitation this device still answers for.
    pub fn start(store: ReportStore) -> Doorkeeper {
        let keeper = Doorkeeper {
            store: StoredValue::new_local(store),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
            watching: StoredValue::new_local(Vec::new()),
        };
        for invite in open_invites::load() {
            keeper.watch(invite);
        }
        keeper
    }

    /// Listens for `invite` (once per invitation).
    pub fn watch(self, invite: OpenInvite) {
        if self
            .watching
            .with_value(|w| w.iter().any(|(s, _)| *s == invite.secret))
        {
            return;
        }
        let rendezvous = Rendezvous::open(&invite.report_id, &invite.secret(), None);
        self.watching
            .update_value(|w| w.push((invite.secret, rendezvous.clone())));
        let store = self.store;
        // Devices answered (seen in the room, or answered now) and being answered.
        let done: Rc<RefCell<HashSet<[u8; 32]>>> = Rc::default();
        self.owner.with_value(|owner| {
            owner.with(|| {
                Effect::new(move |_| {
                    rendezvous.revision();
                    rendezvous.link.status.track();
                    if !rendezvous.link.caught_up() {
                        return;
                    }
                    let messages = rendezvous.messages();
                    let mut done_now = done.borrow_mut();
                    for m in &messages {
                        if let JoinMessage::Reply(r) = m {
                            done_now.insert(*r.to());
                        }
                    }
                    for m in messages {
                        let JoinMessage::Request(request) = m else {
                            continue;
                        };
                        if !done_now.insert(request.device) {
                            continue;
                        }
                        let Some(store) = store.try_get_value() else {
                            return;
                        };
                        let (invite, rendezvous) = (invite.clone(), rendezvous.clone());
                        spawn_local(async move {
                            if let Err(e) = answer(&store, &invite, &request, &rendezvous).await {
                                // Names no person and no content: the request is answered
                                // again after a reload.
                                leptos::logging::warn!("invitation: not answered: {e}");
                            }
                        });
                    }
                });
            })
        });
    }
}

/// Decides on one request and posts the answer.
async fn answer(
    store: &ReportStore,
    invite: &OpenInvite,
    request: &JoinRequest,
    rendezvous: &Rendezvous,
) -> Result<(), String> {
    let bytes = store
        .load(&invite.report_id)
        .await
        .map_err(|e| e.to_string())?;
    let mut report = Report::load(&bytes).map_err(|e| e.to_string())?;
    give_keys(&mut report);
    let shared = shared::load(&invite.report_id).ok_or("the report is not shared")?;
    let room = RoomKeys {
        room: shared.room,
        key: shared.key,
    };
    // The count as stored now: another tab of this device may have admitted meanwhile.
    let admitted = open_invites::find(&invite.secret)
        .map(|i| i.admitted)
        .unwrap_or_default();
    let secret = invite.secret();
    let reply = match report.decide_join(&secret, request, &admitted, now_ms() as i64, &room) {
        Decision::Ignore => return Ok(()),
        Decision::Decline(_, refusal) => refusal,
        Decision::Admit(grant) => {
            open_invites::admit(&invite.secret, request.device)?;
            let mut ephemeral = [0u8; 32];
            fill_random(&mut ephemeral)?;
            JoinReply::grant(&report.id(), &grant, ephemeral)
                .ok_or("the key cannot be sealed to")?
        }
    };
    rendezvous.post(&reply.encode());
    Ok(())
}

pub fn use_doorkeeper() -> Option<Doorkeeper> {
    use_context::<Doorkeeper>()
}

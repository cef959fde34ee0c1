//! Joining a shared report by invitation, on a device that does not have it yet.
//!
//! A protected report's link names no room: the device first asks the inviting device in the
//! invitation's rendezvous room ([`ask`]) and is told the room and given its membership
//! there. Then it connects to the room with an empty document, gathers what the relay sends
//! (snapshot and log entries, as Automerge chunks), and as soon as it has everything the room
//! held at admission and the bytes load as the invited report, stores it like a new report.
//! From then on it is an ordinary shared report: the editor opens it and keeps it in sync.
//!
//! A link for a report the device already has is followed without asking only when it names
//! the room and key the device uses already ([`Fit::Same`]). Anyone who knows the report's id
//! can make a link with a room and key of their own, and using it would upload the whole
//! history there; so any other link is used only after the person chose to ([`adopt`]).

use std::cell::RefCell;
use std::rc::Rc;

use automerge::ChangeHash;
use dreieck::storage::ReportStore;
use dreieck_model::trust::{
    Declined, InvitationSecret, JoinGrant, JoinMessage, JoinRequest, SignedChanges,
};
use dreieck_model::{live, Report, Role};
use leptos::prelude::*;

use crate::state::device_keys::device_key;
use crate::state::platform::now_ms;
use crate::state::summary::{summary_of, title_field};
use crate::sync::invitation::{Access, Fit, Invitation};
use crate::sync::link::{Link, LinkedDoc};
use crate::sync::rendezvous::Rendezvous;
use crate::sync::shared::{self, Shared};

/// The bytes received so far; `revision` moves with each chunk.
pub struct Gathered {
    bytes: RefCell<Vec<u8>>,
    /// The relay said the room was deleted for everyone (it holds nothing more to gather).
    purged: std::cell::Cell<bool>,
    pub revision: ArcRwSignal<u64>,
}

impl LinkedDoc for Gathered {
    fn apply(&self, payload: &[u8]) -> Result<(), String> {
        // Concatenated Automerge chunks load as one document; damaged ones fail in `try_load`.
        let decoded = live::decode(payload).map_err(|e| e.to_string())?;
        self.bytes
            .borrow_mut()
            .extend_from_slice(&decoded.automerge_bytes());
        self.revision.update(|r| *r += 1);
        Ok(())
    }

    // A device that is still joining has written nothing of its own to send.
    fn save(&self) -> Option<Vec<u8>> {
        None
    }

    fn save_after(&self, _heads: &[ChangeHash]) -> Option<Vec<u8>> {
        None
    }

    fn heads(&self) -> Option<Vec<ChangeHash>> {
        None
    }

    // A device without the report cannot check who signed the deletion (it has no member
    // list), and need not: it drops nothing. It only stops waiting for what will not come.
    fn purged(&self, _record: &[u8]) {
        self.purged.set(true);
        self.revision.update(|r| *r += 1);
    }
}

impl Gathered {
    /// The invited report from the gathered bytes, or why they are not it (in German).
    ///
    /// A protected report is taken in through the gate (`Report::from_signed`): its creation
    /// must be its owner's, the owner's key must give the invited id, and every change must
    /// pass. A report from before membership loads as it is.
    /// `None` while nothing arrived: the inviting device may not have uploaded the report yet.
    fn try_load(&self, report_id: &str) -> Option<Result<Report, String>> {
        let bytes = self.bytes.borrow();
        if bytes.is_empty() {
            return None;
        }
        if SignedChanges::looks_like(&bytes) {
            let Ok(bundles) = SignedChanges::decode_all(&bytes) else {
                return Some(Err("Die empfangenen Daten sind beschädigt.".into()));
            };
            return Some(
                Report::from_signed(&bundles, report_id)
                    .map(|(report, _)| report)
                    .map_err(|e| e.to_string()),
            );
        }
        Some(match Report::load(&bytes) {
            Ok(r) if r.id() == report_id && !r.is_protected() => Ok(r),
            Ok(_) => Err("Unter diesem Link liegt ein anderer Bericht.".into()),
            Err(e) => Err(e.to_string()),
        })
    }
}

/// A join in progress.
pub struct Joining {
    pub report_id: String,
    pub role: Role,
    shared: Shared,
    /// The membership the inviting device granted (a protected report).
    grant: Option<JoinGrant>,
    pub link: Link,
    pub gathered: Rc<Gathered>,
}

/// Whether this device already has the invited report (then the invitation only connects it).
pub async fn already_here(store: &ReportStore, invitation: &Invitation) -> Result<bool, String> {
    let ids = store.ids().await.map_err(|e| e.to_string())?;
    Ok(ids.contains(&invitation.report_id))
}

/// How the invitation fits the room and key this device keeps for a report it already has.
pub fn fit(invitation: &Invitation) -> Fit {
    invitation.fit(shared::load(&invitation.report_id).as_ref())
}

/// Shares a report this device already has through the invitation's room and key, in place
/// of the ones it used (keeping what it knows about the relay when they are the same). Only
/// on the person's explicit choice: the whole report is uploaded to that room.
pub fn adopt(invitation: &Invitation) -> Result<(), String> {
    let id = &invitation.report_id;
    let Access::Room { room, key } = &invitation.access else {
        return Ok(());
    };
    match fit(invitation) {
        Fit::Same => Ok(()),
        Fit::NotShared | Fit::Different => shared::save(
            id,
            &Shared {
                room: *room,
                key: *key,
                acked_heads: Vec::new(),
            },
        ),
    }
}

/// The report moved after the link was made: its room holds the report as it was then, and
/// whatever this device wrote there would reach nobody.
pub const OUTDATED: &str = "Diese Einladung ist veraltet: Der Bericht ist inzwischen umgezogen, \
     weil jemand entfernt wurde. Bitte lassen Sie sich einen neuen Link geben.";

/// The relay holds the report no more: it was deleted for everyone.
pub const DELETED: &str = "Dieser Bericht wurde für alle gelöscht: Der Server hat nur noch \
     den Vermerk darüber.";

/// The invitation a device gives itself to fetch back a report it took off itself
/// (`kept_reports`): the room and key it kept, in the role it works in now.
pub fn kept_invitation(report_id: &str, role: Role) -> Result<Invitation, String> {
    let kept = shared::load(report_id).ok_or_else(|| {
        "Dieses Gerät kennt den Weg zu diesem Bericht nicht mehr. Bitte lassen Sie sich neu \
         einladen."
            .to_string()
    })?;
    Ok(Invitation {
        report_id: report_id.to_string(),
        role,
        access: Access::Room {
            room: kept.room,
            key: kept.key,
        },
    })
}

/// What the inviting device answered this device, once it has.
pub enum Answer {
    Admitted(Box<JoinGrant>),
    Declined(Declined),
}

/// Asks the inviting device for admission: posts this device's request (its own key for the
/// invited role, signed) in the invitation's rendezvous room.
pub fn ask(invitation: &Invitation, secret: &InvitationSecret) -> Result<Rendezvous, String> {
    let own = device_key(invitation.role)?;
    let request = JoinRequest::sign(&invitation.report_id, secret, &own);
    Ok(Rendezvous::open(
        &invitation.report_id,
        secret,
        Some(request.encode()),
    ))
}

/// The inviting device's answer to this device among what the rendezvous heard: the latest
/// signed by the member the link names. Anybody holding the link can post there; a grant for
/// another device, one that does not open, or any answer from someone else is no answer.
pub fn answer(invitation: &Invitation, rendezvous: &Rendezvous) -> Option<Answer> {
    let Access::Ask { secret, inviter } = &invitation.access else {
        return None;
    };
    let own = device_key(invitation.role).ok()?;
    let me = own.public_key();
    let id = &invitation.report_id;
    rendezvous.messages().iter().rev().find_map(|m| match m {
        JoinMessage::Reply(reply) => reply
            .declined(id, secret, inviter, &me)
            .map(Answer::Declined)
            .or_else(|| {
                reply
                    .open(id, secret, inviter, &own)
                    .map(|grant| Answer::Admitted(Box::new(grant)))
            }),
        JoinMessage::Request(_) => None,
    })
}

/// Connects to the report's room with nothing but an empty document: the room of a link
/// from before membership, or the one the inviting device named in `grant`.
pub fn start(
    invitation: &Invitation,
    grant: Option<JoinGrant>,
    role: Rc<dyn Fn() -> Role>,
) -> Option<Joining> {
    let (room, key) = match (&invitation.access, &grant) {
        (_, Some(g)) => (g.room.room, g.room.key),
        (Access::Room { room, key }, None) => (*room, *key),
        (Access::Ask { .. }, None) => return None,
    };
    let gathered = Rc::new(Gathered {
        bytes: RefCell::new(Vec::new()),
        purged: std::cell::Cell::new(false),
        revision: ArcRwSignal::new(0),
    });
    let shared = Shared {
        room,
        key,
        acked_heads: Vec::new(),
    };
    let doc: Rc<dyn LinkedDoc> = gathered.clone();
    let link = Link::start(&invitation.report_id, shared.clone(), doc, role, false);
    Some(Joining {
        report_id: invitation.report_id.clone(),
        role: invitation.role,
        shared,
        grant,
        link,
        gathered,
    })
}

impl Joining {
    /// Once the link has everything the room held: the invited report, or why what arrived
    /// is not it (a room that holds another report, or one the gate refuses). `None` while
    /// still gathering.
    pub fn ready(&self) -> Option<Result<Report, String>> {
        if self.gathered.purged.get() {
            return Some(Err(DELETED.into()));
        }
        if !self.link.caught_up() {
            return None;
        }
        self.gathered.try_load(&self.report_id)
    }

    /// Stores the report and the room for it, and ends the joining link (the editor opens its
    /// own). Everything in it came from the relay, so its heads are what the relay holds.
    ///
    /// Admitted by the inviting device, the device first writes its membership (its first
    /// change in the report); that change is not at the relay yet, so the heads remembered as
    /// the relay's are the ones before it, and the editor's link uploads it.
    pub async fn finish(self, store: &ReportStore, mut report: Report) -> Result<String, String> {
        let id = self.report_id.clone();
        if report
            .room_move()
            .is_some_and(|m| !m.leads_to(&self.shared.room))
        {
            self.link.close();
            return Err(OUTDATED.into());
        }
        let relay_heads = report.heads();
        if let Some(grant) = &self.grant {
            let own = device_key(self.role)?;
            report.set_now_ms(now_ms() as i64);
            report.join(grant, own).map_err(|e| e.to_string())?;
        }
        let title = title_field(report.template());
        let summary = summary_of(&report, title.as_deref(), now_ms());
        let bytes = report.save();
        store
            .compact(&id, &bytes, &summary)
            .await
            .map_err(|e| e.to_string())?;
        shared::save(
            &id,
            &Shared {
                acked_heads: relay_heads,
                ..self.shared.clone()
            },
        )?;
        self.link.close();
        Ok(id)
    }
}

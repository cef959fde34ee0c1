//! Joining a shared report by invitation, on a device that does not have it yet.
//!
//! The device connects to the room with an empty document, gathers what the relay sends
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
use dreieck_model::trust::SignedChanges;
use dreieck_model::{live, ParticipantKey, Report, Role};
use leptos::prelude::*;

use crate::state::device_keys::device_key;
use crate::state::platform::now_ms;
use crate::state::summary::{summary_of, title_field};
use crate::sync::invitation::{Fit, Invitation};
use crate::sync::link::{Link, LinkedDoc};
use crate::sync::shared::{self, Shared};

/// The bytes received so far; `revision` moves with each chunk.
pub struct Gathered {
    bytes: RefCell<Vec<u8>>,
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
    pub invitation: Invitation,
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
    match fit(invitation) {
        Fit::Same => Ok(()),
        Fit::NotShared | Fit::Different => shared::save(
            id,
            &Shared {
                room: invitation.room,
                key: invitation.key,
                acked_heads: Vec::new(),
            },
        ),
    }
}

/// The report moved after the link was made: its room holds the report as it was then, and
/// whatever this device wrote there would reach nobody.
pub const OUTDATED: &str = "Diese Einladung ist veraltet: Der Bericht ist inzwischen umgezogen, \
     weil jemand entfernt wurde. Bitte lassen Sie sich einen neuen Link geben.";

/// Connects to the invitation's room with nothing but an empty document.
pub fn start(invitation: Invitation, role: Rc<dyn Fn() -> Role>) -> Joining {
    let gathered = Rc::new(Gathered {
        bytes: RefCell::new(Vec::new()),
        revision: ArcRwSignal::new(0),
    });
    let shared = Shared {
        room: invitation.room,
        key: invitation.key,
        acked_heads: Vec::new(),
    };
    let doc: Rc<dyn LinkedDoc> = gathered.clone();
    let link = Link::start(&invitation.report_id, shared, doc, role, false);
    Joining {
        invitation,
        link,
        gathered,
    }
}

impl Joining {
    /// Once the link has everything the room held: the invited report, or why what arrived
    /// is not it (a room that holds another report, or one the gate refuses). `None` while
    /// still gathering.
    pub fn ready(&self) -> Option<Result<Report, String>> {
        if !self.link.caught_up() {
            return None;
        }
        self.gathered.try_load(&self.invitation.report_id)
    }

    /// Stores the report and the room for it, and ends the joining link (the editor opens its
    /// own). Everything in it came from the relay, so its heads are what the relay holds.
    ///
    /// With an invitation secret the device first enrols its own key for the invited role
    /// (its first change in the report); that change is not at the relay yet, so the heads
    /// remembered as the relay's are the ones before it, and the editor's link uploads it.
    pub async fn finish(self, store: &ReportStore, mut report: Report) -> Result<String, String> {
        let id = self.invitation.report_id.clone();
        if report
            .room_move()
            .is_some_and(|m| !m.leads_to(&self.invitation.room))
        {
            self.link.close();
            return Err(OUTDATED.into());
        }
        let relay_heads = report.heads();
        if let Some(secret) = self.invitation.secret {
            let invitation = ParticipantKey::from_seed(&secret);
            let own = device_key(self.invitation.role)?;
            let now = now_ms() as i64;
            report.set_now_ms(now);
            report
                .enrol(&invitation, own, "", now)
                .map_err(|e| e.to_string())?;
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
                room: self.invitation.room,
                key: self.invitation.key,
                acked_heads: relay_heads,
            },
        )?;
        self.link.close();
        Ok(id)
    }
}

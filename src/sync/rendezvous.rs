//! An invitation's rendezvous room, from either side: the joining device posts its request
//! there, the inviting device its answer (see `dreieck_model::trust::admission`).
//!
//! The room and its key come from the invitation's secret, so the relay sees one more room
//! and sealed bytes, as in any other. Everything heard is kept in order; the side that uses
//! it reads it whenever [`Rendezvous::revision`] moves and the link has caught up.

use std::cell::RefCell;
use std::rc::Rc;

use automerge::ChangeHash;
use dreieck_model::live;
use dreieck_model::trust::{InvitationSecret, JoinMessage};
use dreieck_model::Role;
use leptos::prelude::*;

use crate::sync::link::{Link, LinkedDoc};
use crate::sync::shared::Shared;

/// The messages of the room as they arrived; what this side posts on connecting.
struct Heard {
    messages: RefCell<Vec<JoinMessage>>,
    revision: ArcRwSignal<u64>,
    first: Option<Vec<u8>>,
}

impl LinkedDoc for Heard {
    fn apply(&self, payload: &[u8]) -> Result<(), String> {
        let decoded = live::decode(payload).map_err(|e| e.to_string())?;
        let mut messages = self.messages.borrow_mut();
        // Anybody holding the link can post here: what does not read is skipped.
        messages.extend(
            decoded
                .changes()
                .iter()
                .filter_map(|(bytes, _)| JoinMessage::decode(bytes)),
        );
        drop(messages);
        self.revision.update(|r| *r += 1);
        Ok(())
    }

    fn save(&self) -> Option<Vec<u8>> {
        None
    }

    fn save_after(&self, _heads: &[ChangeHash]) -> Option<Vec<u8>> {
        self.first.clone()
    }

    fn heads(&self) -> Option<Vec<ChangeHash>> {
        None
    }
}

/// A connection to one invitation's rendezvous room.
#[derive(Clone)]
pub struct Rendezvous {
    pub link: Link,
    heard: Rc<Heard>,
}

impl Rendezvous {
    /// Connects to the rendezvous of `secret`; `first` is posted once connected (the joining
    /// device's request). `report_id` only names the link in this device's own state.
    pub fn open(report_id: &str, secret: &InvitationSecret, first: Option<Vec<u8>>) -> Rendezvous {
        let keys = secret.rendezvous();
        let heard = Rc::new(Heard {
            messages: RefCell::new(Vec::new()),
            revision: ArcRwSignal::new(0),
            first,
        });
        let shared = Shared {
            room: keys.room,
            key: keys.key,
            acked_heads: Vec::new(),
        };
        let doc: Rc<dyn LinkedDoc> = heard.clone();
        // Presence here would only tell link holders who else is waiting: none is sent as a
        // role of its own ("Meine Rolle" is the joining person's business).
        let link = Link::start(report_id, shared, doc, Rc::new(|| Role::Provider), false);
        Rendezvous { link, heard }
    }

    /// Moves with every message heard (tracked).
    pub fn revision(&self) -> u64 {
        self.heard.revision.get()
    }

    /// Everything heard so far, in order.
    pub fn messages(&self) -> Vec<JoinMessage> {
        self.heard.messages.borrow().clone()
    }

    /// Posts one message.
    pub fn post(&self, message: &[u8]) {
        self.link.local_change(message);
    }

    pub fn close(&self) {
        self.link.close();
    }
}

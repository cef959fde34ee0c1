//! A shared report's link to its room, and following the report when it moves to another
//! room (a member removed): the decisions are the model's (`dreieck_model::trust`), the
//! links and what is remembered in localStorage are here.

use std::rc::Rc;

use automerge::ChangeHash;
use dreieck_model::trust::RoomMove;
use dreieck_model::Role;
use leptos::prelude::*;

use super::{set_if_changed, Session};
use crate::state::platform::{fill_random, now_ms};
use crate::sync::link::{Link, LinkedDoc};
use crate::sync::moves_left;
use crate::sync::shared::{self, Shared};

impl Session {
    /// The relay connection, when the report is shared and shown.
    pub fn link(&self) -> Option<Link> {
        self.link.borrow().clone()
    }

    /// Connects a shared report (no-op when it is not shared or already connected).
    pub fn connect_if_shared(&self, role: Rc<dyn Fn() -> Role>) {
        if let Some(shared) = shared::load(&self.id()) {
            self.connect(shared, role);
        }
    }

    /// Shares the report: remembers `shared` and connects.
    pub fn share(&self, shared: Shared, role: Rc<dyn Fn() -> Role>) -> Result<(), String> {
        shared::save(&self.id(), &shared)?;
        self.connect(shared, role);
        Ok(())
    }

    pub(super) fn connect(&self, shared: Shared, role: Rc<dyn Fn() -> Role>) {
        if self.link.borrow().is_some() {
            return;
        }
        // The report may have moved while it was closed here (the move came in a file, or
        // the page closed before the link switched): `follow_room` moves the link, after the
        // old room holds the move when it was made here.
        let doc: Rc<dyn LinkedDoc> = Rc::new(self.downgrade());
        let link = Link::start(&self.id(), shared, doc, role, true);
        link.go_direct();
        *self.link.borrow_mut() = Some(link);
        self.link_revision.update(|r| *r += 1);
        self.follow_room();
    }

    /// Removes a participant and, when the report is shared, moves it to a new room and key
    /// in the same edit: both reach the other devices together, so none of them sees the
    /// removal without the move (and makes a move of its own meanwhile).
    pub fn remove_member(&self, as_role: Role, key: &[u8; 32]) {
        let next = match shared::load(&self.id()) {
            Some(_) => match fresh_move() {
                Ok(next) => Some(next),
                Err(e) => {
                    self.notice.set(Some(super::Notice {
                        standard: dreieck_texts::fill(
                            dreieck_texts::standard::STANDARD.notice_not_removed,
                            &e.to_string(),
                        ),
                        plain: dreieck_texts::fill(
                            dreieck_texts::plain::PLAIN.notice_not_removed,
                            &e.to_string(),
                        ),
                    }));
                    return;
                }
            },
            None => None,
        };
        self.edit(true, |r| {
            let now = now_ms() as i64;
            r.remove_member(as_role, key, now)?;
            if let Some((to, ephemeral)) = next {
                r.move_room(as_role, &to, ephemeral, now)?;
            }
            Ok(())
        });
    }

    /// Withdraws an invitation not used yet. Its link carries no room and no key (the
    /// inviting device admits through it), so nothing moves: the withdrawal reaches the other
    /// devices like any edit, and the inviting device admits nobody through it any more.
    pub fn withdraw_invitation(&self, as_role: Role, key: &[u8; 32]) {
        self.edit(true, |r| r.remove_member(as_role, key, now_ms() as i64));
    }

    /// Keeps a shared report in the room only its current members can open (see
    /// `dreieck_model::trust::room_move`). After a removal without a fresh move, a device that
    /// may move the report makes one. When the current move leads elsewhere, the link moves
    /// there: at once when the move came from another device (nothing more of this device's
    /// goes to the old room), after the old room holds it when it was made here (devices that
    /// are offline find it there). The new link uploads the whole report.
    pub(super) fn follow_room(&self) {
        let Some(link) = self.link() else {
            return;
        };
        // Only in step with the room: a device catching up may hold a removal whose move is
        // still on its way.
        let due_as = link
            .settled()
            .then(|| {
                let inner = self.inner.borrow();
                inner
                    .report
                    .room_move_due()
                    .then(|| inner.report.may_move_as())
                    .flatten()
            })
            .flatten();
        if let Some(role) = due_as {
            let Ok((to, ephemeral)) = fresh_move() else {
                return;
            };
            // `edit` follows the room again, and then the move is no longer due.
            self.edit(true, |r| r.move_room(role, &to, ephemeral, now_ms() as i64));
            return;
        }
        let moves = self.known_moves();
        let (target, made_here, known) = {
            let inner = self.inner.borrow();
            let current = inner.report.room_move_with(&moves);
            let mine: Vec<[u8; 32]> = inner.report.my_keys();
            let made_here = current.as_ref().is_some_and(|m| mine.contains(&m.by));
            let known = current.as_ref().map(|m| m.leads_to(&link.room()));
            (inner.report.room_target_with(&moves), made_here, known)
        };

        let Some(target) = target else {
            set_if_changed(&self.moved_away, known == Some(false));
            return;
        };
        if target.room == link.room() {
            self.tell_rooms_left_behind(&moves, &link);
            return;
        }
        if made_here && !link.settled() {
            let weak = self.downgrade();
            link.when_settled(Rc::new(move || {
                if let Some(session) = weak.upgrade() {
                    session.follow_room();
                }
            }));
            return;
        }
        let role = link.role_source();
        self.disconnect();
        let moved = Shared {
            room: target.room,
            key: target.key,
            acked_heads: Vec::new(),
        };
        if let Err(e) = self.share(moved, role) {
            leptos::logging::warn!("sync: new room not remembered: {e}");
        }
    }

    /// Moves that reached this device in other rooms ([`moves_left`]), as far as they are
    /// genuine for this report.
    pub(super) fn known_moves(&self) -> Vec<RoomMove> {
        let left = moves_left::load(&self.id());
        let inner = self.inner.borrow();
        left.known
            .iter()
            .filter_map(|bytes| inner.report.check_move(bytes))
            .collect()
    }

    /// Move records a peer left in this room: remembered when genuine, and followed.
    pub(super) fn take_moves(&self, records: &[Vec<u8>]) {
        let id = self.id();
        let mut left = moves_left::load(&id);
        let taken: Vec<Vec<u8>> = {
            let inner = self.inner.borrow();
            records
                .iter()
                .filter(|r| !left.known.contains(r) && inner.report.check_move(r).is_some())
                .cloned()
                .collect()
        };
        if taken.is_empty() {
            return;
        }
        left.known.extend(taken);
        // A member who may move could send any number: the latest few are enough.
        let excess = left.known.len().saturating_sub(MAX_KNOWN_MOVES);
        left.known.drain(..excess);
        // This room has the move already: it needs no telling.
        if let Some(link) = self.link() {
            if !left.told.contains(&link.room()) {
                left.told.push(link.room());
            }
        }
        if let Err(e) = moves_left::save(&id, &left) {
            leptos::logging::warn!("sync: move not remembered: {e}");
        }
        self.follow_room();
    }

    /// Leaves the current move in the rooms of the other moves this device can open, once
    /// each: devices that followed a move made at the same time as the current one wait there
    /// and would hear nothing more (`Report::rooms_left_behind`).
    pub(super) fn tell_rooms_left_behind(&self, moves: &[RoomMove], link: &Link) {
        let (rooms, current) = {
            let inner = self.inner.borrow();
            (
                inner.report.rooms_left_behind(moves),
                inner.report.room_move_with(moves),
            )
        };
        let Some(current) = current else { return };
        let id = self.id();
        let told = moves_left::load(&id).told;
        for room in rooms {
            let busy = self.telling.borrow().iter().any(|l| l.room() == room.room);
            if busy || told.contains(&room.room) || room.room == link.room() {
                continue;
            }
            let shared = Shared {
                room: room.room,
                key: room.key,
                acked_heads: Vec::new(),
            };
            let tell = Link::start(
                &id,
                shared,
                Rc::new(NothingToSend),
                link.role_source(),
                false,
            );
            tell.leave_move(&current.encode());
            self.telling.borrow_mut().push(tell.clone());
            let weak = self.downgrade();
            let (id, room) = (id.clone(), room.room);
            tell.when_settled(Rc::new(move || {
                let mut left = moves_left::load(&id);
                if !left.told.contains(&room) {
                    left.told.push(room);
                    if let Err(e) = moves_left::save(&id, &left) {
                        leptos::logging::warn!("sync: told room not remembered: {e}");
                    }
                }
                if let Some(session) = weak.upgrade() {
                    session.telling.borrow_mut().retain(|l| {
                        let done = l.room() == room;
                        if done {
                            l.close();
                        }
                        !done
                    });
                }
            }));
        }
    }

    pub(super) fn disconnect(&self) {
        for tell in self.telling.borrow_mut().drain(..) {
            tell.close();
        }
        let link = self.link.borrow_mut().take();
        if let Some(link) = link {
            link.close();
            self.link_revision.update(|r| *r += 1);
        }
    }
}

/// A link that only leaves a move in a room: it sends nothing of the report and takes
/// nothing in (the report is not in that room any more).
struct NothingToSend;

impl LinkedDoc for NothingToSend {
    fn apply(&self, _: &[u8]) -> Result<(), String> {
        Ok(())
    }

    fn save(&self) -> Option<Vec<u8>> {
        None
    }

    fn save_after(&self, _: &[ChangeHash]) -> Option<Vec<u8>> {
        None
    }

    fn heads(&self) -> Option<Vec<ChangeHash>> {
        None
    }
}

/// How many moves taken from other rooms a device remembers per report.
const MAX_KNOWN_MOVES: usize = 16;

/// A new room and key, and the ephemeral secret that seals them to the members.
fn fresh_move() -> Result<(dreieck_model::trust::RoomKeys, [u8; 32]), String> {
    let to = Shared::fresh()?;
    let mut ephemeral = [0u8; 32];
    fill_random(&mut ephemeral)?;
    Ok((
        dreieck_model::trust::RoomKeys {
            room: to.room,
            key: to.key,
        },
        ephemeral,
    ))
}

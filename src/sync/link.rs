//! One report's connection to the relay: the browser's side of [`LinkMachine`].
//!
//! Every decision (when to reconnect, when to make the relay's snapshot, when to remember the
//! acknowledged heads, when presence goes out, what the indicator says) is made by
//! `dreieck_session::link`. This module only carries those decisions out with a WebSocket,
//! the window's `online`/`offline` events, one `setTimeout` armed for the machine's next
//! deadline, the document and localStorage. Actions run in the task the event arrived in, so
//! a keystroke's frame goes out and a peer's change is applied without waiting for a timer.
//!
//! The document is reached through [`LinkedDoc`], so the same link serves an open report
//! (the editor's session) and a device that is joining and has no report yet.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use automerge::ChangeHash;
use dreieck_model::live::{self, Splice};
use dreieck_model::Role;
use dreieck_session::link::{Action, LinkMachine, Options, SaveFor};
use dreieck_session::status::SyncStatus;
use dreieck_sync::direct::Signal;
use dreieck_sync::envelope::DocumentKey;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::state::platform::{now_ms, random_id};
use crate::sync::direct::{Directs, Hooks};
use crate::sync::presence::{Beacon, Board};
use crate::sync::rng::{self, WebRng};
use crate::sync::shared::{self, Shared};
use crate::sync::socket::{relay_url, Socket, SocketEvent};
use crate::timer::Timer;

/// The document a link keeps in sync.
pub trait LinkedDoc {
    /// Applies a peer's changes; the German reason when they are refused.
    fn apply(&self, bytes: &[u8]) -> Result<(), String>;
    /// Like [`LinkedDoc::apply`], and whether anything in `bytes` was new here: what came
    /// new over a direct channel may have to be passed on to the relay (only a report says).
    fn apply_new(&self, bytes: &[u8]) -> Result<bool, String> {
        self.apply(bytes).map(|()| false)
    }
    /// A full save (`None` once the document is gone).
    fn save(&self) -> Option<Vec<u8>>;
    /// Every change not covered by `heads`.
    fn save_after(&self, heads: &[ChangeHash]) -> Option<Vec<u8>>;
    /// The current heads.
    fn heads(&self) -> Option<Vec<ChangeHash>>;
    /// The relay deleted the room for everyone and left `record` (hostile until checked):
    /// a report drops its copy if someone who may delete signed it.
    fn purged(&self, _record: &[u8]) {}
    /// The link is in sync with the relay again (after connecting or reconnecting): what the
    /// document tells the relay once per connection goes now.
    fn in_sync(&self) {}
}

struct Inner {
    machine: LinkMachine,
    report_id: String,
    shared: Shared,
    doc: Option<Rc<dyn LinkedDoc>>,
    socket: Option<Socket>,
    /// The one timeout, for the machine's next deadline (the one it is armed for).
    timer: Timer,
    armed_for: Option<f64>,
    online: Option<WindowListenerHandle>,
    offline: Option<WindowListenerHandle>,
    /// A random id per open editor, so two tabs of one person count twice.
    beacon_id: String,
    role: Rc<dyn Fn() -> Role>,
    /// Called once, the next time the relay holds every local change ([`Link::when_settled`]).
    on_settled: Option<Rc<dyn Fn()>>,
    /// Channels straight to the other devices in the room ([`Link::go_direct`]).
    directs: Option<Directs>,
}

/// A cheap handle; clones share the connection.
#[derive(Clone)]
pub struct Link {
    inner: Rc<RefCell<Inner>>,
    /// The indicator's state.
    pub status: ArcRwSignal<SyncStatus>,
    /// Who else is here.
    pub peers: ArcRwSignal<Board>,
}

/// What browser callbacks hold: they must not keep a link alive that its owner dropped.
#[derive(Clone)]
struct WeakLink {
    inner: Weak<RefCell<Inner>>,
    status: ArcRwSignal<SyncStatus>,
    peers: ArcRwSignal<Board>,
}

impl WeakLink {
    fn upgrade(&self) -> Option<Link> {
        Some(Link {
            inner: self.inner.upgrade()?,
            status: self.status.clone(),
            peers: self.peers.clone(),
        })
    }
}

impl Link {
    /// Starts syncing `doc` in the room of `shared`. Everything the relay is not known to hold
    /// (`save_after(acked_heads)`) is queued first, then the link connects. `role` is read
    /// whenever presence goes out (a shared tablet changes hands). `remember`: store the
    /// acknowledged heads for the next visit (see [`crate::sync::shared`]).
    pub fn start(
        report_id: &str,
        shared: Shared,
        doc: Rc<dyn LinkedDoc>,
        role: Rc<dyn Fn() -> Role>,
        remember: bool,
    ) -> Link {
        let options = Options {
            remember,
            ..Options::default()
        };
        Self::start_with(report_id, shared, doc, role, options)
    }

    /// A link that only learns whether the room was deleted (the check of closed reports):
    /// admitted, it asks the relay for nothing, so no byte of the report's log is fetched.
    pub fn probe(
        report_id: &str,
        shared: Shared,
        doc: Rc<dyn LinkedDoc>,
        role: Rc<dyn Fn() -> Role>,
    ) -> Link {
        let options = Options {
            probe: true,
            ..Options::default()
        };
        Self::start_with(report_id, shared, doc, role, options)
    }

    fn start_with(
        report_id: &str,
        shared: Shared,
        doc: Rc<dyn LinkedDoc>,
        role: Rc<dyn Fn() -> Role>,
        options: Options,
    ) -> Link {
        let options = Options {
            browser_online: browser_online(),
            ..options
        };
        let key = DocumentKey::from_bytes(shared.key);
        let machine = LinkMachine::new(shared.room, key, options, now_ms());
        let initial = doc.save_after(&shared.acked_heads).unwrap_or_default();
        let link = Link {
            status: ArcRwSignal::new(machine.status().clone()),
            inner: Rc::new(RefCell::new(Inner {
                machine,
                report_id: report_id.to_string(),
                shared,
                doc: Some(doc),
                socket: None,
                timer: Timer::default(),
                armed_for: None,
                online: None,
                offline: None,
                beacon_id: random_id().unwrap_or_default(),
                role,
                on_settled: None,
                directs: None,
            })),
            peers: ArcRwSignal::new(Board::default()),
        };
        if !rng::available() {
            let reason =
                "Dieser Browser bietet keine sicheren Zufallszahlen; Teilen ist nicht möglich.";
            link.drive(|m, now| m.refuse(reason, now));
            return link;
        }
        link.local_change(&initial);
        link.watch_network();
        link.drive(|m, now| m.start(now));
        link
    }

    /// Also connects directly to the other devices in the room while both are at the relay
    /// (see `crate::sync::direct`): keystrokes go the short way, and the channel carries on
    /// when the relay goes away. For an open report, not for joining or leaving a move.
    pub fn go_direct(&self) {
        if !dreieck::storage::settings::direct_allowed() {
            return;
        }
        let weak = self.downgrade();
        let hooks = Hooks {
            send_signal: {
                let weak = weak.clone();
                Rc::new(move |bytes: &[u8]| {
                    if let Some(link) = weak.upgrade() {
                        link.drive(|m, now| m.signal(bytes, now, &mut WebRng));
                    }
                })
            },
            presence: {
                let weak = weak.clone();
                Rc::new(move |bytes: Vec<u8>| {
                    if let (Some(link), Some(beacon)) = (weak.upgrade(), Beacon::decode(&bytes)) {
                        link.peers.update(|b| b.hear(beacon, now_ms()));
                    }
                })
            },
            changed: {
                let weak = weak.clone();
                Rc::new(move || {
                    if let Some(link) = weak.upgrade() {
                        let open = link.directs().map_or(0, |d| d.open_count());
                        link.drive(|m, now| m.direct(open, now));
                    }
                })
            },
            received: Rc::new(move |item: Vec<u8>| {
                if let Some(link) = weak.upgrade() {
                    link.direct_received(item);
                }
            }),
        };
        let directs = {
            let inner = self.inner.borrow();
            let Some(doc) = &inner.doc else { return };
            Directs::new(
                &inner.beacon_id,
                inner.shared.room,
                inner.shared.key,
                doc,
                hooks,
            )
        };
        self.inner.borrow_mut().directs = Some(directs);
    }

    /// The direct channels, when this link opens them (see [`Link::go_direct`]).
    pub fn directs(&self) -> Option<Directs> {
        self.inner.borrow().directs.clone()
    }

    /// A local edit's bytes (`save_incremental` of the edit): queued for the relay.
    pub fn local_change(&self, bytes: &[u8]) {
        self.send_item(bytes, None);
    }

    /// A keystroke's bytes with the splice it made, so peers in step can show it at once
    /// (see `dreieck_model::live`).
    pub fn local_typing(&self, bytes: &[u8], field_index: usize, splice: &Splice) {
        self.send_item(bytes, Some((field_index, splice)));
    }

    /// Leaves a room move record in this room (see `crate::sync::moves_left`).
    pub fn leave_move(&self, record: &[u8]) {
        let item = live::encode_move(record);
        self.drive(|m, now| m.local_record(&item, now, &mut WebRng));
    }

    fn send_item(&self, bytes: &[u8], splice: Option<(usize, &Splice)>) {
        if bytes.is_empty() {
            return;
        }
        let item = live::encode_item(bytes, splice);
        if let Some(directs) = self.directs() {
            directs.send_item(&item);
        }
        self.drive(|m, now| m.local_change(&item, now, &mut WebRng));
    }

    /// A full save the session made anyway (its compaction): answers a snapshot the relay is
    /// waiting for, so that no second save is needed.
    pub fn offer_save(&self, bytes: &[u8]) {
        self.drive(|m, now| m.offer_save(bytes, now, &mut WebRng));
    }

    /// The field this device is editing now (`None`: none), for the others' presence lists.
    pub fn set_focus(&self, field: Option<String>) {
        self.drive(|m, now| m.set_focus(field, now));
    }

    /// Asks the relay to delete the room for everyone, leaving `deletion`; `false` (nothing
    /// sent) without a live connection. The answer arrives as [`LinkedDoc::purged`].
    pub fn purge(&self, deletion: &[u8], rng: &mut WebRng) -> bool {
        let actions = self
            .inner
            .borrow_mut()
            .machine
            .purge(deletion, now_ms(), rng);
        match actions {
            Some(actions) => {
                self.run(actions);
                self.arm_timer();
                true
            }
            None => false,
        }
    }

    /// Tells the relay when the room's retention ends, with the deletion signed in advance
    /// (`None`: not any more); `false` (nothing sent) without a live connection.
    pub fn retain(&self, until: u64, deletion: Option<&[u8]>, rng: &mut WebRng) -> bool {
        let actions = self
            .inner
            .borrow_mut()
            .machine
            .retain(until, deletion, now_ms(), rng);
        match actions {
            Some(actions) => {
                self.run(actions);
                true
            }
            None => false,
        }
    }

    /// Ends the link: says goodbye to the others, closes the socket, stops all timers.
    pub fn close(&self) {
        self.drive(|m, now| m.close(now));
        let directs = self.inner.borrow_mut().directs.take();
        if let Some(directs) = directs {
            directs.close();
        }
        let mut inner = self.inner.borrow_mut();
        inner.doc = None;
        if let Some(l) = inner.online.take() {
            l.remove();
        }
        if let Some(l) = inner.offline.take() {
            l.remove();
        }
    }

    /// Whether the relay has admitted this device on the current connection.
    pub fn admitted(&self) -> bool {
        self.inner.borrow().machine.admitted()
    }

    /// Whether the link has applied everything the relay held when it admitted this device.
    pub fn caught_up(&self) -> bool {
        self.inner.borrow().machine.caught_up()
    }

    /// The room this link syncs in.
    pub fn room(&self) -> dreieck_sync::RoomId {
        self.inner.borrow().shared.room
    }

    /// Whether the relay holds every local change handed to this link.
    pub fn settled(&self) -> bool {
        self.inner.borrow().machine.settled()
    }

    /// Calls `f` once, as soon as the link is [`Link::settled`] (now, if it is).
    pub fn when_settled(&self, f: Rc<dyn Fn()>) {
        if self.settled() {
            f();
            return;
        }
        self.inner.borrow_mut().on_settled = Some(f);
        self.drive(|m, _| m.when_settled());
    }

    /// The role presence is sent with (handed on when the report moves to another room).
    pub fn role_source(&self) -> Rc<dyn Fn() -> Role> {
        self.inner.borrow().role.clone()
    }

    fn downgrade(&self) -> WeakLink {
        WeakLink {
            inner: Rc::downgrade(&self.inner),
            status: self.status.clone(),
            peers: self.peers.clone(),
        }
    }

    /// Hands an event to the machine (at the time it happened), carries out what it decided
    /// and re-arms the timer for its next deadline.
    fn drive(&self, event: impl FnOnce(&mut LinkMachine, f64) -> Vec<Action>) {
        let actions = event(&mut self.inner.borrow_mut().machine, now_ms());
        self.run(actions);
        self.arm_timer();
    }

    /// Carries out `actions` in order. The borrow is released for each: applying changes or
    /// a settled callback may call into this link again (a room move closes it), and what
    /// they do takes effect at once, so nothing is sent on a socket such a call let go.
    fn run(&self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::OpenSocket => self.connect(),
                Action::Send(frame) => {
                    if let Some(socket) = &self.inner.borrow().socket {
                        socket.send(&frame);
                    }
                }
                Action::CloseSocket => {
                    if let Some(socket) = &self.inner.borrow().socket {
                        socket.close();
                    }
                }
                Action::DropSocket => {
                    let socket = self.inner.borrow_mut().socket.take();
                    drop(socket);
                }
                Action::Apply(bytes) => {
                    if let Some(doc) = self.doc() {
                        if let Err(e) = doc.apply(&bytes) {
                            leptos::logging::warn!("sync: changes refused: {e}");
                        }
                    }
                    if self.inner.borrow().machine.forwarding() {
                        self.relayed_later(bytes);
                    }
                }
                Action::Presence(bytes) => {
                    if let Some(signal) = Signal::decode(&bytes) {
                        if let Some(directs) = self.directs() {
                            directs.signal(signal);
                        }
                    } else if let Some(beacon) = Beacon::decode(&bytes) {
                        if let (Some(directs), false) = (self.directs(), beacon.gone) {
                            directs.heard(&beacon.id);
                        }
                        self.peers.update(|b| b.hear(beacon, now_ms()));
                    }
                }
                Action::ClearPeers => {
                    if self.peers.with_untracked(|b| !b.peers.is_empty()) {
                        self.peers.update(Board::clear);
                    }
                }
                Action::ExpirePeers => self.peers.update(|b| {
                    b.expire(now_ms());
                }),
                Action::Beacon { field, gone } => {
                    let beacon = {
                        let inner = self.inner.borrow();
                        Beacon {
                            id: inner.beacon_id.clone(),
                            role: (inner.role)().as_str().to_string(),
                            field,
                            gone,
                        }
                    };
                    let bytes = beacon.encode();
                    if let Some(directs) = self.directs() {
                        directs.send_presence(&bytes);
                    }
                    self.drive(|m, now| m.beacon(&bytes, now, &mut WebRng));
                }
                Action::Save(SaveFor::Snapshot) => {
                    if let Some(bytes) = self.doc().and_then(|d| d.save()) {
                        self.drive(|m, now| m.snapshot(&bytes, now, &mut WebRng));
                    }
                }
                Action::Save(SaveFor::FullState) => {
                    if let Some(bytes) = self.doc().and_then(|d| d.save()) {
                        // Sent as an item: whatever is typed after it is appended to it.
                        let item = live::encode_item(&bytes, None);
                        self.drive(|m, now| m.full_state(item, now, &mut WebRng));
                    }
                }
                Action::RememberHeads => self.remember_heads(),
                Action::Purged(record) => {
                    if let Some(doc) = self.doc() {
                        doc.purged(&record);
                    }
                }
                Action::Settled => {
                    let f = self.inner.borrow_mut().on_settled.take();
                    if let Some(f) = f {
                        f();
                    }
                }
                Action::StatusChanged => {
                    let status = self.inner.borrow().machine.status().clone();
                    let was_synced = self
                        .status
                        .with_untracked(|s| s.state == dreieck_session::status::State::Synced);
                    let now_synced = status.state == dreieck_session::status::State::Synced;
                    self.status.set(status);
                    if now_synced && !was_synced {
                        if let Some(doc) = self.doc() {
                            doc.in_sync();
                        }
                    }
                }
                Action::Log(line) => leptos::logging::warn!("sync: {line}"),
            }
        }
    }

    fn doc(&self) -> Option<Rc<dyn LinkedDoc>> {
        self.inner.borrow().doc.clone()
    }

    /// Keeps one timeout armed for the machine's earliest deadline.
    fn arm_timer(&self) {
        let mut inner = self.inner.borrow_mut();
        let next = inner.machine.next_deadline();
        if next == inner.armed_for {
            return;
        }
        let Some(at) = next else {
            inner.timer.cancel();
            inner.armed_for = None;
            return;
        };
        let wait = (at - now_ms()).max(0.0).ceil() as u64;
        let weak = self.downgrade();
        let armed = inner.timer.arm(wait, move || {
            if let Some(link) = weak.upgrade() {
                {
                    let mut inner = link.inner.borrow_mut();
                    inner.timer.fired();
                    inner.armed_for = None;
                }
                link.drive(|m, now| m.tick(now, &mut WebRng));
            }
        });
        // Without a timer from the browser, the next event tries again.
        inner.armed_for = armed.then_some(at);
    }

    fn connect(&self) {
        let Some(url) = relay_url() else {
            self.drive(|m, now| m.refuse("Die Adresse des Servers ist unbekannt.", now));
            return;
        };
        let weak = self.downgrade();
        let on_event = move |event: SocketEvent| {
            if let Some(link) = weak.upgrade() {
                link.on_socket(event);
            }
        };
        match Socket::open(&url, on_event) {
            Ok(socket) => self.inner.borrow_mut().socket = Some(socket),
            Err(_) => self.drive(|m, now| m.closed(now, &mut WebRng)),
        }
    }

    fn on_socket(&self, event: SocketEvent) {
        match event {
            SocketEvent::Open => self.drive(|m, now| m.opened(now)),
            SocketEvent::Frame(frame) => self.drive(|m, now| m.frame(&frame, now, &mut WebRng)),
            SocketEvent::Closed => self.drive(|m, now| m.closed(now, &mut WebRng)),
        }
    }

    /// Changes that came new over a direct channel: passed on to the relay unless it brings
    /// them soon (see `dreieck_session::forward`). Their hashes are taken after the views
    /// showed them, not between a keystroke and its display.
    pub fn direct_received(&self, item: Vec<u8>) {
        let weak = self.downgrade();
        spawn_local(async move {
            let digests = live::change_hashes(&item);
            if let Some(link) = weak.upgrade() {
                link.drive(|m, now| {
                    m.direct_received(&item, digests, now);
                    Vec::new()
                });
            }
        });
    }

    /// The relay brought `bytes` while changes that came directly wait: those it holds need
    /// not be passed on. Taken after the views showed them, like [`Link::direct_received`].
    fn relayed_later(&self, bytes: Vec<u8>) {
        let weak = self.downgrade();
        spawn_local(async move {
            let digests = live::change_hashes(&bytes);
            if let Some(link) = weak.upgrade() {
                link.drive(|m, _| m.relayed(&digests));
            }
        });
    }

    /// Stores the document's heads for the next visit, unless they are stored already.
    fn remember_heads(&self) {
        let Some(heads) = self.doc().and_then(|d| d.heads()) else {
            return;
        };
        let (id, shared) = {
            let mut inner = self.inner.borrow_mut();
            if inner.shared.acked_heads == heads {
                return;
            }
            inner.shared.acked_heads = heads;
            (inner.report_id.clone(), inner.shared.clone())
        };
        if let Err(e) = shared::save(&id, &shared) {
            leptos::logging::warn!("sync: state not remembered: {e}");
        }
    }

    /// The browser's word on the network: reconnect at once when it is back, let the socket
    /// go when it is gone (a socket may take long to notice on its own).
    fn watch_network(&self) {
        let online = {
            let weak = self.downgrade();
            window_event_listener_untyped("online", move |_| {
                if let Some(link) = weak.upgrade() {
                    link.drive(|m, now| m.online(now));
                }
            })
        };
        let offline = {
            let weak = self.downgrade();
            window_event_listener_untyped("offline", move |_| {
                if let Some(link) = weak.upgrade() {
                    // No network, no direct channel either (a hotspot without internet still
                    // counts as a network): let them go now rather than when they time out.
                    if let Some(directs) = link.directs() {
                        directs.close();
                    }
                    link.drive(|m, now| m.offline(now, &mut WebRng));
                }
            })
        };
        let mut inner = self.inner.borrow_mut();
        inner.online = Some(online);
        inner.offline = Some(offline);
    }
}

/// Whether the browser believes it has a network (`navigator.onLine`); true when unknown.
pub fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

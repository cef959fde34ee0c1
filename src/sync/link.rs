//! One report's connection to the relay: the sync client, its socket, reconnecting, presence.
//!
//! The link drives [`dreieck_sync::client::Client`] with browser events and carries out what
//! it asks for. It never batches on a timer: a local change is handed to the client at once
//! (which sends it at once when nothing is in flight), and a peer's change is applied in the
//! same task its frame arrives in. Timers exist only for what is about time itself: waiting
//! before a reconnect (exponential backoff with jitter, cut short when the browser reports the
//! network back) and the presence heartbeat.
//!
//! The document is reached through [`LinkedDoc`], so the same link serves an open report
//! (the editor's session) and a device that is joining and has no report yet.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use std::time::Duration;

use automerge::ChangeHash;
use dreieck_model::live::{self, Splice};
use dreieck_model::Role;
use dreieck_sync::client::{Client, Config, Effect, Status};
use dreieck_sync::envelope::DocumentKey;
use leptos::prelude::*;

use crate::state::platform::{now_ms, random_id};
use crate::sync::presence::{Beacon, Board, HEARTBEAT_MS};
use crate::sync::rng::{self, WebRng};
use crate::sync::shared::{self, Shared};
use crate::sync::socket::{relay_url, Socket, SocketEvent};
use crate::sync::status::{relay_error, State, SyncStatus};
use crate::timer::Timer;

/// The document a link keeps in sync.
pub trait LinkedDoc {
    /// Applies a peer's changes; the German reason when they are refused.
    fn apply(&self, bytes: &[u8]) -> Result<(), String>;
    /// A full save (`None` once the document is gone).
    fn save(&self) -> Option<Vec<u8>>;
    /// Every change not covered by `heads`.
    fn save_after(&self, heads: &[ChangeHash]) -> Option<Vec<u8>>;
    /// The current heads.
    fn heads(&self) -> Option<Vec<ChangeHash>>;
}

/// A sealed full save goes to the relay after this many acknowledged appends, so it can drop
/// the log entries before it. Every snapshot costs a whole document on the wire; at 1,000 a
/// typical report's snapshot adds a few bytes per keystroke, and a device that reconnects
/// replays at most about 150 KB of entries after the last one.
const SNAPSHOT_EVERY: u64 = 1_000;

/// A snapshot is a full save: in a long report some 100 ms of main thread, which must not land
/// between two keystrokes. It waits for a pause in the typing (anyone's); the session's
/// compaction, after its own pause of 2 s, usually makes that save first and hands it over
/// ([`Link::offer_save`]), so one pause costs one save.
const SNAPSHOT_QUIET_MS: u64 = 2_500;

/// Longest wait between reconnect attempts.
const MAX_BACKOFF_MS: f64 = 15_000.0;
const FIRST_BACKOFF_MS: f64 = 300.0;

struct Inner {
    report_id: String,
    shared: Shared,
    client: Client,
    doc: Option<Rc<dyn LinkedDoc>>,
    socket: Option<Socket>,
    attempt: u32,
    retry: Timer,
    heartbeat: Option<IntervalHandle>,
    online: Option<WindowListenerHandle>,
    offline: Option<WindowListenerHandle>,
    me: Beacon,
    role: Rc<dyn Fn() -> Role>,
    closed: bool,
    refused: Option<String>,
    /// Whether acknowledged heads are remembered (a joining device has no report yet).
    remember: bool,
    /// Whether this device's presence went out since the connection became live.
    announced: bool,
    /// The relay's last complaint (shown until in sync again).
    notice: Option<String>,
    /// An acknowledgement came with the frame being handled.
    acked: bool,
    /// When the acknowledged heads were last remembered (ms), and the write waiting for
    /// [`REMEMBER_EVERY_MS`] to pass.
    remembered_ms: f64,
    remember_timer: Timer,
    /// The relay asked for a snapshot: it is made once nobody has typed for
    /// [`SNAPSHOT_QUIET_MS`] (re-armed by every change in either direction).
    snapshot_timer: Timer,
    /// Called once, the next time the relay holds every local change ([`Link::when_settled`]).
    on_settled: Option<Rc<dyn Fn()>>,
}

/// While acknowledgements stream in (someone typing), the acknowledged heads are written to
/// localStorage at most this often: a write per keystroke would sit between the keystrokes.
/// Heads remembered late only mean a few changes are sent again after a reload.
const REMEMBER_EVERY_MS: f64 = 2_000.0;

/// A cheap handle; clones share the connection.
#[derive(Clone)]
pub struct Link {
    inner: Rc<RefCell<Inner>>,
    /// The indicator's state.
    pub status: ArcRwSignal<SyncStatus>,
    /// Who else is here.
    pub peers: ArcRwSignal<Board>,
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
        let client = Client::new(
            shared.room,
            DocumentKey::from_bytes(shared.key),
            Config {
                snapshot_every: SNAPSHOT_EVERY,
            },
        );
        let initial = doc.save_after(&shared.acked_heads).unwrap_or_default();
        let link = Link {
            inner: Rc::new(RefCell::new(Inner {
                report_id: report_id.to_string(),
                shared,
                client,
                doc: Some(doc),
                socket: None,
                attempt: 0,
                retry: Timer::default(),
                heartbeat: None,
                online: None,
                offline: None,
                me: Beacon {
                    id: random_id().unwrap_or_default(),
                    role: String::new(),
                    field: None,
                    gone: false,
                },
                role,
                closed: false,
                refused: None,
                remember,
                announced: false,
                notice: None,
                acked: false,
                remembered_ms: f64::NEG_INFINITY,
                remember_timer: Timer::default(),
                snapshot_timer: Timer::default(),
                on_settled: None,
            })),
            status: ArcRwSignal::new(SyncStatus {
                state: State::Connecting,
                since_ms: now_ms(),
                waiting: 0,
                waiting_since_ms: None,
                notice: None,
            }),
            peers: ArcRwSignal::new(Board::default()),
        };
        if !rng::available() {
            link.refuse(
                "Dieser Browser bietet keine sicheren Zufallszahlen; Teilen ist nicht möglich.",
            );
            return link;
        }
        link.local_change(&initial);
        link.watch_network();
        link.connect();
        link
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
        let effects = {
            let mut inner = self.inner.borrow_mut();
            inner.client.on_local_change(&item, &mut WebRng)
        };
        self.run_or_log(effects);
    }

    fn send_item(&self, bytes: &[u8], splice: Option<(usize, &Splice)>) {
        if bytes.is_empty() {
            return;
        }
        let item = live::encode_item(bytes, splice);
        let effects = {
            let mut inner = self.inner.borrow_mut();
            inner.client.on_local_change(&item, &mut WebRng)
        };
        self.run_or_log(effects);
        self.snapshot_later();
    }

    /// A full save the session made anyway (its compaction): answers a snapshot the relay is
    /// waiting for, so that no second save is needed.
    pub fn offer_save(&self, bytes: &[u8]) {
        {
            let mut inner = self.inner.borrow_mut();
            if !inner.snapshot_timer.is_armed() {
                return;
            }
            inner.snapshot_timer.cancel();
        }
        self.send_snapshot(bytes);
    }

    /// Postpones a waiting snapshot: someone is typing.
    fn snapshot_later(&self) {
        if self.inner.borrow().snapshot_timer.is_armed() {
            self.snapshot_when_quiet();
        }
    }

    /// (Re-)arms the snapshot for the next pause of [`SNAPSHOT_QUIET_MS`].
    fn snapshot_when_quiet(&self) {
        let link = self.clone();
        self.inner
            .borrow_mut()
            .snapshot_timer
            .arm(SNAPSHOT_QUIET_MS, move || {
                let doc = {
                    let mut inner = link.inner.borrow_mut();
                    inner.snapshot_timer.fired();
                    inner.doc.clone()
                };
                if let Some(bytes) = doc.and_then(|d| d.save()) {
                    link.send_snapshot(&bytes);
                }
            });
    }

    fn send_snapshot(&self, bytes: &[u8]) {
        let effects = self
            .inner
            .borrow_mut()
            .client
            .send_snapshot(bytes, &mut WebRng);
        self.run_or_log(effects);
    }

    /// The field this device is editing now (`None`: none), for the others' presence lists.
    pub fn set_focus(&self, field: Option<String>) {
        let changed = {
            let mut inner = self.inner.borrow_mut();
            let changed = inner.me.field != field;
            inner.me.field = field;
            changed
        };
        if changed {
            self.announce();
        }
    }

    /// Ends the link: says goodbye to the others, closes the socket, stops all timers.
    pub fn close(&self) {
        self.inner.borrow_mut().remember_timer.cancel();
        self.inner.borrow_mut().snapshot_timer.cancel();
        self.remember_heads_if_settled();
        self.send_beacon(true);
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        inner.doc = None;
        inner.retry.cancel();
        if let Some(h) = inner.heartbeat.take() {
            h.clear();
        }
        if let Some(l) = inner.online.take() {
            l.remove();
        }
        if let Some(l) = inner.offline.take() {
            l.remove();
        }
        inner.socket = None;
    }

    /// Whether the link has applied everything the relay held when it admitted this device.
    pub fn caught_up(&self) -> bool {
        self.inner.borrow().client.caught_up()
    }

    /// The room this link syncs in.
    pub fn room(&self) -> dreieck_sync::RoomId {
        self.inner.borrow().shared.room
    }

    /// Whether the relay holds every local change handed to this link.
    pub fn settled(&self) -> bool {
        let inner = self.inner.borrow();
        let c = &inner.client;
        c.status() == Status::Live
            && !c.listening_first()
            && c.unacknowledged() == 0
            && !c.has_pending()
    }

    /// Calls `f` once, as soon as the link is [`Link::settled`] (now, if it is).
    pub fn when_settled(&self, f: Rc<dyn Fn()>) {
        if self.settled() {
            f();
        } else {
            self.inner.borrow_mut().on_settled = Some(f);
        }
    }

    /// The role presence is sent with (handed on when the report moves to another room).
    pub fn role_source(&self) -> Rc<dyn Fn() -> Role> {
        self.inner.borrow().role.clone()
    }

    fn connect(&self) {
        let Some(url) = relay_url() else {
            self.refuse("Die Adresse des Servers ist unbekannt.");
            return;
        };
        let weak = Rc::downgrade(&self.inner);
        let (status, peers) = (self.status.clone(), self.peers.clone());
        let on_event = move |event: SocketEvent| {
            if let Some(inner) = weak.upgrade() {
                let link = Link {
                    inner,
                    status: status.clone(),
                    peers: peers.clone(),
                };
                link.on_socket(event);
            }
        };
        match Socket::open(&url, on_event) {
            Ok(socket) => {
                self.inner.borrow_mut().socket = Some(socket);
                self.update_status();
            }
            Err(_) => self.schedule_reconnect(),
        }
    }

    fn on_socket(&self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {
                let effects = self.inner.borrow_mut().client.connected();
                self.run(effects);
            }
            SocketEvent::Frame(frame) => {
                let (was_live, was_caught_up) = {
                    let mut inner = self.inner.borrow_mut();
                    inner.acked = false;
                    (
                        inner.client.status() == Status::Live,
                        inner.client.caught_up(),
                    )
                };
                let result = {
                    let mut inner = self.inner.borrow_mut();
                    inner.client.on_frame(&frame, &mut WebRng)
                };
                self.run_or_log(result);
                let inner = self.inner.borrow();
                let now_live = inner.client.status() == Status::Live;
                drop(inner);
                if now_live && !was_live {
                    self.inner.borrow_mut().attempt = 0;
                    self.announce();
                }
                // Not after every peer's change: that would put a localStorage write between
                // each remote keystroke and its display. Peers' changes not yet remembered are
                // only sent again once after a reload (harmless duplicates).
                let acked = self.inner.borrow().acked;
                if acked || (!was_caught_up && self.caught_up()) {
                    self.remember_soon();
                }
                if self.inner.borrow().on_settled.is_some() && self.settled() {
                    let f = self.inner.borrow_mut().on_settled.take();
                    if let Some(f) = f {
                        f();
                    }
                }
            }
            SocketEvent::Closed => {
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.client.disconnected();
                    inner.announced = false;
                }
                self.peers.update(Board::clear);
                self.schedule_reconnect();
            }
        }
        self.update_status();
    }

    fn run_or_log(&self, effects: Result<Vec<Effect>, dreieck_sync::Error>) {
        match effects {
            Ok(effects) => self.run(effects),
            // A frame that does not decode or authenticate is skipped; catch-up fetches the
            // entry again. The error names the kind of failure, never content.
            Err(e) => leptos::logging::warn!("sync: frame skipped: {e}"),
        }
        self.update_status();
    }

    /// Carries out the client's effects in order (some produce more).
    fn run(&self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let doc = self.inner.borrow().doc.clone();
            match effect {
                Effect::Send(frame) => {
                    if let Some(socket) = &self.inner.borrow().socket {
                        socket.send(&frame);
                    }
                }
                Effect::Apply(bytes) => {
                    if let Some(doc) = doc {
                        if let Err(e) = doc.apply(&bytes) {
                            leptos::logging::warn!("sync: changes refused: {e}");
                        }
                    }
                    self.snapshot_later();
                }
                Effect::Presence(bytes) => {
                    if let Some(beacon) = Beacon::decode(&bytes) {
                        self.peers.update(|b| b.hear(beacon, now_ms()));
                    }
                }
                Effect::Acknowledged { .. } => self.inner.borrow_mut().acked = true,
                Effect::SnapshotDue => self.snapshot_when_quiet(),
                Effect::FullStateWanted => {
                    let Some(bytes) = doc.and_then(|d| d.save()) else {
                        continue;
                    };
                    let more = {
                        let mut inner = self.inner.borrow_mut();
                        // Sent as an item: whatever is typed after it is appended to it.
                        inner
                            .client
                            .on_full_state(live::encode_item(&bytes, None), &mut WebRng)
                    };
                    match more {
                        Ok(more) => queue.extend(more),
                        Err(e) => leptos::logging::warn!("sync: {e}"),
                    }
                }
                Effect::Rejected { seq, reason } => {
                    leptos::logging::warn!("sync: entry {seq} refused: {reason}")
                }
                Effect::RelayError { code, .. } => {
                    let (message, retry) = relay_error(code);
                    self.inner.borrow_mut().notice = message.map(str::to_string);
                    if retry {
                        // The connection closes; the close event schedules the reconnect.
                        if let Some(socket) = &self.inner.borrow().socket {
                            socket.close();
                        }
                    } else {
                        self.refuse(message.unwrap_or("Der Server lehnt die Verbindung ab."));
                    }
                }
            }
        }
    }

    /// Remembers the heads now, or once [`REMEMBER_EVERY_MS`] has passed since last time.
    fn remember_soon(&self) {
        let wait = {
            let inner = self.inner.borrow();
            if inner.remember_timer.is_armed() {
                return;
            }
            REMEMBER_EVERY_MS - (now_ms() - inner.remembered_ms)
        };
        if wait <= 0.0 {
            self.remember_heads_if_settled();
            return;
        }
        let link = self.clone();
        let armed = self
            .inner
            .borrow_mut()
            .remember_timer
            .arm(wait as u64, move || {
                link.inner.borrow_mut().remember_timer.fired();
                link.remember_heads_if_settled();
            });
        if !armed {
            self.remember_heads_if_settled();
        }
    }

    /// When the relay holds every local change and everything it had at admission is here,
    /// the document's heads are all known to the relay: remember them for the next visit.
    fn remember_heads_if_settled(&self) {
        self.inner.borrow_mut().remembered_ms = now_ms();
        let (settled, doc, id) = {
            let inner = self.inner.borrow();
            let settled = inner.remember
                && inner.client.caught_up()
                && inner.client.unacknowledged() == 0
                && !inner.client.has_pending();
            (settled, inner.doc.clone(), inner.report_id.clone())
        };
        let Some(heads) = doc.filter(|_| settled).and_then(|d| d.heads()) else {
            return;
        };
        let shared = {
            let mut inner = self.inner.borrow_mut();
            if inner.shared.acked_heads == heads {
                return;
            }
            inner.shared.acked_heads = heads;
            inner.shared.clone()
        };
        if let Err(e) = shared::save(&id, &shared) {
            leptos::logging::warn!("sync: state not remembered: {e}");
        }
    }

    fn schedule_reconnect(&self) {
        let delay = {
            let mut inner = self.inner.borrow_mut();
            if inner.closed || inner.refused.is_some() || inner.retry.is_armed() {
                return;
            }
            let base =
                (FIRST_BACKOFF_MS * 2f64.powi(inner.attempt.min(10) as i32)).min(MAX_BACKOFF_MS);
            inner.attempt += 1;
            // Jitter: devices that lost the relay together do not all return at once.
            base * (0.75 + 0.5 * js_sys::Math::random())
        };
        let link = self.clone();
        self.inner.borrow_mut().retry.arm(delay as u64, move || {
            link.inner.borrow_mut().retry.fired();
            // Without a network the attempt cannot succeed (and the browser logs it as an
            // error): the "online" event of `watch_network` reconnects instead.
            if !browser_online() {
                return;
            }
            link.reconnect_now();
        });
    }

    /// Gives up the current connection at once (from a window event, never from the socket's
    /// own handler) and waits to reconnect.
    fn drop_connection(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.client.disconnected();
            inner.announced = false;
            inner.socket = None;
        }
        self.peers.update(Board::clear);
        self.schedule_reconnect();
        self.update_status();
    }

    fn reconnect_now(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.closed || inner.refused.is_some() {
                return;
            }
            inner.retry.cancel();
            inner.client.disconnected();
            // Dropped from a timer or an event of the window, never from its own handler.
            inner.socket = None;
        }
        self.connect();
    }

    /// The browser says the network is back: try at once instead of waiting out the backoff;
    /// and repeat this device's presence now and then, dropping peers gone silent.
    fn watch_network(&self) {
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let (status, peers) = (self.status.clone(), self.peers.clone());
        let relink = move || {
            weak.upgrade().map(|inner| Link {
                inner,
                status: status.clone(),
                peers: peers.clone(),
            })
        };
        let online = {
            let relink = relink.clone();
            window_event_listener_untyped("online", move |_| {
                if let Some(link) = relink() {
                    if link.inner.borrow().client.status() == Status::Offline {
                        link.inner.borrow_mut().attempt = 0;
                        link.reconnect_now();
                    }
                }
            })
        };
        // The browser says the network is gone: a socket may take long to notice on its own,
        // so close it now and show "offline" (edits keep queueing).
        let offline = {
            let relink = relink.clone();
            window_event_listener_untyped("offline", move |_| {
                if let Some(link) = relink() {
                    link.drop_connection();
                }
            })
        };
        let heartbeat = set_interval_with_handle(
            move || {
                if let Some(link) = relink() {
                    link.peers.update(|b| {
                        b.expire(now_ms());
                    });
                    link.send_beacon(false);
                }
            },
            Duration::from_millis(u64::from(HEARTBEAT_MS)),
        );
        let mut inner = self.inner.borrow_mut();
        inner.online = Some(online);
        inner.offline = Some(offline);
        inner.heartbeat = heartbeat.ok();
    }

    fn announce(&self) {
        self.send_beacon(false);
        self.inner.borrow_mut().announced = true;
    }

    fn send_beacon(&self, gone: bool) {
        let result = {
            let mut inner = self.inner.borrow_mut();
            if inner.closed {
                return;
            }
            inner.me.role = (inner.role)().as_str().to_string();
            inner.me.gone = gone;
            let bytes = inner.me.encode();
            inner.client.send_presence(&bytes, &mut WebRng)
        };
        self.run_or_log(result);
    }

    fn refuse(&self, message: &str) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.refused = Some(message.to_string());
            if let Some(socket) = &inner.socket {
                socket.close();
            }
        }
        self.update_status();
    }

    fn update_status(&self) {
        let (state, waiting, notice) = {
            let mut inner = self.inner.borrow_mut();
            let state = if let Some(reason) = &inner.refused {
                State::Refused(reason.clone())
            } else {
                match inner.client.status() {
                    Status::Live if inner.client.caught_up() => State::Synced,
                    Status::Offline if inner.socket.is_none() || inner.retry.is_armed() => {
                        if browser_online() {
                            State::Unreachable
                        } else {
                            State::NoNetwork
                        }
                    }
                    _ => State::Connecting,
                }
            };
            if state == State::Synced {
                inner.notice = None;
            }
            (state, inner.client.unacknowledged(), inner.notice.clone())
        };
        let current = self.status.get_untracked();
        // Once the network is back, connecting is news again.
        let state = if current.state == State::NoNetwork && browser_online() {
            state
        } else {
            current.state.then(state)
        };
        let waiting_since_ms = match (current.waiting_since_ms, waiting) {
            (_, 0) => None,
            (None, _) => Some(now_ms()),
            (since, _) => since,
        };
        if current.state != state
            || current.waiting != waiting
            || current.notice != notice
            || current.waiting_since_ms != waiting_since_ms
        {
            let since_ms = if current.state == state {
                current.since_ms
            } else {
                now_ms()
            };
            self.status.set(SyncStatus {
                state,
                since_ms,
                waiting,
                waiting_since_ms,
                notice,
            });
        }
    }
}

/// Whether the browser believes it has a network (`navigator.onLine`); true when unknown.
fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

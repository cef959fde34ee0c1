//! The connection to the relay: when to connect, what to send, what to remember.
//!
//! [`LinkMachine`] owns the sync [`Client`] and makes every decision around it that is about
//! time or about the browser's view of the network: reconnecting with a growing, jittered
//! backoff (and never while the browser says it is offline), making the relay's snapshot only
//! in a pause of the typing, writing the acknowledged heads at most every
//! [`REMEMBER_EVERY_MS`], repeating this device's presence, and what the indicator says. The
//! executor (the app's `src/sync/link.rs`) reports events with the time they happened and
//! carries out the returned [`Action`]s in order; it keeps one timer armed for
//! [`LinkMachine::next_deadline`] and calls [`LinkMachine::tick`] when it fires. A few actions
//! ask for something only the executor has (a full save, this device's beacon): it answers at
//! once with the matching method, and carries out the answer's actions before the rest, so
//! that, say, a goodbye goes out before the socket is let go.
//!
//! Local changes are never batched on a timer: the client sends one at once when nothing is in
//! flight, and a peer's change is applied in the same task its frame arrived in. After
//! [`LinkMachine::close`] every event is ignored.

use dreieck_sync::client::{Client, Config, Effect, Rejection, Status};
use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::RoomId;
use rand_core::CryptoRngCore;

use crate::forward::{Digest, Forward};
use crate::status::{
    relay_error, Connection, Observed, State, SyncStatus, PURGED_TEXT, TOO_LARGE_TEXT,
};

/// A sealed full save goes to the relay after this many acknowledged appends, so it can drop
/// the log entries before it. Every snapshot costs a whole document on the wire; at 1,000 a
/// typical report's snapshot adds a few bytes per keystroke, and a device that reconnects
/// replays at most about 150 KB of entries after the last one.
pub const SNAPSHOT_EVERY: u64 = 1_000;

/// A snapshot is a full save: in a long report some 100 ms of main thread, which must not land
/// between two keystrokes. It waits for a pause in the typing (anyone's); the session's
/// compaction, after its own pause of 2 s, usually makes that save first and hands it over
/// ([`LinkMachine::offer_save`]), so one pause costs one save.
pub const SNAPSHOT_QUIET_MS: f64 = 2_500.0;

/// The first wait before reconnecting: short, since most drops are a blip.
pub const FIRST_BACKOFF_MS: f64 = 300.0;
/// Longest wait between reconnect attempts (before jitter): a relay that is back is found
/// within seconds, and a relay that is down is not hammered.
pub const MAX_BACKOFF_MS: f64 = 15_000.0;

/// While acknowledgements stream in (someone typing), the acknowledged heads are written to
/// localStorage at most this often: a write per keystroke would sit between the keystrokes.
/// Heads remembered late only mean a few changes are sent again after a reload.
pub const REMEMBER_EVERY_MS: f64 = 2_000.0;

/// How often this device repeats its presence while nothing changes, so that peers can drop a
/// device that vanished without saying goodbye.
pub const HEARTBEAT_MS: f64 = 10_000.0;

/// Shown when the relay refuses this device for a reason the app has no words for.
const REFUSED: &str = dreieck_texts::standard::STANDARD.relay_refused;

/// What the executor must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a socket to the relay and report its events ([`LinkMachine::opened`],
    /// [`LinkMachine::frame`], [`LinkMachine::closed`], the latter also when it cannot open).
    OpenSocket,
    /// Send this frame on the socket (dropped when it is not open: the client sends again).
    Send(Vec<u8>),
    /// Start closing the socket; its close event follows and decides about reconnecting.
    CloseSocket,
    /// Let go of the socket at once, without waiting for its close event. Never asked while
    /// the executor reports one of the socket's own events (a handler must not free itself).
    DropSocket,
    /// Apply a peer's changes to the document.
    Apply(Vec<u8>),
    /// A peer's beacon (opened, not interpreted).
    Presence(Vec<u8>),
    /// Forget every peer: the connection is gone, and their beacons come again after it.
    ClearPeers,
    /// Drop peers not heard from for a while.
    ExpirePeers,
    /// Encode this device's beacon with this field and hand it to [`LinkMachine::beacon`].
    Beacon { field: Option<String>, gone: bool },
    /// Make a full save of the document and hand it over (see [`SaveFor`]).
    Save(SaveFor),
    /// The relay holds every change of the document: store its current heads for the next
    /// visit (unless they are stored already).
    RememberHeads,
    /// The relay holds every local change; call what waits for that (once).
    Settled,
    /// The indicator changed: show [`LinkMachine::status`] (read it then, not before: a
    /// nested call may have changed it again).
    StatusChanged,
    /// Something worth a line in the console (never content).
    Log(String),
    /// The relay deleted the report's room for everyone, leaving this deletion record: the
    /// app checks who signed it (`Report::check_deletion`) and drops its copy only if that
    /// person may. Either way the link stops: the relay takes nothing more for this room.
    Purged(Vec<u8>),
}

/// What a full save asked for by [`Action::Save`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFor {
    /// The relay's snapshot: hand `doc.save()` to [`LinkMachine::snapshot`].
    Snapshot,
    /// The relay lost entries in a restart: hand `doc.save()`, encoded as one item, to
    /// [`LinkMachine::full_state`].
    FullState,
}

/// How a link is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Whether acknowledged heads are remembered (a joining device has no report yet).
    pub remember: bool,
    /// Whether the browser believes it has a network when the link starts.
    pub browser_online: bool,
    /// See [`SNAPSHOT_EVERY`].
    pub snapshot_every: u64,
    /// Only learn whether the room was deleted (`dreieck_sync::client::Config::probe`).
    pub probe: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            remember: false,
            browser_online: true,
            snapshot_every: SNAPSHOT_EVERY,
            probe: false,
        }
    }
}

/// The relay's snapshot, from the client asking for it until it is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Snapshot {
    Idle,
    /// Made once nobody has typed until then (re-armed by every change in either direction).
    Quiet {
        until: f64,
    },
    /// The save is asked for ([`SaveFor::Snapshot`]).
    Asked,
}

/// Things that happen at a time, in the order [`LinkMachine::tick`] handles them when due
/// together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deadline {
    Retry,
    Remember,
    Snapshot,
    Heartbeat,
    Forward,
}

/// One report's connection to the relay, without IO.
#[derive(Debug)]
pub struct LinkMachine {
    client: Client,
    remember: bool,
    browser_online: bool,
    started: bool,
    closed: bool,
    refused: Option<String>,
    /// Whether the executor holds a socket (opening, open, or closed and not yet let go).
    socket: bool,
    /// Reconnect attempts since the connection was last live (the backoff's exponent).
    attempt: u32,
    retry_at: Option<f64>,
    /// The relay's last complaint (shown until in sync again).
    notice: Option<String>,
    /// A local change was larger than the relay takes ([`TOO_LARGE_TEXT`]): said for as long
    /// as the link lives, since being in sync again does not bring it to the others.
    too_large: bool,
    /// When the acknowledged heads were last remembered, or found not worth remembering.
    remembered_ms: f64,
    /// The write waiting for [`REMEMBER_EVERY_MS`] to pass.
    remember_at: Option<f64>,
    snapshot: Snapshot,
    /// Answers are taken only when asked for: an unasked full state would replace what is in
    /// flight, an unasked beacon could go out after a goodbye.
    full_state_asked: bool,
    beacon_asked: bool,
    heartbeat_at: Option<f64>,
    /// The field this device is editing, for the others' presence lists.
    focus: Option<String>,
    /// Someone waits for [`Action::Settled`].
    settle_wanted: bool,
    /// Devices connected directly (the executor's data channels).
    direct: usize,
    /// What came only directly, to pass on to the relay (see [`crate::forward`]).
    forward: Forward,
    shown: SyncStatus,
}

impl LinkMachine {
    /// A link for `room`, not connecting yet: local changes handed over before
    /// [`LinkMachine::start`] are queued and go out once the link is live.
    pub fn new(room: RoomId, key: DocumentKey, options: Options, now: f64) -> Self {
        let config = Config {
            snapshot_every: options.snapshot_every,
            probe: options.probe,
        };
        LinkMachine {
            client: Client::new(room, key, config),
            remember: options.remember,
            browser_online: options.browser_online,
            started: false,
            closed: false,
            refused: None,
            socket: false,
            attempt: 0,
            retry_at: None,
            notice: None,
            too_large: false,
            remembered_ms: f64::NEG_INFINITY,
            remember_at: None,
            snapshot: Snapshot::Idle,
            full_state_asked: false,
            beacon_asked: false,
            heartbeat_at: None,
            focus: None,
            settle_wanted: false,
            direct: 0,
            forward: Forward::default(),
            shown: SyncStatus::connecting(now),
        }
    }

    /// Connects, and starts repeating this device's presence.
    pub fn start(&mut self, now: f64) -> Vec<Action> {
        if self.started || self.closed || self.refused.is_some() {
            return Vec::new();
        }
        self.started = true;
        self.heartbeat_at = Some(now + HEARTBEAT_MS);
        let mut out = vec![Action::OpenSocket];
        self.socket = true;
        self.show(now, &mut out);
        out
    }

    /// Stops for good, with a German reason for the indicator: the platform rules out syncing
    /// (no secure randomness, no relay address), and retrying cannot help.
    pub fn refuse(&mut self, reason: &str, now: f64) -> Vec<Action> {
        if self.closed {
            return Vec::new();
        }
        let mut out = Vec::new();
        self.refuse_now(reason, &mut out);
        self.show(now, &mut out);
        out
    }

    /// The socket is open: admission starts.
    pub fn opened(&mut self, now: f64) -> Vec<Action> {
        if !self.active() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let effects = self.client.connected();
        self.carry(Ok(effects), now, &mut out);
        self.show(now, &mut out);
        out
    }

    /// A frame from the relay. One that does not decode, or comes at the wrong moment, is
    /// logged and skipped: catch-up fetches what it carried again.
    pub fn frame(&mut self, frame: &[u8], now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        if !self.active() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let was_live = self.client.status() == Status::Live;
        let was_caught_up = self.client.caught_up();
        let result = self.client.on_frame(frame, rng);
        let acked = self.carry(result, now, &mut out);
        if self.client.status() == Status::Live && !was_live {
            // The relay is back: the next drop is a blip again, retried within a second.
            self.attempt = 0;
            self.announce(false, &mut out);
        }
        // Not after every peer's change: that would put a localStorage write between each
        // remote keystroke and its display. Peers' changes not yet remembered are only sent
        // again once after a reload (harmless duplicates).
        if !was_caught_up && self.client.caught_up() {
            // Now it is known what the relay holds: what came only directly and is due goes on.
            self.pass_on(now, rng, &mut out);
        }
        if acked || (!was_caught_up && self.client.caught_up()) {
            self.remember_soon(now, &mut out);
        }
        if self.settle_wanted && self.settled() {
            self.settle_wanted = false;
            out.push(Action::Settled);
        }
        self.show(now, &mut out);
        out
    }

    /// The socket closed (or could not be opened): wait, then try again.
    pub fn closed(&mut self, now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        if !self.active() {
            return Vec::new();
        }
        let mut out = Vec::new();
        self.client.disconnected();
        out.push(Action::ClearPeers);
        self.schedule_reconnect(now, rng);
        self.show(now, &mut out);
        out
    }

    /// The browser says the network is back: try at once instead of waiting out the backoff.
    pub fn online(&mut self, now: f64) -> Vec<Action> {
        self.browser_online = true;
        if !self.active() {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.client.status() == Status::Offline {
            self.attempt = 0;
            self.reconnect_now(&mut out);
        }
        self.show(now, &mut out);
        out
    }

    /// The browser says the network is gone. A socket may take long to notice on its own, so
    /// it is let go now and "offline" shown (edits keep queueing).
    pub fn offline(&mut self, now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        self.browser_online = false;
        if !self.active() {
            return Vec::new();
        }
        let mut out = Vec::new();
        self.client.disconnected();
        self.drop_socket(&mut out);
        out.push(Action::ClearPeers);
        self.schedule_reconnect(now, rng);
        self.show(now, &mut out);
        out
    }

    /// A local edit, encoded as an item: queued for the relay, and typing, which postpones
    /// a waiting snapshot.
    pub fn local_change(
        &mut self,
        item: &[u8],
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Action> {
        let mut out = self.local(item, now, rng);
        if !self.closed && !item.is_empty() {
            self.typing(now);
        }
        self.show(now, &mut out);
        out
    }

    /// A local record that is not typing (a room move left behind): queued for the relay.
    pub fn local_record(
        &mut self,
        item: &[u8],
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Action> {
        let mut out = self.local(item, now, rng);
        self.show(now, &mut out);
        out
    }

    /// A full save the session made anyway (its compaction): answers a snapshot waiting for a
    /// pause, so that no second save is needed. Ignored when no snapshot waits.
    pub fn offer_save(
        &mut self,
        save: &[u8],
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Action> {
        if !matches!(self.snapshot, Snapshot::Quiet { .. }) {
            return Vec::new();
        }
        self.send_snapshot(save, now, rng)
    }

    /// The answer to [`SaveFor::Snapshot`]: `doc.save()`.
    pub fn snapshot(&mut self, save: &[u8], now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        if self.snapshot != Snapshot::Asked {
            return Vec::new();
        }
        self.send_snapshot(save, now, rng)
    }

    /// The answer to [`SaveFor::FullState`]: `doc.save()` encoded as one item, so that
    /// whatever is typed after it is appended to it.
    pub fn full_state(
        &mut self,
        item: Vec<u8>,
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Action> {
        if !self.full_state_asked {
            return Vec::new();
        }
        self.full_state_asked = false;
        let mut out = Vec::new();
        match self.client.on_full_state(item, rng) {
            Ok(effects) => {
                self.carry(Ok(effects), now, &mut out);
            }
            Err(e) => out.push(Action::Log(e.to_string())),
        }
        self.show(now, &mut out);
        out
    }

    /// Deletes the report's room at the relay for everyone, leaving `deletion` (the signed
    /// record) in its place. Only while connected: `false` when there is no live connection,
    /// and nothing is sent. The relay's answer comes as [`Action::Purged`], to this device too.
    pub fn purge(
        &mut self,
        deletion: &[u8],
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Option<Vec<Action>> {
        if !self.active() || self.client.status() != Status::Live {
            return None;
        }
        let mut out = Vec::new();
        let result = self.client.purge(deletion, rng);
        if result.is_err() {
            return None;
        }
        self.carry(result, now, &mut out);
        self.show(now, &mut out);
        Some(out)
    }

    /// Tells the relay when to purge the room by itself (the end of the retention period,
    /// with the deletion signed in advance; `None`: not any more). `None` (nothing sent)
    /// without a live connection.
    pub fn retain(
        &mut self,
        until: u64,
        deletion: Option<&[u8]>,
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Option<Vec<Action>> {
        if !self.active() || self.client.status() != Status::Live {
            return None;
        }
        let mut out = Vec::new();
        let result = self.client.retain(until, deletion, rng);
        if result.is_err() {
            return None;
        }
        self.carry(result, now, &mut out);
        Some(out)
    }

    /// The answer to [`Action::Beacon`]: this device's beacon, encoded.
    pub fn beacon(&mut self, bytes: &[u8], now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        if !self.beacon_asked {
            return Vec::new();
        }
        self.beacon_asked = false;
        let mut out = Vec::new();
        let result = self.client.send_presence(bytes, rng);
        self.carry(result, now, &mut out);
        self.show(now, &mut out);
        out
    }

    /// A direct channel's signal (offer or answer, `dreieck_sync::direct::Signal`) for the
    /// room, sealed like presence; dropped when the link is not live (the channel is tried
    /// again at the next beacon).
    pub fn signal(&mut self, bytes: &[u8], now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        if self.closed || self.client.status() != Status::Live {
            return Vec::new();
        }
        let mut out = Vec::new();
        let result = self.client.send_presence(bytes, rng);
        self.carry(result, now, &mut out);
        self.show(now, &mut out);
        out
    }

    /// How many devices are connected directly now (the indicator names the path).
    pub fn direct(&mut self, open: usize, now: f64) -> Vec<Action> {
        self.direct = open;
        let mut out = Vec::new();
        self.show(now, &mut out);
        out
    }

    /// The field this device is editing now (`None`: none); the others hear of a change at once.
    pub fn set_focus(&mut self, field: Option<String>, now: f64) -> Vec<Action> {
        if self.closed || self.focus == field {
            return Vec::new();
        }
        self.focus = field;
        let mut out = Vec::new();
        self.announce(false, &mut out);
        self.show(now, &mut out);
        out
    }

    /// [`Action::Settled`] once, as soon as the link is [`LinkMachine::settled`] (now, if it is).
    pub fn when_settled(&mut self) -> Vec<Action> {
        if self.settled() {
            return vec![Action::Settled];
        }
        self.settle_wanted = !self.closed;
        Vec::new()
    }

    /// Ends the link: remembers the heads if the relay holds everything, says goodbye to the
    /// others, lets go of the socket and stops every deadline.
    pub fn close(&mut self, now: f64) -> Vec<Action> {
        if self.closed {
            return Vec::new();
        }
        let mut out = Vec::new();
        self.remember_at = None;
        self.snapshot = Snapshot::Idle;
        self.remember_if_settled(now, &mut out);
        self.announce(true, &mut out);
        self.closed = true;
        self.retry_at = None;
        self.heartbeat_at = None;
        self.settle_wanted = false;
        self.full_state_asked = false;
        self.drop_socket(&mut out);
        out
    }

    /// Changes that came directly and were new here (`item` as it came, `digests` of each of
    /// its changes): passed on to the relay unless it brings them within
    /// [`crate::forward::FORWARD_AFTER_MS`].
    pub fn direct_received(&mut self, item: &[u8], digests: Vec<Digest>, now: f64) {
        if !self.closed {
            self.forward.hold(item, digests, now);
        }
    }

    /// The relay delivered changes with these digests (only asked for while
    /// [`LinkMachine::forwarding`]).
    pub fn relayed(&mut self, digests: &[Digest]) -> Vec<Action> {
        self.forward.relayed(digests);
        if self.settle_wanted && self.settled() {
            self.settle_wanted = false;
            return vec![Action::Settled];
        }
        Vec::new()
    }

    /// Whether changes that came directly wait to be seen at the relay.
    pub fn forwarding(&self) -> bool {
        !self.forward.is_empty()
    }

    /// Handles every deadline up to `now`.
    pub fn tick(&mut self, now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        if !self.active() {
            return Vec::new();
        }
        let mut due: Vec<(f64, Deadline)> = self
            .deadlines()
            .into_iter()
            .filter_map(|(at, d)| at.filter(|at| *at <= now).map(|at| (at, d)))
            .collect();
        due.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out = Vec::new();
        for (_, deadline) in due {
            match deadline {
                Deadline::Retry => {
                    self.retry_at = None;
                    // Without a network the attempt cannot succeed (and the browser logs it as
                    // an error): `online` reconnects instead, and the offline state stays.
                    if self.browser_online {
                        self.reconnect_now(&mut out);
                    }
                }
                Deadline::Remember => {
                    self.remember_at = None;
                    self.remember_if_settled(now, &mut out);
                }
                Deadline::Snapshot => {
                    self.snapshot = Snapshot::Asked;
                    out.push(Action::Save(SaveFor::Snapshot));
                }
                Deadline::Heartbeat => {
                    self.heartbeat_at = Some(now + HEARTBEAT_MS);
                    out.push(Action::ExpirePeers);
                    self.announce(false, &mut out);
                }
                Deadline::Forward => self.pass_on(now, rng, &mut out),
            }
        }
        self.show(now, &mut out);
        out
    }

    /// When [`LinkMachine::tick`] wants to be called next (ms), if ever.
    pub fn next_deadline(&self) -> Option<f64> {
        if self.closed {
            return None;
        }
        self.deadlines()
            .into_iter()
            .filter_map(|(at, _)| at)
            .reduce(f64::min)
    }

    /// What the indicator shows.
    pub fn status(&self) -> &SyncStatus {
        &self.shown
    }

    /// Whether the relay has admitted this device on the current connection (a purged room
    /// says so before it admits).
    pub fn admitted(&self) -> bool {
        self.client.status() == Status::Live
    }

    /// Whether the link has applied everything the relay held when it admitted this device.
    pub fn caught_up(&self) -> bool {
        self.client.caught_up()
    }

    /// Whether the relay holds every local change handed to this link.
    pub fn settled(&self) -> bool {
        let c = &self.client;
        c.status() == Status::Live
            && !c.listening_first()
            && c.unacknowledged() == 0
            && !c.has_pending()
            && self.forward.is_empty()
    }

    /// The sync client, for inspection.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Started and not closed: the socket and the deadlines matter.
    fn active(&self) -> bool {
        self.started && !self.closed
    }

    /// Sends on to the relay what came directly, is due, and the relay did not bring.
    fn pass_on(&mut self, now: f64, rng: &mut impl CryptoRngCore, out: &mut Vec<Action>) {
        if !self.relay_known() {
            return;
        }
        for item in self.forward.take_due(now) {
            let more = self.local(&item, now, rng);
            out.extend(more);
        }
    }

    /// Live and caught up: what the relay holds is known here.
    fn relay_known(&self) -> bool {
        self.client.status() == Status::Live && self.client.caught_up()
    }

    fn deadlines(&self) -> [(Option<f64>, Deadline); 5] {
        let snapshot = match self.snapshot {
            Snapshot::Quiet { until } => Some(until),
            Snapshot::Idle | Snapshot::Asked => None,
        };
        [
            (self.retry_at, Deadline::Retry),
            (self.remember_at, Deadline::Remember),
            (snapshot, Deadline::Snapshot),
            (self.heartbeat_at, Deadline::Heartbeat),
            (
                self.forward.next_deadline().filter(|_| self.relay_known()),
                Deadline::Forward,
            ),
        ]
    }

    fn local(&mut self, item: &[u8], now: f64, rng: &mut impl CryptoRngCore) -> Vec<Action> {
        // An empty change would count as waiting for ever: nothing would acknowledge it.
        if self.closed || item.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let result = self.client.on_local_change(item, rng);
        if let Err(dreieck_sync::Error::FrameTooLarge { len, max }) = result {
            out.push(Action::Log(format!(
                "local change of {len} bytes not sent: the relay takes at most {max}"
            )));
            self.too_large = true;
            return out;
        }
        self.carry(result, now, &mut out);
        out
    }

    fn send_snapshot(
        &mut self,
        save: &[u8],
        now: f64,
        rng: &mut impl CryptoRngCore,
    ) -> Vec<Action> {
        self.snapshot = Snapshot::Idle;
        let mut out = Vec::new();
        let result = self.client.send_snapshot(save, rng);
        self.carry(result, now, &mut out);
        self.show(now, &mut out);
        out
    }

    /// Turns the client's effects into actions; whether an acknowledgement was among them.
    fn carry(
        &mut self,
        effects: Result<Vec<Effect>, dreieck_sync::Error>,
        now: f64,
        out: &mut Vec<Action>,
    ) -> bool {
        let effects = match effects {
            Ok(effects) => effects,
            // A frame that does not decode or authenticate is skipped; catch-up fetches the
            // entry again. The error names the kind of failure, never content.
            Err(e) => {
                out.push(Action::Log(format!("frame skipped: {e}")));
                return false;
            }
        };
        let mut acked = false;
        let mut full_state = false;
        for effect in effects {
            match effect {
                Effect::Send(frame) => out.push(Action::Send(frame)),
                Effect::Apply(bytes) => {
                    out.push(Action::Apply(bytes));
                    self.typing(now);
                }
                Effect::Presence(bytes) => out.push(Action::Presence(bytes)),
                Effect::Acknowledged { .. } => acked = true,
                Effect::SnapshotDue => {
                    self.snapshot = Snapshot::Quiet {
                        until: now + SNAPSHOT_QUIET_MS,
                    }
                }
                Effect::FullStateWanted => full_state = true,
                Effect::Rejected {
                    reason: Rejection::Deletion,
                    ..
                } => {
                    out.push(Action::Log("deletion record refused: does not open".into()));
                    self.refuse_now(PURGED_TEXT, out);
                }
                Effect::Rejected { seq, reason } => {
                    out.push(Action::Log(format!("entry {seq} refused: {reason}")))
                }
                Effect::Purged(record) => {
                    out.push(Action::Purged(record));
                    self.refuse_now(PURGED_TEXT, out);
                }
                Effect::RelayError { code, .. } => self.relay_error(code, out),
            }
        }
        // Asked after the rest: what the client sent meanwhile (its CatchUp) goes first.
        if full_state {
            self.full_state_asked = true;
            out.push(Action::Save(SaveFor::FullState));
        }
        acked
    }

    fn relay_error(&mut self, code: u16, out: &mut Vec<Action>) {
        let (message, retry) = relay_error(code);
        self.notice = message.map(str::to_string);
        if !retry {
            self.refuse_now(message.unwrap_or(REFUSED), out);
        } else if self.socket {
            // The close event schedules the reconnect.
            out.push(Action::CloseSocket);
        }
    }

    fn refuse_now(&mut self, reason: &str, out: &mut Vec<Action>) {
        self.refused = Some(reason.to_string());
        self.retry_at = None;
        if self.socket {
            out.push(Action::CloseSocket);
        }
    }

    /// Postpones a waiting snapshot: someone is typing.
    fn typing(&mut self, now: f64) {
        if let Snapshot::Quiet { until } = &mut self.snapshot {
            *until = now + SNAPSHOT_QUIET_MS;
        }
    }

    /// Asks for this device's beacon, unless it could not go out anyway.
    fn announce(&mut self, gone: bool, out: &mut Vec<Action>) {
        if self.client.status() != Status::Live {
            return;
        }
        self.beacon_asked = true;
        out.push(Action::Beacon {
            field: self.focus.clone(),
            gone,
        });
    }

    fn schedule_reconnect(&mut self, now: f64, rng: &mut impl CryptoRngCore) {
        if self.closed || self.refused.is_some() || self.retry_at.is_some() {
            return;
        }
        let base = (FIRST_BACKOFF_MS * 2f64.powi(self.attempt.min(10) as i32)).min(MAX_BACKOFF_MS);
        self.attempt = self.attempt.saturating_add(1);
        // Jitter: devices that lost the relay together do not all return at once.
        let unit = f64::from(rng.next_u32()) / 4_294_967_296.0;
        self.retry_at = Some(now + base * (0.75 + 0.5 * unit));
    }

    fn reconnect_now(&mut self, out: &mut Vec<Action>) {
        if self.closed || self.refused.is_some() {
            return;
        }
        self.retry_at = None;
        self.client.disconnected();
        self.drop_socket(out);
        out.push(Action::OpenSocket);
        self.socket = true;
    }

    fn drop_socket(&mut self, out: &mut Vec<Action>) {
        if std::mem::take(&mut self.socket) {
            out.push(Action::DropSocket);
        }
    }

    /// Remembers the heads now, or once [`REMEMBER_EVERY_MS`] has passed since last time.
    fn remember_soon(&mut self, now: f64, out: &mut Vec<Action>) {
        if !self.remember || self.remember_at.is_some() {
            return;
        }
        let at = self.remembered_ms + REMEMBER_EVERY_MS;
        if at <= now {
            self.remember_if_settled(now, out);
        } else {
            self.remember_at = Some(at);
        }
    }

    /// When the relay holds every local change and everything it had at admission is here,
    /// the document's heads are all known to the relay: worth remembering for the next visit.
    fn remember_if_settled(&mut self, now: f64, out: &mut Vec<Action>) {
        self.remembered_ms = now;
        let c = &self.client;
        // Heads that cover changes which came directly and are not at the relay yet would
        // keep them from being sent again after a reload.
        if self.remember
            && c.caught_up()
            && c.unacknowledged() == 0
            && !c.has_pending()
            && self.forward.is_empty()
        {
            out.push(Action::RememberHeads);
        }
    }

    /// Works the indicator out again; [`Action::StatusChanged`] when it changed.
    fn show(&mut self, now: f64, out: &mut Vec<Action>) {
        if self.closed {
            return;
        }
        let connection = match self.client.status() {
            Status::Live if self.client.caught_up() => Connection::Synced,
            // Not yet started: about to connect, not down.
            Status::Offline if self.started && (!self.socket || self.retry_at.is_some()) => {
                Connection::Down
            }
            _ => Connection::Connecting,
        };
        let seen = Observed {
            refused: self.refused.as_deref(),
            connection,
            browser_online: self.browser_online,
            waiting: self.client.unacknowledged(),
            notice: self.notice.as_deref(),
            lasting: self.too_large.then_some(TOO_LARGE_TEXT),
            direct: self.direct,
        };
        if let Some(next) = self.shown.next(seen, now) {
            self.shown = next;
            out.push(Action::StatusChanged);
        }
        if self.shown.state == State::Synced {
            self.notice = None;
        }
    }
}

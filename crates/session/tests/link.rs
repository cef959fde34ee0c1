//! The link to the relay as people rely on it, with a virtual clock and a fake relay.
//!
//! Each test plays a few devices: a `LinkMachine` with an Automerge document and a small
//! executor doing what the app's `src/sync/link.rs` does (requests answered at once, their
//! actions carried out before the rest). The relay is `dreieck_sync::room::Room`, the relay's
//! own state machine, with storage that makes every entry durable at once; in front of it sit
//! the relay's limits (room full, frame too large). Frames travel instantly and in order;
//! a socket fails at once while the relay is down or the device is offline.

use std::collections::{BTreeMap, VecDeque};

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ROOT};
use dreieck_session::forward::FORWARD_AFTER_MS;
use dreieck_session::link::{
    Action, LinkMachine, Options, SaveFor, FIRST_BACKOFF_MS, HEARTBEAT_MS, MAX_BACKOFF_MS,
    REMEMBER_EVERY_MS, SNAPSHOT_QUIET_MS,
};
use dreieck_session::status::{State, SyncStatus, TOO_LARGE_TEXT};
use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::room::{self, Record, Room};
use dreieck_sync::wire::{self, code, Message};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

const ROOM_ID: [u8; 16] = [0x44; 16];

const ROOM_FULL_DE: &str =
    "Zu viele Geräte sind gerade mit diesem Bericht verbunden. Es wird weiter versucht.";
const REFUSED_DE: &str = "Zugang verweigert: Der Einladungslink passt nicht zu diesem Bericht.";

/// Heads the executor stored, and whether the relay held every change then.
struct Remembered {
    at: f64,
    heads: Vec<ChangeHash>,
    held: bool,
}

struct Device {
    link: LinkMachine,
    doc: AutoCommit,
    text: ObjId,
    last_sent: Vec<ChangeHash>,
    browser_online: bool,
    /// The relay connection behind the socket the executor holds.
    socket: Option<u64>,
    /// When sockets were opened: the connection attempts.
    attempts: Vec<f64>,
    /// Every indicator shown, in order.
    shown: Vec<SyncStatus>,
    remembered: Vec<Remembered>,
    saves: Vec<(f64, SaveFor)>,
    /// Peers' beacons heard: when, and the beacon ("device|field|gone").
    heard: Vec<(f64, String)>,
    settled: u32,
    logs: Vec<String>,
    /// Deletion records the link handed over.
    purged: Vec<Vec<u8>>,
}

enum Event {
    Opened(usize, u64),
    ToRelay(u64, Vec<u8>),
    ToDevice(usize, u64, Vec<u8>),
    Closed(usize, u64),
    /// A socket the device let go of: what it sent before still arrives, then it closes.
    Gone(u64),
}

struct World {
    now: f64,
    rng: ChaCha20Rng,
    key: DocumentKey,
    base: Vec<u8>,
    room: Room,
    durable: Vec<Record>,
    relay_up: bool,
    /// Connections beyond this many are turned away with ROOM_FULL.
    room_limit: usize,
    /// Frames larger than this are refused with FRAME_TOO_LARGE.
    max_frame: usize,
    /// The largest frame the relay sent to a device.
    largest_to_device: usize,
    devices: Vec<Device>,
    conns: BTreeMap<u64, usize>,
    next_conn: u64,
    events: VecDeque<Event>,
    /// Snapshots the relay received: when, and what they cover.
    snapshots: Vec<(f64, u64)>,
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let key = DocumentKey::generate(&mut rng);
        let mut base = AutoCommit::new();
        base.put_object(ROOT, "text", ObjType::Text).unwrap();
        World {
            now: 0.0,
            rng,
            key,
            base: base.save(),
            room: Room::new(ROOM_ID),
            durable: Vec::new(),
            relay_up: true,
            room_limit: usize::MAX,
            max_frame: usize::MAX,
            largest_to_device: 0,
            devices: Vec::new(),
            conns: BTreeMap::new(),
            next_conn: 1,
            events: VecDeque::new(),
            snapshots: Vec::new(),
        }
    }

    fn add_device(&mut self, options: Options, key: DocumentKey) -> usize {
        let mut doc = AutoCommit::load(&self.base).unwrap();
        let mut actor = [0u8; 16];
        self.rng.fill_bytes(&mut actor);
        doc.set_actor(ActorId::from(actor.to_vec()));
        let (_, text) = doc.get(ROOT, "text").unwrap().unwrap();
        let last_sent = doc.get_heads();
        self.devices.push(Device {
            link: LinkMachine::new(ROOM_ID, key, options, self.now),
            doc,
            text,
            last_sent,
            browser_online: options.browser_online,
            socket: None,
            attempts: Vec::new(),
            shown: Vec::new(),
            remembered: Vec::new(),
            saves: Vec::new(),
            heard: Vec::new(),
            settled: 0,
            logs: Vec::new(),
            purged: Vec::new(),
        });
        self.devices.len() - 1
    }

    fn start(&mut self, d: usize) {
        let actions = self.devices[d].link.start(self.now);
        self.run(d, actions);
        self.pump();
    }

    /// A device of the room that starts at once.
    fn connect(&mut self, options: Options) -> usize {
        let d = self.add_device(options, self.key.clone());
        self.start(d);
        d
    }

    fn type_text(&mut self, d: usize, s: &str) {
        let dev = &mut self.devices[d];
        let len = dev.doc.length(&dev.text);
        dev.doc.splice_text(&dev.text, len, 0, s).unwrap();
        dev.doc.commit();
        let bytes = dev.doc.save_after(&dev.last_sent);
        dev.last_sent = dev.doc.get_heads();
        let actions = dev.link.local_change(&bytes, self.now, &mut self.rng);
        self.run(d, actions);
    }

    /// What `from` has and `to` lacks goes over their direct channel (`to` applies it, as the
    /// app does with what a data channel brings).
    fn direct(&mut self, from: usize, to: usize) {
        let heads = self.devices[to].doc.get_heads();
        let bytes = self.devices[from].doc.save_after(&heads);
        if bytes.is_empty() {
            return;
        }
        let dev = &mut self.devices[to];
        dev.doc.load_incremental(&bytes).unwrap();
        dev.last_sent = dev.doc.get_heads();
        dev.link.direct_received(&bytes, digests(&bytes), self.now);
    }

    /// Log entries at the relay that hold changes (appends and snapshots).
    fn entries(&self) -> usize {
        self.durable
            .iter()
            .filter(|r| matches!(r, Record::Entry { .. }))
            .count()
    }

    /// An attachment-sized value (a scanned form, say): one change of `blob.len()` bytes.
    fn put_blob(&mut self, d: usize, key: &str, blob: Vec<u8>) {
        let dev = &mut self.devices[d];
        dev.doc.put(ROOT, key, blob).unwrap();
        dev.doc.commit();
        let bytes = dev.doc.save_after(&dev.last_sent);
        dev.last_sent = dev.doc.get_heads();
        let actions = dev.link.local_change(&bytes, self.now, &mut self.rng);
        self.run(d, actions);
    }

    fn blob(&self, d: usize, key: &str) -> Option<Vec<u8>> {
        match self.devices[d].doc.get(ROOT, key).unwrap()? {
            (automerge::Value::Scalar(s), _) => match s.as_ref() {
                automerge::ScalarValue::Bytes(b) => Some(b.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    fn text(&self, d: usize) -> String {
        let dev = &self.devices[d];
        dev.doc.text(&dev.text).unwrap()
    }

    fn status(&self, d: usize) -> &SyncStatus {
        self.devices[d].link.status()
    }

    fn state(&self, d: usize) -> State {
        self.status(d).state.clone()
    }

    fn go_offline(&mut self, d: usize) {
        self.devices[d].browser_online = false;
        let actions = self.devices[d].link.offline(self.now, &mut self.rng);
        self.run(d, actions);
        self.pump();
    }

    fn go_online(&mut self, d: usize) {
        self.devices[d].browser_online = true;
        let actions = self.devices[d].link.online(self.now);
        self.run(d, actions);
    }

    fn close(&mut self, d: usize) {
        let actions = self.devices[d].link.close(self.now);
        self.run(d, actions);
        self.pump();
    }

    /// Every connection drops (a network blip at the relay); it stays reachable.
    fn drop_connections(&mut self) {
        let conns: Vec<u64> = self.conns.keys().copied().collect();
        for conn in conns {
            self.close_conn(conn);
        }
        self.pump();
    }

    fn relay_down(&mut self) {
        self.relay_up = false;
        self.drop_connections();
    }

    /// The relay restarts and has lost every entry: only the room's registration survived.
    fn restart_relay_empty(&mut self) {
        self.drop_connections();
        let kept: Vec<Record> = self
            .durable
            .iter()
            .filter(|r| matches!(r, Record::Registered { .. }))
            .cloned()
            .collect();
        let (room, effects) = Room::restore(ROOM_ID, kept.clone());
        self.room = room;
        self.durable = kept;
        for effect in effects {
            if let room::Effect::Persist(record) = effect {
                self.durable.push(record);
            }
        }
    }

    /// Lets time pass to `now + ms`, waking each link at its deadlines.
    fn advance(&mut self, ms: f64) {
        let until = self.now + ms;
        for _ in 0..100_000 {
            self.pump();
            let next = self
                .devices
                .iter()
                .filter_map(|d| d.link.next_deadline())
                .reduce(f64::min);
            let Some(at) = next.filter(|at| *at <= until) else {
                self.now = until;
                return;
            };
            self.now = self.now.max(at);
            for d in 0..self.devices.len() {
                if self.devices[d]
                    .link
                    .next_deadline()
                    .is_some_and(|t| t <= self.now)
                {
                    let actions = self.devices[d].link.tick(self.now, &mut self.rng);
                    self.run(d, actions);
                }
            }
        }
        panic!("deadlines that never pass");
    }

    fn pump(&mut self) {
        for _ in 0..1_000_000 {
            let Some(event) = self.events.pop_front() else {
                return;
            };
            let now = self.now;
            match event {
                Event::Opened(d, conn) => {
                    if self.devices[d].socket == Some(conn) {
                        let actions = self.devices[d].link.opened(now);
                        self.run(d, actions);
                    }
                }
                Event::ToRelay(conn, frame) => {
                    if !self.conns.contains_key(&conn) {
                        continue;
                    }
                    if frame.len() > self.max_frame {
                        self.turn_away(conn, code::FRAME_TOO_LARGE);
                        continue;
                    }
                    if let Ok(Message::Snapshot { covers_seq, .. }) = wire::decode(&frame) {
                        self.snapshots.push((now, covers_seq));
                    }
                    let mut effects = self.room.frame_received(conn, &frame, &mut self.rng);
                    // A catch-up in steps: this relay's connections take each step at once.
                    while self.room.catching_up(conn) {
                        effects.extend(self.room.send_more(conn));
                    }
                    self.relay(effects);
                }
                Event::ToDevice(d, conn, frame) => {
                    self.largest_to_device = self.largest_to_device.max(frame.len());
                    if self.devices[d].socket == Some(conn) {
                        let actions = self.devices[d].link.frame(&frame, now, &mut self.rng);
                        self.run(d, actions);
                    }
                }
                Event::Closed(d, conn) => {
                    if self.devices[d].socket == Some(conn) {
                        let actions = self.devices[d].link.closed(now, &mut self.rng);
                        self.run(d, actions);
                    }
                }
                Event::Gone(conn) => {
                    if self.conns.remove(&conn).is_some() {
                        self.room.connection_closed(conn);
                    }
                }
            }
        }
        panic!("the network never calms down");
    }

    fn relay(&mut self, effects: Vec<room::Effect>) {
        let mut durable_to = None;
        let mut load = false;
        for effect in effects {
            match effect {
                room::Effect::Send { conn, frame } => {
                    if let Some(&d) = self.conns.get(&conn) {
                        self.events
                            .push_back(Event::ToDevice(d, conn, frame.to_vec()));
                    }
                }
                room::Effect::Close { conn } => self.close_conn(conn),
                room::Effect::Persist(record) => {
                    if let Record::Entry { seq, .. } | Record::Purged { seq, .. } = &record {
                        durable_to = Some(*seq);
                    }
                    if matches!(record, Record::Purged { .. }) {
                        self.durable.retain(|r| {
                            matches!(r, Record::Registered { .. } | Record::Epoch { .. })
                        });
                    }
                    self.durable.push(record);
                }
                room::Effect::Compact { through_seq } => self.durable.retain(|r| match r {
                    Record::Entry { seq, .. } => *seq > through_seq,
                    Record::Snapshot { covers_seq, .. } => *covers_seq >= through_seq,
                    _ => true,
                }),
                room::Effect::LoadLog => load = true,
            }
        }
        if load {
            let effects = self.room.log_loaded(self.durable.clone());
            self.relay(effects);
        }
        if let Some(seq) = durable_to {
            let effects = self.room.durable_up_to(seq);
            self.relay(effects);
        }
    }

    fn close_conn(&mut self, conn: u64) {
        if let Some(d) = self.conns.remove(&conn) {
            self.room.connection_closed(conn);
            self.events.push_back(Event::Closed(d, conn));
        }
    }

    /// The relay's limits, in front of the room: an error frame, then the close.
    fn turn_away(&mut self, conn: u64, code: u16) {
        if let Some(&d) = self.conns.get(&conn) {
            let frame = Message::Error {
                code,
                message: "limit".into(),
            };
            self.events
                .push_back(Event::ToDevice(d, conn, frame.encode()));
            self.close_conn(conn);
        }
    }

    fn open_socket(&mut self, d: usize) {
        let conn = self.next_conn;
        self.next_conn += 1;
        self.devices[d].socket = Some(conn);
        self.devices[d].attempts.push(self.now);
        if !self.relay_up || !self.devices[d].browser_online {
            self.events.push_back(Event::Closed(d, conn));
            return;
        }
        let full = self.room.connection_count() >= self.room_limit;
        self.conns.insert(conn, d);
        self.events.push_back(Event::Opened(d, conn));
        if full {
            self.turn_away(conn, code::ROOM_FULL);
        } else {
            self.room.connection_opened(conn);
        }
    }

    /// The executor: carries out `actions` in order, answering requests at once.
    fn run(&mut self, d: usize, actions: Vec<Action>) {
        for action in actions {
            let now = self.now;
            match action {
                Action::OpenSocket => self.open_socket(d),
                Action::Send(frame) => {
                    if let Some(conn) = self.devices[d].socket {
                        if self.conns.get(&conn) == Some(&d) {
                            self.events.push_back(Event::ToRelay(conn, frame));
                        }
                    }
                }
                Action::CloseSocket => {
                    if let Some(conn) = self.devices[d].socket {
                        self.close_conn(conn);
                    }
                }
                Action::DropSocket => {
                    if let Some(conn) = self.devices[d].socket.take() {
                        self.events.push_back(Event::Gone(conn));
                    }
                }
                Action::Apply(bytes) => {
                    let dev = &mut self.devices[d];
                    dev.doc.load_incremental(&bytes).unwrap();
                    dev.last_sent = dev.doc.get_heads();
                    if dev.link.forwarding() {
                        let more = dev.link.relayed(&digests(&bytes));
                        self.run(d, more);
                    }
                }
                Action::Presence(bytes) => {
                    let beacon = String::from_utf8(bytes).unwrap();
                    self.devices[d].heard.push((now, beacon));
                }
                Action::ClearPeers | Action::ExpirePeers => {}
                Action::Beacon { field, gone } => {
                    let field = field.unwrap_or_default();
                    let beacon = format!("{d}|{field}|{gone}");
                    let more = self.devices[d]
                        .link
                        .beacon(beacon.as_bytes(), now, &mut self.rng);
                    self.run(d, more);
                }
                Action::Save(SaveFor::Snapshot) => {
                    let dev = &mut self.devices[d];
                    dev.saves.push((now, SaveFor::Snapshot));
                    let save = dev.doc.save();
                    let more = dev.link.snapshot(&save, now, &mut self.rng);
                    self.run(d, more);
                }
                Action::Save(SaveFor::FullState) => {
                    let dev = &mut self.devices[d];
                    dev.saves.push((now, SaveFor::FullState));
                    let save = dev.doc.save();
                    dev.last_sent = dev.doc.get_heads();
                    let more = dev.link.full_state(save, now, &mut self.rng);
                    self.run(d, more);
                }
                Action::RememberHeads => {
                    let dev = &mut self.devices[d];
                    let c = dev.link.client();
                    let held = c.caught_up() && c.unacknowledged() == 0 && !c.has_pending();
                    let heads = dev.doc.get_heads();
                    dev.remembered.push(Remembered {
                        at: now,
                        heads,
                        held,
                    });
                }
                Action::Settled => self.devices[d].settled += 1,
                Action::StatusChanged => {
                    let status = self.devices[d].link.status().clone();
                    self.devices[d].shown.push(status);
                }
                Action::Log(line) => self.devices[d].logs.push(line),
                Action::Purged(record) => self.devices[d].purged.push(record),
            }
        }
    }
}

/// A digest per change in `bytes`: its hash, as the app takes it (each change chunk on its
/// own, whatever it depends on).
fn digests(mut bytes: &[u8]) -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        // Magic (4), checksum (4), type (1), then the length as ULEB128.
        let (mut at, mut len, mut shift) = (9, 0usize, 0);
        loop {
            let b = bytes[at];
            at += 1;
            len |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        let (chunk, rest) = bytes.split_at(at + len);
        out.push(automerge::Change::try_from(chunk).unwrap().hash().0);
        bytes = rest;
    }
    out
}

fn remembering() -> Options {
    Options {
        remember: true,
        ..Options::default()
    }
}

/// What `d` heard from device `from`, as (when, field, gone).
fn beacons_from(w: &World, d: usize, from: usize) -> Vec<(f64, String, bool)> {
    w.devices[d]
        .heard
        .iter()
        .filter_map(|(at, b)| {
            let mut parts = b.split('|');
            let who: usize = parts.next()?.parse().ok()?;
            let field = parts.next()?.to_string();
            let gone = parts.next()? == "true";
            (who == from).then_some((*at, field, gone))
        })
        .collect()
}

#[test]
fn a_change_made_while_disconnected_is_sent_after_reconnecting_and_acknowledged() {
    let mut w = World::new(1);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    assert_eq!((w.state(a), w.state(b)), (State::Synced, State::Synced));

    w.relay_down();
    w.type_text(a, "Hallo");
    w.advance(5_000.0);
    assert_eq!(w.status(a).waiting, 1);
    assert_eq!(w.status(a).waiting_since_ms, Some(0.0));
    assert_eq!(w.state(a), State::Unreachable);
    assert_eq!(w.text(b), "");

    w.relay_up = true;
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.text(b), "Hallo");
    assert_eq!(w.status(a).waiting, 0);
    assert_eq!(w.status(a).waiting_since_ms, None);
    assert!(w.devices[a].link.settled());
    assert_eq!((w.state(a), w.state(b)), (State::Synced, State::Synced));
}

#[test]
fn the_backoff_grows_to_fifteen_seconds_and_starts_again_once_live() {
    let mut w = World::new(2);
    w.relay_up = false;
    let a = w.connect(Options::default());
    w.advance(200_000.0);
    let attempts = w.devices[a].attempts.clone();
    assert!(attempts.len() > 12, "kept trying: {attempts:?}");
    for (i, gap) in attempts.windows(2).map(|p| p[1] - p[0]).enumerate() {
        let base = (FIRST_BACKOFF_MS * 2f64.powi(i as i32)).min(MAX_BACKOFF_MS);
        assert!(
            gap >= 0.75 * base && gap < 1.25 * base,
            "wait {i} was {gap} ms, expected about {base} ms"
        );
    }
    // Jitter: the waits are not all the same.
    let gaps: Vec<f64> = attempts.windows(2).map(|p| p[1] - p[0]).collect();
    assert!(gaps[8..].windows(2).any(|g| g[0] != g[1]));

    w.relay_up = true;
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.state(a), State::Synced);
    let dropped_at = w.now;
    let before = w.devices[a].attempts.len();
    w.drop_connections();
    w.advance(1_000.0);
    let next = w.devices[a].attempts[before] - dropped_at;
    assert!(
        (0.75 * FIRST_BACKOFF_MS..1.25 * FIRST_BACKOFF_MS).contains(&next),
        "first wait after being live was {next} ms"
    );
    assert_eq!(w.state(a), State::Synced);
}

#[test]
fn no_attempt_while_offline_and_one_at_once_when_the_network_is_back() {
    let mut w = World::new(3);
    let a = w.connect(Options::default());
    w.advance(1_000.0);
    w.go_offline(a);
    assert_eq!(w.devices[a].socket, None, "the socket is let go at once");
    assert_eq!(w.state(a), State::NoNetwork);
    assert_eq!(w.room.connection_count(), 0);
    let since = w.status(a).since_ms;
    let attempts = w.devices[a].attempts.len();

    w.advance(120_000.0);
    assert_eq!(w.devices[a].attempts.len(), attempts, "no attempt offline");
    assert_eq!(w.state(a), State::NoNetwork);
    assert_eq!(w.status(a).since_ms, since);

    w.go_online(a);
    assert_eq!(w.devices[a].attempts.last(), Some(&w.now), "at once");
    // Connecting is news again once the network is back.
    assert_eq!(w.state(a), State::Connecting);
    w.advance(0.0);
    assert_eq!(w.state(a), State::Synced);
}

#[test]
fn the_indicator_does_not_flip_to_connecting_at_each_retry() {
    let mut w = World::new(4);
    let a = w.connect(Options::default());
    let shown = w.devices[a].shown.len();
    let down_at = w.now;
    w.relay_down();
    w.advance(60_000.0);
    assert!(w.devices[a].attempts.len() > 6);
    let states: Vec<State> = w.devices[a].shown[shown..]
        .iter()
        .map(|s| s.state.clone())
        .collect();
    assert_eq!(states, vec![State::Unreachable]);
    assert_eq!(w.status(a).since_ms, down_at);

    w.relay_up = true;
    w.advance(MAX_BACKOFF_MS * 1.25);
    let states: Vec<State> = w.devices[a].shown[shown..]
        .iter()
        .map(|s| s.state.clone())
        .collect();
    assert_eq!(states, vec![State::Unreachable, State::Synced]);
}

#[test]
fn a_full_room_is_retried_with_its_reason_until_there_is_space() {
    let mut w = World::new(5);
    w.room_limit = 1;
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    assert_eq!(w.status(b).notice.as_deref(), Some(ROOM_FULL_DE));
    assert_eq!(w.state(b), State::Unreachable);
    w.advance(30_000.0);
    assert!(w.devices[b].attempts.len() > 4, "kept trying");
    assert_eq!(w.status(b).notice.as_deref(), Some(ROOM_FULL_DE));

    w.room_limit = 2;
    w.type_text(a, "Platz");
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.state(b), State::Synced);
    assert_eq!(w.status(b).notice, None, "gone once in sync");
    assert_eq!(w.text(b), "Platz");
}

#[test]
fn a_change_too_large_for_the_relay_stays_waiting_and_is_tried_again() {
    let mut w = World::new(6);
    w.max_frame = 4_096;
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    // Random letters: Automerge compresses anything repetitive.
    let long: String = (0..20_000)
        .map(|_| char::from(b'a' + (w.rng.next_u32() % 26) as u8))
        .collect();
    w.type_text(a, &long);
    w.advance(0.0);
    assert_eq!(w.state(a), State::Unreachable);
    let attempts = w.devices[a].attempts.len();
    w.advance(10_000.0);
    assert!(w.devices[a].attempts.len() > attempts + 5, "reconnects");
    assert!(!matches!(w.state(a), State::Refused(_)));
    assert_eq!(w.status(a).waiting, 1, "kept on this device");
    assert_eq!(w.text(b), "");

    w.max_frame = usize::MAX;
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.status(a).waiting, 0);
    assert_eq!(w.state(a), State::Synced);
    assert_eq!(w.status(a).notice, None);
    assert_eq!(w.text(b), long);
}

#[test]
fn a_refused_admission_stops_for_good_with_the_reason() {
    let mut w = World::new(7);
    let _owner = w.connect(Options::default());
    let wrong = DocumentKey::generate(&mut w.rng);
    let stranger = w.add_device(Options::default(), wrong);
    w.start(stranger);
    assert_eq!(w.state(stranger), State::Refused(REFUSED_DE.into()));
    let attempts = w.devices[stranger].attempts.len();
    w.advance(120_000.0);
    w.go_offline(stranger);
    w.go_online(stranger);
    w.advance(120_000.0);
    assert_eq!(w.devices[stranger].attempts.len(), attempts);
    assert_eq!(w.state(stranger), State::Refused(REFUSED_DE.into()));
}

#[test]
fn the_snapshot_waits_for_a_pause_in_anyones_typing() {
    let mut w = World::new(8);
    let a = w.connect(Options {
        snapshot_every: 3,
        ..Options::default()
    });
    let b = w.connect(Options::default());
    for _ in 0..3 {
        w.type_text(a, "a");
        w.advance(100.0);
    }
    // A snapshot is due; the other device types on.
    for _ in 0..5 {
        w.type_text(b, "b");
        w.advance(1_000.0);
    }
    assert!(w.snapshots.is_empty());
    assert!(w.devices[a].saves.is_empty(), "no save while anyone types");
    let last_keystroke = w.now - 1_000.0;
    w.advance(SNAPSHOT_QUIET_MS);
    let made = last_keystroke + SNAPSHOT_QUIET_MS;
    assert_eq!(w.devices[a].saves, vec![(made, SaveFor::Snapshot)]);
    assert_eq!(w.snapshots.len(), 1);
    assert_eq!(w.snapshots[0].0, made);
    assert_eq!(w.room.snapshot_covers(), Some(w.snapshots[0].1));
}

#[test]
fn a_save_the_session_made_anyway_answers_the_waiting_snapshot() {
    let mut w = World::new(9);
    let a = w.connect(Options {
        snapshot_every: 3,
        ..Options::default()
    });
    let _b = w.connect(Options::default());
    // Nothing waits: an offered save is not sent.
    let save = w.devices[a].doc.save();
    let actions = w.devices[a].link.offer_save(&save, w.now, &mut w.rng);
    assert!(actions.is_empty());

    for _ in 0..3 {
        w.type_text(a, "a");
        w.advance(100.0);
    }
    w.advance(SNAPSHOT_QUIET_MS - 500.0);
    let save = w.devices[a].doc.save();
    let actions = w.devices[a].link.offer_save(&save, w.now, &mut w.rng);
    w.run(a, actions);
    w.advance(0.0);
    assert_eq!(w.snapshots.len(), 1);
    assert_eq!(w.snapshots[0].0, w.now);
    w.advance(10_000.0);
    assert!(w.devices[a].saves.is_empty(), "one pause, one save");
    assert_eq!(w.snapshots.len(), 1);
}

#[test]
fn acknowledged_heads_are_remembered_at_most_every_two_seconds() {
    let mut w = World::new(10);
    let a = w.connect(remembering());
    let b = w.connect(Options::default());
    for _ in 0..100 {
        w.type_text(a, "x");
        w.advance(100.0);
    }
    let remembered = &w.devices[a].remembered;
    assert!(remembered.len() >= 4, "{} writes", remembered.len());
    assert!(remembered.len() <= 7, "{} writes", remembered.len());
    for pair in remembered.windows(2) {
        assert!(pair[1].at - pair[0].at >= REMEMBER_EVERY_MS);
    }
    assert!(remembered.iter().all(|r| r.held));
    // The last keystroke's heads follow within the throttle.
    w.advance(REMEMBER_EVERY_MS);
    let heads = w.devices[a].doc.get_heads();
    assert_eq!(
        w.devices[a].remembered.last().map(|r| &r.heads),
        Some(&heads)
    );

    // A device that does not remember never writes.
    assert!(w.devices[b].remembered.is_empty());
}

#[test]
fn heads_are_not_written_for_peers_changes_nor_while_changes_are_in_flight() {
    let mut w = World::new(11);
    let a = w.connect(remembering());
    let b = w.connect(Options::default());
    w.advance(REMEMBER_EVERY_MS);
    let writes = w.devices[a].remembered.len();
    for _ in 0..30 {
        w.type_text(b, "y");
        w.advance(100.0);
    }
    w.advance(5_000.0);
    assert_eq!(w.text(a).len(), 30);
    assert_eq!(w.devices[a].remembered.len(), writes, "peers' typing");

    // Two keystrokes at once: the first is acknowledged while the second is in flight.
    w.type_text(a, "1");
    w.type_text(a, "2");
    w.advance(0.0);
    assert_eq!(w.devices[a].remembered.len(), writes, "not while in flight");
    w.advance(REMEMBER_EVERY_MS);
    let heads = w.devices[a].doc.get_heads();
    let last = w.devices[a].remembered.last().unwrap();
    assert!(last.held);
    assert_eq!(last.heads, heads);
    assert_eq!(w.devices[a].remembered.len(), writes + 1);
}

#[test]
fn presence_goes_out_when_live_on_focus_and_every_ten_seconds() {
    let mut w = World::new(12);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    w.advance(HEARTBEAT_MS * 3.5);
    let times: Vec<f64> = beacons_from(&w, a, b).iter().map(|b| b.0).collect();
    assert_eq!(
        times,
        vec![0.0, HEARTBEAT_MS, 2.0 * HEARTBEAT_MS, 3.0 * HEARTBEAT_MS]
    );

    w.devices[a].heard.clear();
    let actions = w.devices[b].link.set_focus(Some("wuensche".into()), w.now);
    w.run(b, actions);
    let actions = w.devices[b].link.set_focus(Some("wuensche".into()), w.now);
    assert!(actions.is_empty(), "the same field again is not news");
    w.advance(0.0);
    assert_eq!(
        beacons_from(&w, a, b),
        vec![(w.now, "wuensche".to_string(), false)]
    );

    // Not live: nothing goes out, nothing is heard.
    w.go_offline(b);
    w.devices[a].heard.clear();
    w.advance(HEARTBEAT_MS * 3.0);
    assert!(beacons_from(&w, a, b).is_empty());
}

#[test]
fn closing_says_goodbye_and_stops_every_deadline() {
    let mut w = World::new(13);
    let a = w.connect(remembering());
    let b = w.connect(Options::default());
    w.type_text(a, "Ende");
    w.advance(500.0);
    let writes = w.devices[a].remembered.len();
    w.close(a);
    let goodbye = beacons_from(&w, b, a).pop();
    assert_eq!(goodbye, Some((w.now, String::new(), true)));
    assert_eq!(
        w.devices[a].remembered.len(),
        writes + 1,
        "heads kept at the end"
    );
    assert_eq!(w.devices[a].link.next_deadline(), None);
    assert_eq!(w.devices[a].socket, None);
    assert_eq!(w.room.connection_count(), 1);

    let attempts = w.devices[a].attempts.len();
    w.advance(60_000.0);
    w.drop_connections();
    w.advance(60_000.0);
    assert_eq!(w.devices[a].attempts.len(), attempts);
    assert_eq!(beacons_from(&w, b, a).len(), 1);
    let now = w.now;
    let link = &mut w.devices[a].link;
    assert!(link.tick(now + 1e9, &mut w.rng).is_empty());
    assert!(link.online(now).is_empty());
    assert!(link.close(now).is_empty());
}

#[test]
fn the_settled_callback_fires_once() {
    let mut w = World::new(14);
    let a = w.connect(Options::default());
    w.relay_down();
    w.type_text(a, "bald");
    let actions = w.devices[a].link.when_settled();
    assert!(actions.is_empty());
    w.relay_up = true;
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.devices[a].settled, 1);
    w.type_text(a, " mehr");
    w.advance(1_000.0);
    assert_eq!(w.devices[a].settled, 1);
    // Settled already: at once.
    assert_eq!(w.devices[a].link.when_settled(), vec![Action::Settled]);
}

#[test]
fn a_long_day_offline_of_tens_of_megabytes_reaches_everyone_in_frames_under_the_limit() {
    let mut w = World::new(41);
    // A relay that takes frames of at most 2 MiB (parts are 1 MiB).
    w.max_frame = 2 * 1024 * 1024;
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    w.advance(0.0);
    w.go_offline(a);
    let mut blobs = Vec::new();
    for i in 0..12 {
        let mut blob = vec![0u8; 1 << 20];
        w.rng.fill_bytes(&mut blob);
        w.put_blob(a, &format!("anlage-{i}"), blob.clone());
        blobs.push(blob);
    }
    w.type_text(a, "Abschluss");
    w.go_online(a);
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.status(a).waiting, 0, "nothing left waiting");
    assert_eq!(w.state(a), State::Synced);
    assert_eq!(w.status(a).notice, None);
    assert_eq!(w.text(b), "Abschluss");
    for (i, blob) in blobs.iter().enumerate() {
        assert_eq!(w.blob(b, &format!("anlage-{i}")).as_ref(), Some(blob));
    }

    // The relay loses everything: both upload their full state (12 MiB each) in parts, and a
    // device that comes later gets it all.
    w.restart_relay_empty();
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert!(w.devices[a].saves.iter().any(|s| s.1 == SaveFor::FullState));
    let c = w.connect(Options::default());
    w.advance(0.0);
    assert_eq!(w.state(c), State::Synced);
    assert_eq!(w.text(c), "Abschluss");
    for (i, blob) in blobs.iter().enumerate() {
        assert_eq!(w.blob(c, &format!("anlage-{i}")).as_ref(), Some(blob));
    }
    assert!(
        w.largest_to_device <= w.max_frame,
        "{}",
        w.largest_to_device
    );
}

#[test]
fn a_relay_that_lost_everything_gets_the_full_state_back() {
    let mut w = World::new(15);
    let a = w.connect(Options::default());
    let _b = w.connect(Options::default());
    w.type_text(a, "Erhalten");
    w.advance(0.0);
    w.restart_relay_empty();
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert!(w.devices[a].saves.iter().any(|s| s.1 == SaveFor::FullState));
    let newcomer = w.connect(Options::default());
    assert_eq!(w.text(newcomer), "Erhalten");
    assert_eq!(w.state(newcomer), State::Synced);
}

#[test]
fn changes_from_before_the_start_show_connecting_not_unreachable() {
    let mut w = World::new(16);
    let a = w.add_device(Options::default(), w.key.clone());
    w.type_text(a, "vorher");
    assert_eq!(w.state(a), State::Connecting);
    assert_eq!(w.status(a).waiting, 1);
    w.start(a);
    let states: Vec<State> = w.devices[a].shown.iter().map(|s| s.state.clone()).collect();
    assert!(!states.contains(&State::Unreachable), "{states:?}");
    assert_eq!(w.state(a), State::Synced);
    assert_eq!(w.status(a).waiting, 0);
}

#[test]
fn the_browser_offline_at_the_start_shows_no_network_and_waits() {
    let mut w = World::new(17);
    let a = w.add_device(
        Options {
            browser_online: false,
            ..Options::default()
        },
        w.key.clone(),
    );
    w.start(a);
    w.advance(30_000.0);
    assert_eq!(w.state(a), State::NoNetwork);
    assert_eq!(w.devices[a].attempts.len(), 1);
    w.go_online(a);
    w.advance(0.0);
    assert_eq!(w.state(a), State::Synced);
}

#[test]
fn frames_that_make_no_sense_are_skipped() {
    let mut w = World::new(18);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    let mut junk = vec![0u8; 64];
    for i in 0..300 {
        let frame = match i % 3 {
            // A version nobody speaks, cut anywhere (down to nothing at all).
            0 => {
                w.rng.fill_bytes(&mut junk);
                junk[0] = 0xee;
                junk[..i % 64].to_vec()
            }
            // Well-formed, but not what a live connection expects.
            1 => Message::Challenge { challenge: [7; 32] }.encode(),
            _ => Message::Admitted {
                epoch: 9,
                head_seq: 1_000,
            }
            .encode(),
        };
        let actions = w.devices[a].link.frame(&frame, w.now, &mut w.rng);
        w.run(a, actions);
    }
    assert!(w.devices[a]
        .logs
        .iter()
        .any(|l| l.starts_with("frame skipped")));
    w.type_text(a, "weiter");
    w.advance(0.0);
    assert_eq!(w.text(b), "weiter");
    assert_eq!(w.state(a), State::Synced);
}

#[test]
fn a_direct_channels_signal_reaches_the_others_sealed_and_only_while_live() {
    let mut w = World::new(21);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    w.advance(10.0);
    w.devices[b].heard.clear();
    let actions =
        w.devices[a]
            .link
            .signal(b"offer for b", w.now, &mut ChaCha20Rng::seed_from_u64(1));
    w.run(a, actions);
    w.advance(0.0);
    let heard: Vec<&str> = w.devices[b].heard.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(heard, vec!["offer for b"]);
    // Not live: a signal is dropped (the channel is tried again at the next beacon).
    w.go_offline(a);
    w.devices[b].heard.clear();
    let actions = w.devices[a]
        .link
        .signal(b"lost", w.now, &mut ChaCha20Rng::seed_from_u64(2));
    assert!(actions.is_empty());
    w.advance(0.0);
    assert!(w.devices[b].heard.is_empty());
}

#[test]
fn the_indicator_names_the_path_and_keeps_naming_it_without_the_relay() {
    use dreieck_session::status::Path;
    let mut w = World::new(22);
    let a = w.connect(Options::default());
    w.advance(10.0);
    assert_eq!(w.status(a).path(), Path::Server);
    let actions = w.devices[a].link.direct(1, w.now);
    assert!(actions.contains(&Action::StatusChanged));
    w.run(a, actions);
    assert_eq!(w.status(a).path(), Path::Direct);
    w.relay_down();
    w.advance(1_000.0);
    assert_eq!(
        (w.state(a), w.status(a).path()),
        (State::Unreachable, Path::Direct)
    );
    let actions = w.devices[a].link.direct(0, w.now);
    w.run(a, actions);
    assert_eq!(w.status(a).path(), Path::None);
}

#[test]
fn what_came_only_directly_reaches_the_relay_when_this_device_does() {
    let mut w = World::new(40);
    let a = w.connect(remembering());
    let b = w.connect(remembering());
    let c = w.connect(Options::default());
    // At the home visit: no relay, the tablet (a) and the phone (b) connected directly.
    w.relay_down();
    w.type_text(a, "Wünsche: ");
    w.direct(a, b);
    w.type_text(b, "mehr draußen sein");
    w.direct(b, a);
    assert_eq!(w.text(b), "Wünsche: mehr draußen sein");
    // The tablet stays at the office and never reaches the relay again.
    w.close(a);
    w.advance(FORWARD_AFTER_MS * 2.0);
    assert!(
        w.devices[b].link.forwarding(),
        "held while the relay is away"
    );
    assert!(
        w.devices[b].remembered.iter().all(|r| r.at < 1.0),
        "no heads remembered that cover what the relay lacks"
    );
    w.relay_up = true;
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert!(!w.devices[b].link.forwarding());
    assert_eq!(w.text(c), "Wünsche: mehr draußen sein");
    assert!(w.devices[b].link.settled());
    let last = w.devices[b]
        .remembered
        .last()
        .map(|r| (r.heads.clone(), r.held));
    assert_eq!(last, Some((w.devices[b].doc.get_heads(), true)));
}

#[test]
fn a_keystroke_its_author_sent_to_the_relay_is_not_sent_again() {
    let mut w = World::new(41);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    let before = w.entries();
    for word in ["Ich ", "möchte ", "allein ", "einkaufen."] {
        // The direct channel is faster than the relay: b has it before the relay brings it.
        w.type_text(a, word);
        w.direct(a, b);
        w.advance(50.0);
    }
    // And once the other way round: the relay first, then the direct channel (nothing new).
    w.type_text(a, "!");
    w.advance(50.0);
    w.direct(a, b);
    w.advance(FORWARD_AFTER_MS * 3.0);
    assert_eq!(w.text(b), "Ich möchte allein einkaufen.!");
    assert!(!w.devices[b].link.forwarding());
    assert_eq!(
        w.entries() - before,
        5,
        "each of a's changes once, none from b"
    );
}

#[test]
fn what_came_directly_is_passed_on_when_its_author_is_away_from_the_relay() {
    // The tablet reaches the phone over its hotspot but has no internet; the phone has.
    let mut w = World::new(42);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    let c = w.connect(Options::default());
    w.go_offline(a);
    let before = w.entries();
    w.type_text(a, "Termin am Dienstag");
    w.direct(a, b);
    w.advance(FORWARD_AFTER_MS - 10.0);
    assert_eq!(
        w.text(c),
        "",
        "not yet: the author may still send it itself"
    );
    w.advance(20.0);
    assert_eq!(w.text(c), "Termin am Dienstag");
    assert_eq!(w.entries() - before, 1);
}

#[test]
fn a_purge_stops_every_link_with_its_reason_and_a_device_offline_learns_it_on_return() {
    let mut w = World::new(31);
    let a = w.connect(Options::default());
    let b = w.connect(Options::default());
    let c = w.connect(Options::default());
    w.type_text(a, "Hallo");
    w.advance(1_000.0);
    assert_eq!(w.text(c), "Hallo");
    w.go_offline(c);
    w.type_text(c, " offline");
    w.advance(1_000.0);

    let now = w.now;
    let actions = w.devices[a]
        .link
        .purge(b"record", now, &mut w.rng)
        .expect("live");
    w.run(a, actions);
    w.advance(1_000.0);
    let purged_de = "Dieser Bericht wurde auf dem Server für alle gelöscht.";
    for d in [a, b] {
        assert_eq!(w.devices[d].purged, vec![b"record".to_vec()]);
        assert_eq!(w.state(d), State::Refused(purged_de.into()));
    }
    assert_eq!(w.entries(), 0, "the relay keeps no entry");

    w.go_online(c);
    w.advance(MAX_BACKOFF_MS * 1.25);
    assert_eq!(w.devices[c].purged, vec![b"record".to_vec()]);
    assert_eq!(w.state(c), State::Refused(purged_de.into()));
    assert_eq!(w.entries(), 0, "nothing written offline reached the relay");
    // Stopped for good: no more attempts.
    let attempts: Vec<usize> = [a, b, c]
        .iter()
        .map(|d| w.devices[*d].attempts.len())
        .collect();
    w.advance(120_000.0);
    let later: Vec<usize> = [a, b, c]
        .iter()
        .map(|d| w.devices[*d].attempts.len())
        .collect();
    assert_eq!(attempts, later);
    // A device with nothing live cannot ask for a purge.
    let now = w.now;
    assert!(w.devices[c].link.purge(b"again", now, &mut w.rng).is_none());
}

/// The check of closed reports (a probe) is admitted and fetches nothing of the report: no
/// catch-up, no fan-out of what others type meanwhile.
#[test]
fn a_probe_is_admitted_and_receives_nothing_of_the_report() {
    let mut w = World::new(31);
    let a = w.connect(Options::default());
    w.type_text(a, "Aquarellmalerei");
    w.advance(1_000.0);
    let probe = w.connect(Options {
        probe: true,
        ..Options::default()
    });
    w.advance(1_000.0);
    assert!(w.devices[probe].link.admitted());
    w.type_text(a, " im Stadtteiltreff");
    w.advance(1_000.0);
    assert_eq!(w.text(probe), "", "nothing of the report reached the probe");
    // A device of the room that is not a probe gets all of it.
    let b = w.connect(Options::default());
    w.advance(1_000.0);
    assert_eq!(w.text(b), "Aquarellmalerei im Stadtteiltreff");
}

/// A local change larger than the relay takes is never sent, and the indicator says so for
/// as long as the report is open, in sync or not: what is written after it reaches the relay,
/// but the others cannot use it.
#[test]
fn a_local_change_beyond_what_the_relay_takes_is_said_for_as_long_as_the_report_is_open() {
    let mut w = World::new(32);
    let a = w.connect(Options::default());
    let _b = w.connect(Options::default());
    let huge = vec![7u8; dreieck_sync::client::MAX_CHANGE_SIZE + 1];
    let actions = w.devices[a].link.local_change(&huge, w.now, &mut w.rng);
    w.run(a, actions);
    w.advance(1_000.0);
    assert_eq!(w.status(a).notice.as_deref(), Some(TOO_LARGE_TEXT));
    assert_eq!(w.status(a).waiting, 0, "it does not wait: it can never go");
    assert_eq!(w.entries(), 0, "nothing of it reached the relay");
    w.type_text(a, "weiter");
    w.advance(5_000.0);
    assert_eq!(w.state(a), State::Synced);
    assert_eq!(
        w.status(a).notice.as_deref(),
        Some(TOO_LARGE_TEXT),
        "still said once in sync"
    );
}

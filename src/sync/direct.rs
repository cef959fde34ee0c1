//! A shared report's direct channels to the other devices in its room.
//!
//! While two devices are connected to the relay, the first to hear the other's presence offers
//! a WebRTC data channel to it; offer and answer travel sealed as presence messages
//! (`dreieck_sync::direct::Signal`), so the relay forwards them without reading them. Once
//! the channel is open, both speak `dreieck_sync::direct` on it: every change goes to the
//! relay (the durable copy) and directly, a peer's keystroke arrives the short way, and when
//! the relay goes away the channel carries on alone. Changes that arrive twice (directly and
//! through the relay) are applied once by Automerge; everything goes through the report's
//! gate as from the relay.
//!
//! Where there is no server, the same channels are found by QR codes instead of signals
//! ([`Directs::show_offer`], [`Directs::scanned`], `views/direct_dialog.rs`). Another member
//! can make a device open at most [`MAX_CHANNELS`] channels, and cannot replace an open one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use automerge::ChangeHash;
use dreieck_model::live;
use dreieck_sync::direct::{Card, Direct, Effect, Signal};
use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::sdp::Compact;
use dreieck_sync::RoomId;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::state::platform::now_ms;
use crate::sync::link::LinkedDoc;
use crate::sync::peer_connection::{self, PeerConnection, PeerEvent};
use crate::sync::rng::WebRng;

/// At most this many channels (open or on their way) per report: more devices than a room
/// holds (the relay's limit is 32) do not meet at one table.
const MAX_CHANNELS: usize = 16;

/// An offer not answered and opened within this long is given up; the next beacon from that
/// device tries again.
const OFFER_TIMEOUT_MS: f64 = 15_000.0;

type SendSignal = dyn Fn(&[u8]);

/// What the direct channels need from their link. Called with no borrow held: the link may
/// call back into the channels.
#[derive(Clone)]
pub struct Hooks {
    /// Sends a signal to the room (sealed as presence by the relay's client).
    pub send_signal: Rc<SendSignal>,
    /// A presence beacon that came directly.
    pub presence: Rc<dyn Fn(Vec<u8>)>,
    /// How many channels are open changed.
    pub changed: Rc<dyn Fn()>,
    /// Changes that came over a channel and were new here (to pass on to the relay).
    pub received: Rc<dyn Fn(Vec<u8>)>,
}

struct Peer {
    conn: PeerConnection,
    protocol: Option<Direct>,
    since_ms: f64,
    /// Found by QR codes: where this side's description is shown (as the card's text), instead
    /// of being sent through the relay.
    card: Option<ArcRwSignal<Option<String>>>,
}

/// What a scanned code was.
pub enum Scanned {
    /// The other device's offer: this device answers, and shows its answer in the signal given.
    Offer,
    /// The answer to this device's offer: the channel is on its way.
    Answer,
}

struct Inner {
    me: String,
    room: RoomId,
    key: [u8; 32],
    doc: Weak<dyn LinkedDoc>,
    hooks: Hooks,
    peers: HashMap<String, Peer>,
}

/// The direct channels of one link; a cheap handle.
#[derive(Clone)]
pub struct Directs(Rc<RefCell<Inner>>);

impl Directs {
    /// `me`: this editor's presence id.
    pub fn new(
        me: &str,
        room: RoomId,
        key: [u8; 32],
        doc: &Rc<dyn LinkedDoc>,
        hooks: Hooks,
    ) -> Directs {
        Directs(Rc::new(RefCell::new(Inner {
            me: me.to_string(),
            room,
            key,
            doc: Rc::downgrade(doc),
            hooks,
            peers: HashMap::new(),
        })))
    }

    /// Channels open now.
    pub fn open_count(&self) -> usize {
        self.0
            .borrow()
            .peers
            .values()
            .filter(|p| p.protocol.as_ref().is_some_and(Direct::is_open))
            .count()
    }

    /// A device's beacon came through the relay: offer it a channel unless one is open or on
    /// its way. Both sides may offer at once; then the offer of the side whose id sorts first
    /// wins (see [`Directs::signal`]).
    pub fn heard(&self, peer: &str) {
        let now = now_ms();
        {
            let inner = self.0.borrow();
            if peer.is_empty()
                || inner.me.as_str() == peer
                || !peer_connection::available()
                || !crate::sync::link::browser_online()
            {
                return;
            }
            if inner
                .peers
                .get(peer)
                .is_some_and(|p| p.protocol.is_some() || now - p.since_ms < OFFER_TIMEOUT_MS)
            {
                return;
            }
        }
        // Offers nobody answered are given up, so they do not hold places.
        let stale: Vec<Peer> = {
            let mut inner = self.0.borrow_mut();
            let ids: Vec<String> = inner
                .peers
                .iter()
                // (Not a code shown on screen: reading it may take a while.)
                .filter(|(_, p)| {
                    p.card.is_none() && p.protocol.is_none() && now - p.since_ms >= OFFER_TIMEOUT_MS
                })
                .map(|(k, _)| k.clone())
                .collect();
            ids.iter().filter_map(|k| inner.peers.remove(k)).collect()
        };
        if !stale.is_empty() {
            spawn_local(async move { drop(stale) });
        }
        if self.0.borrow().peers.len() >= MAX_CHANNELS {
            return;
        }
        let handler = self.handler(peer);
        match PeerConnection::offer(handler) {
            Ok(conn) => self.insert(peer, conn, now),
            Err(e) => leptos::logging::warn!("direct: {e}"),
        }
    }

    /// A signal through the relay (any device's; only those meant for this one are taken).
    pub fn signal(&self, signal: Signal) {
        if signal.to != self.0.borrow().me || signal.from.is_empty() {
            return;
        }
        if signal.offer {
            let refuse = {
                let inner = self.0.borrow();
                let existing = inner.peers.get(&signal.from);
                // Both offered at once: the offer of the side whose id sorts first wins.
                let mine_wins = inner.me < signal.from
                    && existing.is_some_and(|p| p.conn.offering() && p.protocol.is_none());
                // An open channel is not replaced by an offer naming its id (a device that
                // reloads has a new id): a member could otherwise cut other members' channels.
                let open = existing.is_some_and(|p| p.protocol.is_some());
                // Every offer costs a connection: a member sending offers without end gets
                // no more than a room's worth.
                let full = existing.is_none() && inner.peers.len() >= MAX_CHANNELS;
                mine_wins || open || full
            };
            if refuse || !crate::sync::link::browser_online() {
                return;
            }
            let handler = self.handler(&signal.from);
            match PeerConnection::answer(&signal.sdp, handler) {
                Ok(conn) => self.insert(&signal.from, conn, now_ms()),
                Err(e) => leptos::logging::warn!("direct: {e}"),
            }
        } else {
            let conn = self
                .0
                .borrow()
                .peers
                .get(&signal.from)
                .map(|p| p.conn.clone());
            if let Some(conn) = conn {
                conn.accept(&signal.sdp);
            }
        }
    }

    /// Where there is no server: this device offers a channel and shows the offer as a code
    /// (its text appears in `shown` once the description is complete).
    pub fn show_offer(&self, shown: ArcRwSignal<Option<String>>) -> Result<(), String> {
        if !peer_connection::available() {
            return Err("Dieser Browser kann keine direkte Verbindung aufbauen.".into());
        }
        let id = card_peer_id()?;
        let conn = PeerConnection::offer(self.handler(&id))?;
        // One offer shown at a time: a new one replaces the one not answered yet.
        let stale: Vec<String> = self
            .0
            .borrow()
            .peers
            .iter()
            .filter(|(_, p)| p.card.is_some() && p.conn.offering() && p.protocol.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            let gone = self.0.borrow_mut().peers.remove(&k);
            spawn_local(async move { drop(gone) });
        }
        self.insert_peer(&id, conn, now_ms(), Some(shown));
        Ok(())
    }

    /// A code the camera read: the other device's offer (this device answers and shows the
    /// answer in `shown`), or the answer to this device's offer. The German reason when it is
    /// neither.
    pub fn scanned(
        &self,
        text: &str,
        shown: ArcRwSignal<Option<String>>,
    ) -> Result<Scanned, String> {
        let card = {
            let inner = self.0.borrow();
            Card::open(text, &inner.room, &DocumentKey::from_bytes(inner.key))
        };
        let card = card.map_err(|e| match e {
            dreieck_sync::Error::UnknownKind(_) => {
                "Das ist kein Code für eine direkte Verbindung.".to_string()
            }
            dreieck_sync::Error::Authentication => {
                "Dieser Code gehört zu einem anderen Bericht.".to_string()
            }
            _ => "Der Code ist nicht lesbar. Bitte noch einmal scannen.".to_string(),
        })?;
        if card.offer {
            let id = card_peer_id()?;
            let conn = PeerConnection::answer(&card.description.to_sdp(), self.handler(&id))?;
            self.insert_peer(&id, conn, now_ms(), Some(shown));
            return Ok(Scanned::Offer);
        }
        let waiting = self
            .0
            .borrow()
            .peers
            .values()
            .find(|p| p.card.is_some() && p.conn.offering() && p.protocol.is_none())
            .map(|p| p.conn.clone());
        match waiting {
            Some(conn) => {
                conn.accept(&card.description.to_sdp());
                Ok(Scanned::Answer)
            }
            None => Err(
                "Dieses Gerät hat keinen Code gezeigt, auf den das eine Antwort wäre. \
                 Bitte zuerst hier „Code zeigen“ wählen."
                    .into(),
            ),
        }
    }

    /// A local change (in the relay's payload format) for every open channel.
    pub fn send_item(&self, item: &[u8]) {
        self.each_open(|direct| direct.send_item(item, &mut WebRng));
    }

    /// This device's presence beacon for every open channel.
    pub fn send_presence(&self, beacon: &[u8]) {
        self.each_open(|direct| direct.send_presence(beacon, &mut WebRng));
    }

    /// Closes every channel (more may open later, at the next beacon).
    pub fn close(&self) {
        let peers: Vec<Peer> = self.0.borrow_mut().peers.drain().map(|(_, p)| p).collect();
        if !peers.is_empty() {
            self.changed();
        }
        // Closing may be asked from inside a channel's handler (a change it carried moved the
        // report): the channels are dropped after it.
        spawn_local(async move { drop(peers) });
    }

    fn each_open(
        &self,
        mut f: impl FnMut(&mut Direct) -> Result<Vec<Effect>, dreieck_sync::Error>,
    ) {
        let mut inner = self.0.borrow_mut();
        for peer in inner.peers.values_mut() {
            let Some(direct) = peer.protocol.as_mut().filter(|d| d.is_open()) else {
                continue;
            };
            match f(direct) {
                Ok(effects) => {
                    for effect in effects {
                        if let Effect::Send(bytes) = effect {
                            peer.conn.send(&bytes);
                        }
                    }
                }
                Err(e) => leptos::logging::warn!("direct: not sent: {e}"),
            }
        }
    }

    fn insert(&self, peer: &str, conn: PeerConnection, now: f64) {
        self.insert_peer(peer, conn, now, None);
    }

    fn insert_peer(
        &self,
        peer: &str,
        conn: PeerConnection,
        now: f64,
        card: Option<ArcRwSignal<Option<String>>>,
    ) {
        let old = self.0.borrow_mut().peers.insert(
            peer.to_string(),
            Peer {
                conn,
                protocol: None,
                since_ms: now,
                card,
            },
        );
        // A channel replaced (the other device reloaded): closed later, not inside a handler
        // that may be its own.
        if let Some(old) = old {
            spawn_local(async move { drop(old) });
        }
    }

    fn handler(&self, peer: &str) -> impl Fn(PeerEvent) + 'static {
        let weak = Rc::downgrade(&self.0);
        let peer = peer.to_string();
        move |event| {
            if let Some(inner) = weak.upgrade() {
                Directs(inner).on_event(&peer, event);
            }
        }
    }

    fn on_event(&self, peer: &str, event: PeerEvent) {
        match event {
            PeerEvent::Described(sdp) => {
                let (signal, send) = {
                    let inner = self.0.borrow();
                    let Some(p) = inner.peers.get(peer) else {
                        return;
                    };
                    if let Some(shown) = &p.card {
                        let text = Compact::from_sdp(&sdp).and_then(|description| {
                            let card = Card {
                                offer: p.conn.offering(),
                                description,
                            };
                            card.seal(
                                &inner.room,
                                &DocumentKey::from_bytes(inner.key),
                                &mut WebRng,
                            )
                        });
                        match text {
                            Ok(text) => shown.set(Some(text)),
                            Err(e) => leptos::logging::warn!("direct: no code: {e}"),
                        }
                        return;
                    }
                    let signal = Signal {
                        from: inner.me.clone(),
                        to: peer.to_string(),
                        offer: p.conn.offering(),
                        sdp,
                    };
                    (signal, inner.hooks.send_signal.clone())
                };
                send(&signal.encode());
            }
            PeerEvent::Open => self.opened(peer),
            PeerEvent::Message(bytes) => self.message(peer, &bytes),
            PeerEvent::Closed => {
                let gone = self.0.borrow_mut().peers.remove(peer);
                if let Some(gone) = gone {
                    // Not dropped inside its own handler.
                    spawn_local(async move { drop(gone) });
                    self.changed();
                }
            }
        }
    }

    /// The channel opened: say hello with this document's heads.
    fn opened(&self, peer: &str) {
        let heads: Vec<[u8; 32]> = {
            let doc = self.0.borrow().doc.upgrade();
            doc.and_then(|d| d.heads())
                .unwrap_or_default()
                .iter()
                .map(|h| h.0)
                .collect()
        };
        let mut inner = self.0.borrow_mut();
        let (room, key) = (inner.room, DocumentKey::from_bytes(inner.key));
        let Some(p) = inner.peers.get_mut(peer) else {
            return;
        };
        match Direct::open(room, key, &heads, &mut WebRng) {
            Ok((direct, effects)) => {
                p.protocol = Some(direct);
                for effect in effects {
                    if let Effect::Send(bytes) = effect {
                        p.conn.send(&bytes);
                    }
                }
            }
            Err(e) => leptos::logging::warn!("direct: {e}"),
        }
    }

    fn message(&self, peer: &str, bytes: &[u8]) {
        let result = {
            let mut inner = self.0.borrow_mut();
            let Some(direct) = inner.peers.get_mut(peer).and_then(|p| p.protocol.as_mut()) else {
                return;
            };
            direct.on_message(bytes)
        };
        let effects = match result {
            Ok(effects) => effects,
            // Refused like a frame from the relay that does not authenticate: named, skipped.
            Err(e) => {
                leptos::logging::warn!("direct: message refused: {e}");
                return;
            }
        };
        for effect in effects {
            match effect {
                Effect::Send(bytes) => {
                    let conn = self.0.borrow().peers.get(peer).map(|p| p.conn.clone());
                    if let Some(conn) = conn {
                        conn.send(&bytes);
                    }
                }
                Effect::Open { peer_heads } => {
                    // Everything the peer's heads do not cover, then the changes as they come.
                    let doc = self.0.borrow().doc.upgrade();
                    let heads: Vec<ChangeHash> = peer_heads.into_iter().map(ChangeHash).collect();
                    if let Some(bytes) = doc.and_then(|d| d.save_after(&heads)) {
                        let item = live::encode_item(&bytes, None);
                        self.send_to(peer, &item);
                    }
                    self.changed();
                }
                Effect::Apply(item) => {
                    let doc = self.0.borrow().doc.upgrade();
                    if let Some(doc) = doc {
                        match doc.apply_new(&item) {
                            Ok(true) => {
                                let received = self.0.borrow().hooks.received.clone();
                                received(item);
                            }
                            Ok(false) => {}
                            Err(e) => leptos::logging::warn!("direct: changes refused: {e}"),
                        }
                    }
                }
                Effect::Presence(beacon) => {
                    let hear = self.0.borrow().hooks.presence.clone();
                    hear(beacon);
                }
            }
        }
    }

    fn changed(&self) {
        let changed = self.0.borrow().hooks.changed.clone();
        changed();
    }

    fn send_to(&self, peer: &str, item: &[u8]) {
        let mut inner = self.0.borrow_mut();
        let Some(p) = inner.peers.get_mut(peer) else {
            return;
        };
        let Some(direct) = p.protocol.as_mut() else {
            return;
        };
        match direct.send_item(item, &mut WebRng) {
            Ok(effects) => {
                for effect in effects {
                    if let Effect::Send(bytes) = effect {
                        p.conn.send(&bytes);
                    }
                }
            }
            Err(e) => leptos::logging::warn!("direct: not sent: {e}"),
        }
    }
}

/// A name for a channel found by codes (it has no presence id).
fn card_peer_id() -> Result<String, String> {
    Ok(format!("karte-{}", crate::state::platform::random_id()?))
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use automerge::ChangeHash;
    use dreieck_sync::direct::Signal;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{Directs, Hooks, MAX_CHANNELS};
    use crate::state::test_support::{sleep, until};
    use crate::sync::link::LinkedDoc;
    use crate::sync::peer_connection::{PeerConnection, PeerEvent};

    /// A document that has nothing and takes everything.
    struct Empty;

    impl LinkedDoc for Empty {
        fn apply(&self, _: &[u8]) -> Result<(), String> {
            Ok(())
        }
        fn save(&self) -> Option<Vec<u8>> {
            Some(Vec::new())
        }
        fn save_after(&self, _: &[ChangeHash]) -> Option<Vec<u8>> {
            Some(Vec::new())
        }
        fn heads(&self) -> Option<Vec<ChangeHash>> {
            Some(Vec::new())
        }
    }

    type Outbox = Rc<RefCell<Vec<Vec<u8>>>>;

    /// A device's channels, its signals caught in an outbox instead of going to a relay.
    fn device(me: &str, doc: &Rc<dyn LinkedDoc>) -> (Directs, Outbox) {
        let outbox: Outbox = Rc::new(RefCell::new(Vec::new()));
        let sent = outbox.clone();
        let hooks = Hooks {
            send_signal: Rc::new(move |b: &[u8]| sent.borrow_mut().push(b.to_vec())),
            presence: Rc::new(|_| {}),
            changed: Rc::new(|| {}),
            received: Rc::new(|_| {}),
        };
        (Directs::new(me, [7; 16], [9; 32], doc, hooks), outbox)
    }

    /// Delivers every signal waiting in `from` to `to`.
    fn deliver(from: &Outbox, to: &Directs) {
        for bytes in from.borrow_mut().drain(..) {
            if let Some(signal) = Signal::decode(&bytes) {
                to.signal(signal);
            }
        }
    }

    /// A genuine offer's description (any browser's will do for the hostile member).
    async fn some_offer() -> (PeerConnection, String) {
        let sdp = Rc::new(RefCell::new(None));
        let s = sdp.clone();
        let pc = PeerConnection::offer(move |e| {
            if let PeerEvent::Described(d) = e {
                *s.borrow_mut() = Some(d);
            }
        })
        .expect("offer");
        until("described", || sdp.borrow().is_some()).await;
        let text = sdp.borrow().clone().unwrap_or_default();
        (pc, text)
    }

    #[wasm_bindgen_test]
    async fn a_member_can_neither_cut_an_open_channel_nor_make_a_device_open_many() {
        let doc: Rc<dyn LinkedDoc> = Rc::new(Empty);
        let (a, a_out) = device("aaaa", &doc);
        let (b, b_out) = device("bbbb", &doc);
        // A hears B at the relay and offers; the signals go back and forth.
        a.heard("bbbb");
        until("the offer", || !a_out.borrow().is_empty()).await;
        deliver(&a_out, &b);
        until("the answer", || !b_out.borrow().is_empty()).await;
        deliver(&b_out, &a);
        until("the channel opens on both", || {
            a.open_count() == 1 && b.open_count() == 1
        })
        .await;

        // A hostile member offers to B in A's name: B keeps its channel to A.
        let (_pc, sdp) = some_offer().await;
        b.signal(Signal {
            from: "aaaa".into(),
            to: "bbbb".into(),
            offer: true,
            sdp: sdp.clone(),
        });
        sleep(200).await;
        assert_eq!(b.open_count(), 1, "the open channel stays");
        assert!(b_out.borrow().is_empty(), "nothing answered in A's name");

        // ... and offers under ever new names: B answers no more than a room's worth.
        for i in 0..(MAX_CHANNELS + 10) {
            b.signal(Signal {
                from: format!("x{i:03}"),
                to: "bbbb".into(),
                offer: true,
                sdp: sdp.clone(),
            });
        }
        assert!(b.0.borrow().peers.len() <= MAX_CHANNELS);
        assert_eq!(b.open_count(), 1);
        a.close();
        b.close();
    }
}

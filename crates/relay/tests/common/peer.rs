//! Devices and relays for the sync tests: a relay on a port of its own, raw sockets, and
//! [`Peer`], a device driven by `dreieck_sync::client::Client` with real keys.

use std::net::SocketAddr;
use std::time::Duration;

use dreieck_relay::{Server, SyncLimits, DATABASE_FILE};
use dreieck_sync::client::{self, Client, Config as ClientConfig};
use dreieck_sync::envelope::DocumentKey;
use dreieck_sync::parts::{Assembler, MAX_MESSAGE_SIZE};
use dreieck_sync::wire::{self, Message};
use dreieck_sync::RoomId;
use futures_util::{SinkExt as _, StreamExt as _};
use rand_core::OsRng;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::TestApp;

pub const LIMIT: Duration = Duration::from_secs(30);

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A relay serving on 127.0.0.1:0 with its own temporary directories.
pub struct Running {
    pub test: TestApp,
    pub addr: SocketAddr,
    pub stop: tokio::sync::oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<Result<(), dreieck_relay::Error>>,
}

pub async fn start(test: TestApp) -> Running {
    let server = Server::bind(&test.config).await.expect("binds");
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Running {
        test,
        addr,
        stop,
        task,
    }
}

pub async fn start_with(limits: SyncLimits) -> Running {
    let mut test = super::built_app();
    test.config.limits = limits;
    start(test).await
}

impl Running {
    /// Graceful shutdown; returns the directories for a restart.
    pub async fn stop(self) -> TestApp {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(LIMIT, self.task)
            .await
            .expect("stops in time")
            .expect("not panicked");
        assert!(result.is_ok(), "{result:?}");
        self.test
    }

    pub fn database_bytes(&self) -> Vec<u8> {
        if let Some(url) = &self.test.config.database {
            return super::postgres_bytes(url);
        }
        let data = &self.test.config.data;
        let mut bytes = std::fs::read(data.join(DATABASE_FILE)).expect("database file");
        if let Ok(wal) = std::fs::read(data.join(format!("{DATABASE_FILE}-wal"))) {
            bytes.extend(wal);
        }
        bytes
    }
}

pub async fn raw(addr: SocketAddr) -> Ws {
    let (ws, _) = tokio::time::timeout(
        LIMIT,
        tokio_tungstenite::connect_async(format!("ws://{addr}/sync")),
    )
    .await
    .expect("connects in time")
    .expect("WebSocket handshake");
    ws
}

/// The next binary frame, decoded; `None` once the relay closed.
pub async fn next_message<S>(ws: &mut S) -> Option<Message>
where
    S: futures_util::Stream<Item = Result<WsMessage, tokio_tungstenite::tungstenite::Error>>
        + Unpin,
{
    loop {
        let message = tokio::time::timeout(LIMIT, ws.next())
            .await
            .expect("a frame or a close in time");
        match message {
            Some(Ok(WsMessage::Binary(frame))) => {
                return Some(wire::decode(&frame).expect("relay frames decode"))
            }
            Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => {}
            Some(Ok(WsMessage::Text(text))) => panic!("relay sent text: {text}"),
        }
    }
}

/// The relay answers with `Error{code}` and then closes.
pub async fn expect_refusal(ws: &mut Ws, expected: u16) {
    match next_message(ws).await {
        Some(Message::Error { code, .. }) => assert_eq!(code, expected, "error code"),
        other => panic!("expected Error({expected}), got {other:?}"),
    }
    assert_eq!(next_message(ws).await, None, "closed after the error");
}

pub async fn send(ws: &mut Ws, frame: Vec<u8>) {
    ws.send(WsMessage::Binary(frame.into()))
        .await
        .expect("send");
}

/// A device: the protocol client and its socket, recording what the client asked for. It
/// writes through a task of its own, as a browser's socket buffers what is sent: a device
/// sending a large message while the relay sends it one must not wait for either.
pub struct Peer {
    pub ws: futures_util::stream::SplitStream<Ws>,
    pub out: tokio::sync::mpsc::UnboundedSender<WsMessage>,
    pub writer: tokio::task::JoinHandle<()>,
    pub client: Client,
    pub applied: Vec<Vec<u8>>,
    pub acked: u64,
    pub errors: Vec<u16>,
    pub presence: usize,
    /// Sequence numbers of what did not open (`Effect::Rejected`).
    pub rejected: Vec<u64>,
    /// Snapshot frames this device sent.
    pub snapshots_sent: usize,
    /// Everything this device wrote, for `FullStateWanted`.
    pub everything: Vec<u8>,
    /// Joins what this device sent, to count its snapshots.
    pub sent: Assembler,
    /// The largest frame this device sent.
    pub largest_sent: usize,
    /// The sealed bytes of every Append this device sent (what the relay stores).
    pub appended: Vec<Vec<u8>>,
    /// Deletion records the relay handed over (`Effect::Purged`).
    pub purged: Vec<Vec<u8>>,
}

impl Peer {
    pub async fn join(addr: SocketAddr, room: RoomId, key: &DocumentKey) -> Peer {
        let client = Client::new(
            room,
            key.clone(),
            ClientConfig {
                snapshot_every: 0,
                ..Default::default()
            },
        );
        Peer::connect(addr, client).await
    }

    pub async fn connect(addr: SocketAddr, client: Client) -> Peer {
        Peer::resume(addr, client, Vec::new()).await
    }

    /// Connects again with what the device wrote so far (its full state, should the relay
    /// ask for it).
    pub async fn resume(addr: SocketAddr, client: Client, everything: Vec<u8>) -> Peer {
        let mut peer = Peer::open(addr, client, everything).await;
        peer.until(|p| p.client.status() == client::Status::Live)
            .await;
        peer
    }

    /// Connects as the app does after a failure: again at once whenever the relay refuses,
    /// until the connection is live (or [`LIMIT`] has passed).
    pub async fn reconnect(addr: SocketAddr, mut client: Client, mut everything: Vec<u8>) -> Peer {
        let deadline = tokio::time::Instant::now() + LIMIT;
        loop {
            assert!(tokio::time::Instant::now() < deadline, "live again in time");
            let mut peer = Peer::open(addr, client, everything).await;
            if peer
                .until_or_closed(|p| p.client.status() == client::Status::Live)
                .await
            {
                return peer;
            }
            everything = std::mem::take(&mut peer.everything);
            client = peer.close().await;
        }
    }

    /// Opens the socket and sends what the client has to say first (not waiting to be live).
    pub async fn open(addr: SocketAddr, mut client: Client, everything: Vec<u8>) -> Peer {
        let effects = client.connected();
        let (mut sink, ws) = raw(addr).await.split();
        let (out, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<WsMessage>();
        let writer = tokio::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let mut peer = Peer {
            ws,
            out,
            writer,
            client,
            applied: Vec::new(),
            acked: 0,
            errors: Vec::new(),
            presence: 0,
            rejected: Vec::new(),
            snapshots_sent: 0,
            everything,
            sent: Assembler::default(),
            largest_sent: 0,
            appended: Vec::new(),
            purged: Vec::new(),
        };
        peer.run(effects).await;
        peer
    }

    pub async fn run(&mut self, effects: Vec<client::Effect>) {
        let mut queue = std::collections::VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            match effect {
                client::Effect::Send(frame) => {
                    self.largest_sent = self.largest_sent.max(frame.len());
                    let whole = self.sent.accept(&frame).expect("parts in order");
                    match whole.map(|w| wire::decode_with_limit(&w, MAX_MESSAGE_SIZE)) {
                        Some(Ok(Message::Snapshot { .. })) => self.snapshots_sent += 1,
                        Some(Ok(Message::Append { sealed, .. })) => self.appended.push(sealed),
                        _ => {}
                    }
                    let _ = self.out.send(WsMessage::Binary(frame.into()));
                }
                client::Effect::Rejected { seq, .. } => self.rejected.push(seq),
                client::Effect::Apply(bytes) => self.applied.push(bytes),
                client::Effect::Acknowledged { local_changes, .. } => self.acked = local_changes,
                client::Effect::RelayError { code, .. } => self.errors.push(code),
                client::Effect::Presence(_) => self.presence += 1,
                client::Effect::FullStateWanted => {
                    let more = self
                        .client
                        .on_full_state(self.everything.clone(), &mut OsRng)
                        .expect("full state");
                    queue.extend(more);
                }
                client::Effect::SnapshotDue => {}
                client::Effect::Purged(record) => self.purged.push(record),
            }
        }
    }

    /// Feeds frames from the relay to the client until `done` holds.
    pub async fn until(&mut self, done: impl Fn(&Peer) -> bool) {
        if !self.until_or_closed(&done).await {
            assert!(done(self), "connection closed before the condition held");
        }
    }

    /// Feeds frames from the relay to the client until `done` holds (true) or the relay
    /// closes the connection (false).
    pub async fn until_or_closed(&mut self, done: impl Fn(&Peer) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + LIMIT;
        while !done(self) {
            let message = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("condition reached in time");
            let frame = match message {
                Some(Ok(WsMessage::Binary(frame))) => frame,
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => {
                    self.client.disconnected();
                    return false;
                }
                Some(Ok(_)) => continue,
            };
            let effects = self
                .client
                .on_frame(&frame, &mut OsRng)
                .expect("frame accepted");
            self.run(effects).await;
        }
        true
    }

    pub async fn change(&mut self, text: &str) {
        self.everything.extend_from_slice(text.as_bytes());
        let effects = self
            .client
            .on_local_change(text.as_bytes(), &mut OsRng)
            .expect("local change");
        self.run(effects).await;
    }

    /// Makes a change and waits until the relay acknowledged it.
    pub async fn change_acked(&mut self, text: &str) {
        self.change(text).await;
        let wanted = self.client.unacknowledged() + self.acked;
        self.until(|p| p.acked >= wanted).await;
    }

    pub fn has_applied(&self, text: &str) -> bool {
        self.applied
            .iter()
            .any(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
    }

    pub async fn close(mut self) -> Client {
        let _ = self.out.send(WsMessage::Close(None));
        drop(self.out);
        let _ = self.writer.await;
        self.client.disconnected();
        self.client
    }
}

pub fn room_and_key() -> (RoomId, DocumentKey) {
    let mut room = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut room);
    (room, DocumentKey::generate(&mut OsRng))
}

/// A plain HTTP/1.0 GET; the whole answer, head and body.
pub async fn http_get(addr: SocketAddr, path: &str) -> String {
    http_get_with(addr, path, "").await
}

/// [`http_get`] with more header lines (each ending in `\r\n`).
pub async fn http_get_with(addr: SocketAddr, path: &str, headers: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n{headers}\r\n").as_bytes())
        .await
        .expect("write");
    let mut answer = String::new();
    tokio::time::timeout(LIMIT, stream.read_to_string(&mut answer))
        .await
        .expect("answer in time")
        .expect("read");
    answer
}

/// A counter or gauge from `/metrics` (0 if absent).
/// Waits, at most [`LIMIT`], until the relay at `addr` reports `name` as `done` wants it (for
/// what the relay does in its own time: sweeps, refreshes, timeouts).
pub async fn until_metric(addr: SocketAddr, name: &str, done: impl Fn(u64) -> bool) {
    let deadline = tokio::time::Instant::now() + LIMIT;
    while !done(sample(&http_get(addr, "/metrics").await, name)) {
        assert!(tokio::time::Instant::now() < deadline, "{name} in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn sample(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

//! The sync endpoint at `ws://…/sync` on a real port, driven by `dreieck_sync::client::Client`
//! with real keys (and by raw frames for the refusals): delivery, acknowledgement, catch-up, a
//! restart on the same data directory, every refusal with its error code (while another client
//! in the room keeps working), snapshots an insider may not send, the database holding no
//! plaintext, and `/metrics`.
//!
//! No sleeping: every wait is for an event, with [`LIMIT`] only as a failure bound.

mod common;

use common::peer::*;

use std::net::SocketAddr;

use dreieck_relay::{SyncLimits, DATABASE_FILE};
use dreieck_sync::client::{self, Client, Config as ClientConfig};
use dreieck_sync::envelope::{self, DocumentKey, Kind};
use dreieck_sync::keys::RoomAuth;
use dreieck_sync::parts::PART_SIZE;
use dreieck_sync::wire::{self, code, Message};
use dreieck_sync::RoomId;
use futures_util::{SinkExt as _, StreamExt as _};
use rand_core::OsRng;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const WORDS: [&str; 4] = [
    "Teilhabeplan",
    "Wohngruppe Sonnenblick",
    "Arbeitsassistenz",
    "Freizeitgestaltung",
];

#[tokio::test]
async fn deliver_acknowledge_catch_up_and_survive_a_restart() {
    let relay = start(common::built_app()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;

    // Delivered to the other device, acknowledged to the sender.
    a.change_acked(WORDS[0]).await;
    b.until(|p| p.has_applied(WORDS[0])).await;

    // B goes away; A writes on; B comes back and catches up, as does a new device.
    let b_client = b.close().await;
    for word in &WORDS[1..] {
        a.change_acked(word).await;
    }
    let mut b = Peer::connect(relay.addr, b_client).await;
    b.until(|p| WORDS[1..].iter().all(|w| p.has_applied(w)))
        .await;
    let mut c = Peer::join(relay.addr, room, &key).await;
    c.until(|p| WORDS.iter().all(|w| p.has_applied(w))).await;
    assert_eq!(c.client.relay_epoch(), Some(0));
    c.close().await;

    // Shutdown tells the devices still connected, and commits everything acknowledged.
    let stopping = tokio::spawn(relay.stop());
    a.until(|p| p.errors.contains(&code::SHUTTING_DOWN)).await;
    b.until(|p| p.errors.contains(&code::SHUTTING_DOWN)).await;
    let test = stopping.await.expect("stopped");

    let relay = start(test).await;
    let mut d = Peer::join(relay.addr, room, &key).await;
    d.until(|p| WORDS.iter().all(|w| p.has_applied(w))).await;
    assert_eq!(
        d.client.relay_epoch(),
        Some(1),
        "a restored room has a new epoch"
    );
    // A device from before the restart sees the new epoch and uploads its full state once.
    let mut a = Peer::connect(relay.addr, a.close().await).await;
    a.until(|p| p.client.unacknowledged() == 0 && !p.client.has_pending())
        .await;
    d.close().await;
    a.close().await;

    let bytes = relay.database_bytes();
    assert!(
        bytes.windows(16).any(|w| w == room),
        "the database holds the room (so the grep below is looking at the right file)"
    );
    for word in WORDS {
        assert!(
            !bytes.windows(word.len()).any(|w| w == word.as_bytes()),
            "plaintext {word:?} found in the database"
        );
    }
    relay.stop().await;
}

/// Random bytes: nothing on the way compresses them.
fn noise(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
    bytes
}

#[tokio::test]
async fn a_history_of_tens_of_megabytes_goes_in_parts_under_the_frame_limit_and_reaches_fresh_devices(
) {
    // Frames of at most 2 MiB: every message above goes in parts of 1 MiB, or not at all.
    // And 16 MiB/s per connection after the first 4 MiB: the upload is read more slowly,
    // never refused.
    let relay = start_with(SyncLimits {
        max_frame_bytes: 2 * 1024 * 1024,
        messages_per_second: 100_000.0,
        message_burst: 100_000.0,
        bytes_per_second: 16.0 * 1024.0 * 1024.0,
        byte_burst: 4.0 * 1024.0 * 1024.0,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();

    // A long day offline: 16 edits of 640 KiB and one pasted block of 10 MiB, 20 MiB in all,
    // more than one Append may carry (client::APPEND_BATCH) and far more than one frame.
    let mut client = Client::new(
        room,
        key.clone(),
        ClientConfig {
            snapshot_every: 0,
            ..Default::default()
        },
    );
    let mut everything = Vec::new();
    for i in 0..17 {
        let change = noise(if i == 8 { 10 << 20 } else { 640 << 10 });
        assert!(client
            .on_local_change(&change, &mut OsRng)
            .expect("kept while offline")
            .is_empty());
        everything.extend_from_slice(&change);
    }
    let mut a = Peer::resume(relay.addr, client, everything.clone()).await;
    a.until(|p| p.acked == 17).await;
    assert!(a.largest_sent <= PART_SIZE + 3, "{}", a.largest_sent);
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let metrics = http_get(relay.addr, "/metrics").await;
    assert!(sample(&metrics, "dreieck_relay_reads_delayed_total") > 0);

    // A device joining now gets the whole log, entry by entry, and each change once.
    let mut b = Peer::join(relay.addr, room, &key).await;
    b.until(|p| p.client.caught_up()).await;
    assert_eq!(b.applied.concat(), everything, "B holds the whole history");
    assert!(b.errors.is_empty(), "{:?}", b.errors);

    // The writer compacts the log into one snapshot of it all ...
    let sent = a
        .client
        .send_snapshot(&everything, &mut OsRng)
        .expect("snapshot");
    a.run(sent).await;
    a.until(|p| p.snapshots_sent == 1).await;
    assert!(a.largest_sent <= PART_SIZE + 3, "{}", a.largest_sent);
    // ... and writes on (acknowledged after the snapshot: the relay takes a connection's frames
    // in order); C, fresh, gets the snapshot and the entry after it, nothing else.
    a.change_acked("Nachtrag").await;
    let mut c = Peer::join(relay.addr, room, &key).await;
    c.until(|p| p.client.caught_up()).await;
    assert!(a.errors.is_empty() && c.errors.is_empty());
    assert_eq!(c.applied.len(), 2, "the snapshot and the entry after it");
    assert_eq!(c.applied[0], everything);
    assert!(c.has_applied("Nachtrag"));
    b.until(|p| p.has_applied("Nachtrag")).await;
    relay.stop().await;
}

fn strict_limits() -> SyncLimits {
    SyncLimits {
        max_frame_bytes: 64 * 1024,
        max_message_bytes: 256 * 1024,
        max_room_connections: 5,
        messages_per_second: 5.0,
        message_burst: 40.0,
        ..SyncLimits::default()
    }
}

/// Opens a raw connection, says Hello and returns the challenge.
/// Sends the Hello that opens a connection to `room`.
async fn say_hello(ws: &mut Ws, room: RoomId, auth: &RoomAuth) {
    send(
        ws,
        Message::Hello {
            room,
            verifier: auth.verifier(),
        }
        .encode(),
    )
    .await;
}

async fn hello(addr: SocketAddr, room: RoomId, auth: &RoomAuth) -> (Ws, [u8; 32]) {
    let mut ws = raw(addr).await;
    say_hello(&mut ws, room, auth).await;
    match next_message(&mut ws).await {
        Some(Message::Challenge { challenge }) => (ws, challenge),
        other => panic!("expected a challenge, got {other:?}"),
    }
}

/// A writes, B receives: the room still works.
async fn still_works(a: &mut Peer, b: &mut Peer, round: &mut u32) {
    *round += 1;
    let text = format!("noch da {round}");
    a.change_acked(&text).await;
    b.until(|p| p.has_applied(&text)).await;
}

#[tokio::test]
async fn bad_input_is_refused_with_its_code_and_the_room_keeps_working() {
    let relay = start_with(strict_limits()).await;
    let addr = relay.addr;
    let (room, key) = room_and_key();
    let auth = RoomAuth::derive(&key);
    let mut a = Peer::join(addr, room, &key).await;
    let mut b = Peer::join(addr, room, &key).await;
    let mut round = 0;

    let hello_frame = Message::Hello {
        room,
        verifier: auth.verifier(),
    }
    .encode();

    // Malformed first frame: an unknown message kind.
    let mut ws = raw(addr).await;
    send(&mut ws, vec![wire::PROTOCOL_VERSION, 99]).await;
    expect_refusal(&mut ws, code::BAD_FRAME).await;
    still_works(&mut a, &mut b, &mut round).await;

    // Truncated Hello.
    let mut ws = raw(addr).await;
    send(&mut ws, hello_frame[..hello_frame.len() - 5].to_vec()).await;
    expect_refusal(&mut ws, code::BAD_FRAME).await;

    // Unknown protocol version.
    let mut ws = raw(addr).await;
    let mut future = hello_frame.clone();
    future[0] = wire::PROTOCOL_VERSION + 1;
    send(&mut ws, future).await;
    expect_refusal(&mut ws, code::UNSUPPORTED_VERSION).await;

    // A text message.
    let mut ws = raw(addr).await;
    ws.send(WsMessage::Text("Hallo".into()))
        .await
        .expect("send");
    expect_refusal(&mut ws, code::BAD_FRAME).await;

    // A first frame that is not Hello.
    let mut ws = raw(addr).await;
    send(&mut ws, Message::CatchUp { after_seq: 0 }.encode()).await;
    expect_refusal(&mut ws, code::UNEXPECTED).await;
    still_works(&mut a, &mut b, &mut round).await;

    // Oversized: inside the room, above the frame limit.
    let (mut ws, _) = hello(addr, room, &auth).await;
    send(
        &mut ws,
        Message::Ephemeral {
            sealed: vec![0; 64 * 1024],
        }
        .encode(),
    )
    .await;
    expect_refusal(&mut ws, code::FRAME_TOO_LARGE).await;
    still_works(&mut a, &mut b, &mut round).await;

    // Parts before admission: nobody unadmitted makes the relay hold a run.
    let mut part = vec![
        dreieck_sync::PROTOCOL_VERSION,
        dreieck_sync::parts::KIND_PART,
        0,
    ];
    part.extend(vec![0u8; 60 * 1024]);
    let (mut ws, _) = hello(addr, room, &auth).await;
    send(&mut ws, part.clone()).await;
    expect_refusal(&mut ws, code::UNEXPECTED).await;
    // Admitted: a run of parts, each under the frame limit, growing beyond the message limit
    // is refused as soon as it does, so no connection holds more than that for one message.
    let (mut ws, _) = admitted(addr, room, &auth).await;
    for _ in 0..5 {
        send(&mut ws, part.clone()).await;
    }
    expect_refusal(&mut ws, code::FRAME_TOO_LARGE).await;
    still_works(&mut a, &mut b, &mut round).await;

    // Malformed inside the room (after admission): the room refuses it.
    let (mut ws, challenge) = hello(addr, room, &auth).await;
    send(
        &mut ws,
        Message::Answer {
            signature: auth.answer(&room, &challenge),
        }
        .encode(),
    )
    .await;
    assert!(matches!(
        next_message(&mut ws).await,
        Some(Message::Admitted { .. })
    ));
    send(
        &mut ws,
        vec![wire::PROTOCOL_VERSION, wire::PROTOCOL_VERSION],
    )
    .await;
    expect_refusal(&mut ws, code::BAD_FRAME).await;

    // Wrong answer: signed with another key.
    let (mut ws, challenge) = hello(addr, room, &auth).await;
    let stranger = RoomAuth::derive(&DocumentKey::generate(&mut OsRng));
    send(
        &mut ws,
        Message::Answer {
            signature: stranger.answer(&room, &challenge),
        }
        .encode(),
    )
    .await;
    expect_refusal(&mut ws, code::ADMISSION_REFUSED).await;
    still_works(&mut a, &mut b, &mut round).await;

    // An answer recorded on one connection, replayed on another.
    let (mut first, challenge) = hello(addr, room, &auth).await;
    let recorded = Message::Answer {
        signature: auth.answer(&room, &challenge),
    }
    .encode();
    send(&mut first, recorded.clone()).await;
    assert!(matches!(
        next_message(&mut first).await,
        Some(Message::Admitted { .. })
    ));
    let (mut second, _) = hello(addr, room, &auth).await;
    send(&mut second, recorded).await;
    expect_refusal(&mut second, code::ADMISSION_REFUSED).await;
    drop(first);

    // A flood over the rate limit (burst 40, then 5 per second).
    let (mut ws, challenge) = hello(addr, room, &auth).await;
    send(
        &mut ws,
        Message::Answer {
            signature: auth.answer(&room, &challenge),
        }
        .encode(),
    )
    .await;
    let flood = Message::CatchUp {
        after_seq: u64::MAX,
    }
    .encode();
    for _ in 0..200 {
        if ws
            .send(WsMessage::Binary(flood.clone().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    loop {
        match next_message(&mut ws).await {
            Some(Message::Admitted { .. }) => {}
            Some(Message::Error { code, .. }) => {
                assert_eq!(code, code::RATE_LIMITED);
                break;
            }
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
    }
    assert_eq!(next_message(&mut ws).await, None);
    still_works(&mut a, &mut b, &mut round).await;

    // More connections than the room allows (5): A, B and three more are in, the sixth is not.
    let mut extra = Vec::new();
    for _ in 0..3 {
        extra.push(hello(addr, room, &auth).await.0);
    }
    let mut ws = raw(addr).await;
    send(&mut ws, hello_frame.clone()).await;
    expect_refusal(&mut ws, code::ROOM_FULL).await;
    still_works(&mut a, &mut b, &mut round).await;
    drop(extra);

    // A tampered Deliver (the relay could flip bits; it cannot forge): the client refuses it,
    // applies nothing, and the genuine frame and later ones still work.
    a.change("unverfälscht").await;
    let genuine = loop {
        let message = tokio::time::timeout(LIMIT, b.ws.next())
            .await
            .expect("deliver in time");
        if let Some(Ok(WsMessage::Binary(frame))) = message {
            if matches!(wire::decode(&frame), Ok(Message::Deliver { .. })) {
                break frame.to_vec();
            }
        }
    };
    let mut tampered = genuine.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let applied_before = b.applied.len();
    let refused = b
        .client
        .on_frame(&tampered, &mut OsRng)
        .expect("reported, not an error");
    assert!(
        matches!(
            refused[..],
            [client::Effect::Rejected {
                reason: client::Rejection::Change,
                ..
            }]
        ),
        "{refused:?}"
    );
    b.run(refused).await;
    assert_eq!(b.applied.len(), applied_before);
    let effects = b.client.on_frame(&genuine, &mut OsRng).expect("genuine");
    b.run(effects).await;
    assert!(b.has_applied("unverfälscht"));
    still_works(&mut a, &mut b, &mut round).await;

    relay.stop().await;
}

/// Opens a raw connection and is admitted; returns the room's head.
async fn admitted(addr: SocketAddr, room: RoomId, auth: &RoomAuth) -> (Ws, u64) {
    let (mut ws, challenge) = hello(addr, room, auth).await;
    send(
        &mut ws,
        Message::Answer {
            signature: auth.answer(&room, &challenge),
        }
        .encode(),
    )
    .await;
    match next_message(&mut ws).await {
        Some(Message::Admitted { head_seq, .. }) => (ws, head_seq),
        other => panic!("expected admission, got {other:?}"),
    }
}

/// Like [`expect_refusal`], after whatever catch-up sent first; returns how many entries that was.
async fn expect_refusal_after_catch_up(ws: &mut Ws, expected: u16) -> usize {
    let mut delivered = 0;
    loop {
        match next_message(ws).await {
            Some(Message::Deliver { .. }) => delivered += 1,
            Some(Message::Error { code, .. }) => {
                assert_eq!(code, expected, "error code");
                break;
            }
            other => panic!("expected Error({expected}), got {other:?}"),
        }
    }
    assert_eq!(next_message(ws).await, None, "closed after the error");
    delivered
}

#[tokio::test]
async fn an_insiders_snapshot_over_entries_it_was_not_sent_is_refused_and_erases_nothing() {
    let relay = start(common::built_app()).await;
    let addr = relay.addr;
    let (room, key) = room_and_key();
    let auth = RoomAuth::derive(&key);
    let mut a = Peer::join(addr, room, &key).await;
    let mut b = Peer::join(addr, room, &key).await;
    for word in WORDS {
        a.change_acked(word).await;
    }
    b.until(|p| WORDS.iter().all(|w| p.has_applied(w))).await;
    // What an insider uploads: it holds the room key, but nobody can open this.
    let stranger = DocumentKey::generate(&mut OsRng);
    let unreadable = |covers_seq| Message::Snapshot {
        covers_seq,
        sealed: envelope::seal(&stranger, &room, Kind::Snapshot, b"leer", &mut OsRng)
            .expect("seal"),
    };

    // Caught up, and claiming every entry there will ever be.
    let (mut ws, head) = admitted(addr, room, &auth).await;
    assert_eq!(head, WORDS.len() as u64);
    send(&mut ws, Message::CatchUp { after_seq: 0 }.encode()).await;
    send(&mut ws, unreadable(u64::MAX).encode()).await;
    let delivered = expect_refusal_after_catch_up(&mut ws, code::BAD_SNAPSHOT).await;
    assert_eq!(delivered, WORDS.len());
    // Naming the head as what it holds: sent nothing, so it may cover nothing.
    let (mut ws, head) = admitted(addr, room, &auth).await;
    send(&mut ws, Message::CatchUp { after_seq: head }.encode()).await;
    send(&mut ws, unreadable(head).encode()).await;
    expect_refusal(&mut ws, code::BAD_SNAPSHOT).await;
    // Not caught up at all.
    let (mut ws, head) = admitted(addr, room, &auth).await;
    send(&mut ws, unreadable(head).encode()).await;
    expect_refusal(&mut ws, code::BAD_SNAPSHOT).await;

    // A device joining afterwards gets every entry from the log.
    let mut c = Peer::join(addr, room, &key).await;
    c.until(|p| WORDS.iter().all(|w| p.has_applied(w)) && p.client.caught_up())
        .await;
    assert!(c.rejected.is_empty(), "{:?}", c.rejected);
    c.close().await;

    // An honest device that reconnected (so it caught up from its own watermark) asks from 0
    // first, and then its snapshot is taken.
    let mut b = Peer::connect(addr, b.close().await).await;
    let effects = b
        .client
        .send_snapshot(b"SCHNAPPSCHUSS", &mut OsRng)
        .expect("snapshot");
    b.run(effects).await;
    b.until(|p| p.snapshots_sent == 1).await;
    // One connection's frames are handled in order: once this is acknowledged, the relay has
    // handled the snapshot before it.
    b.change_acked("danach").await;
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let mut d = Peer::join(addr, room, &key).await;
    d.until(|p| p.has_applied("SCHNAPPSCHUSS") && p.has_applied("danach") && p.client.caught_up())
        .await;
    assert!(
        !WORDS.iter().any(|w| d.has_applied(w)),
        "the entries the snapshot covers were compacted"
    );
    a.until(|p| p.has_applied("danach")).await;

    let metrics = http_get(addr, "/metrics").await;
    assert_eq!(
        sample(&metrics, "dreieck_relay_errors_total{code=\"15\"}"),
        3,
        "{metrics}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn connection_and_storage_limits() {
    let relay = start_with(SyncLimits {
        max_connections: 3,
        max_room_bytes: 1000,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let mut c = Peer::join(relay.addr, room, &key).await;

    // Three connections are open: the fourth is refused.
    let mut ws = raw(relay.addr).await;
    expect_refusal(&mut ws, code::TOO_MANY_CONNECTIONS).await;

    // 600 sealed bytes fit, another 600 do not: the sender is refused, the room still serves.
    a.change_acked(&"x".repeat(560)).await;
    b.until(|p| p.applied.len() == 1).await;
    a.change(&"y".repeat(560)).await;
    a.until(|p| p.errors.contains(&code::ROOM_STORAGE_FULL))
        .await;
    let presence = c
        .client
        .send_presence(b"tippt", &mut OsRng)
        .expect("presence");
    c.run(presence).await;
    b.until(|p| p.presence == 1).await;
    relay.stop().await;
}

/// A WebSocket to the sync endpoint as a reverse proxy on this machine opens it for `client`.
/// A request for the sync endpoint as a proxy on this machine sends it for `client`.
fn request_from(
    addr: SocketAddr,
    client: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = format!("ws://{addr}/sync")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("x-forwarded-for", client.parse().expect("header value"));
    request
}

async fn raw_from(addr: SocketAddr, client: &str) -> Ws {
    let (ws, _) = tokio::time::timeout(
        LIMIT,
        tokio_tungstenite::connect_async(request_from(addr, client)),
    )
    .await
    .expect("connects in time")
    .expect("WebSocket handshake");
    ws
}

/// The relay answers a Hello with its challenge: the connection was let in.
async fn let_in(ws: &mut Ws, room: RoomId, auth: &RoomAuth) {
    say_hello(ws, room, auth).await;
    assert!(matches!(
        next_message(ws).await,
        Some(Message::Challenge { .. })
    ));
}

/// A connection from behind the proxy as `client`, admitted to `room`.
async fn admitted_from(addr: SocketAddr, client: &str, room: RoomId, auth: &RoomAuth) -> Ws {
    let mut ws = raw_from(addr, client).await;
    say_hello(&mut ws, room, auth).await;
    let Some(Message::Challenge { challenge }) = next_message(&mut ws).await else {
        panic!("expected a challenge");
    };
    send(
        &mut ws,
        Message::Answer {
            signature: auth.answer(&room, &challenge),
        }
        .encode(),
    )
    .await;
    assert!(matches!(
        next_message(&mut ws).await,
        Some(Message::Admitted { .. })
    ));
    ws
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let relay = start_with(SyncLimits {
        max_connections_per_address: 2,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let auth = RoomAuth::derive(&key);
    // Behind the proxy on this machine: two from one client are let in, the third is refused.
    let mut first = raw_from(relay.addr, "198.51.100.7").await;
    let_in(&mut first, room, &auth).await;
    let mut second = raw_from(relay.addr, "10.0.0.1, 198.51.100.7").await;
    let_in(&mut second, room, &auth).await;
    let mut third = raw_from(relay.addr, "198.51.100.7").await;
    expect_refusal(&mut third, code::TOO_MANY_FROM_ADDRESS).await;
    // Another client, and the same client's neighbours in other networks, are not affected.
    let mut other = raw_from(relay.addr, "198.51.100.8").await;
    let_in(&mut other, room, &auth).await;
    let mut v6 = raw_from(relay.addr, "2001:db8:7::1").await;
    let_in(&mut v6, room, &auth).await;
    // One household's IPv6 network counts as one client.
    let mut v6_again = raw_from(relay.addr, "2001:db8:7::2").await;
    let_in(&mut v6_again, room, &auth).await;
    let mut v6_third = raw_from(relay.addr, "2001:db8:7::3").await;
    expect_refusal(&mut v6_third, code::TOO_MANY_FROM_ADDRESS).await;
    relay.stop().await;
}

/// One client's connections share one byte budget: two uploads that each fit a connection's
/// budget but not the address's together are read more slowly (never refused); the same two
/// from two clients are not.
#[tokio::test]
async fn one_address_shares_one_byte_budget() {
    let relay = start_with(SyncLimits {
        address_bytes_per_second: 1024.0 * 1024.0,
        address_byte_burst: 1024.0 * 1024.0,
        ..SyncLimits::default()
    })
    .await;
    let delayed = || async {
        sample(
            &http_get(relay.addr, "/metrics").await,
            "dreieck_relay_reads_delayed_total",
        )
    };
    for (clients, slowed) in [
        (["198.51.100.20", "198.51.100.21"], false),
        (["198.51.100.22", "198.51.100.22"], true),
    ] {
        let before = delayed().await;
        for client in clients {
            let (room, key) = room_and_key();
            let mut ws = admitted_from(relay.addr, client, room, &RoomAuth::derive(&key)).await;
            send(
                &mut ws,
                Message::Append {
                    client_seq: 1,
                    sealed: vec![1; 700 * 1024],
                }
                .encode(),
            )
            .await;
            assert!(
                matches!(
                    next_message(&mut ws).await,
                    Some(Message::Ack { client_seq: 1, .. })
                ),
                "stored, not refused"
            );
        }
        assert_eq!(delayed().await > before, slowed, "{clients:?}");
    }
    relay.stop().await;
}

/// Refused at the door again and again costs the relay a handshake each time: beyond a rate,
/// one client's attempts are answered with HTTP 429 before any WebSocket is set up.
#[tokio::test]
async fn one_address_cannot_hammer_the_door() {
    let relay = start_with(SyncLimits {
        connects_per_second: 0.001,
        connect_burst: 3.0,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let auth = RoomAuth::derive(&key);
    for _ in 0..3 {
        let mut ws = raw_from(relay.addr, "198.51.100.7").await;
        let_in(&mut ws, room, &auth).await;
    }
    match tokio_tungstenite::connect_async(request_from(relay.addr, "198.51.100.7")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
            assert_eq!(response.headers()["retry-after"], "1");
        }
        other => panic!("expected HTTP 429, got {:?}", other.map(|_| ())),
    }
    // Others are not affected.
    let mut other = raw_from(relay.addr, "198.51.100.8").await;
    let_in(&mut other, room, &auth).await;
    let metrics = http_get(relay.addr, "/metrics").await;
    assert_eq!(sample(&metrics, "dreieck_relay_attempts_refused_total"), 1);
    relay.stop().await;
}

#[tokio::test]
async fn one_address_cannot_create_rooms_by_the_thousand() {
    let relay = start_with(SyncLimits {
        new_room_burst: 2.0,
        new_rooms_per_hour: 1.0,
        ..SyncLimits::default()
    })
    .await;
    // Two new rooms from one client are let in, a third is refused.
    let (first_room, first_key) = room_and_key();
    let first_auth = RoomAuth::derive(&first_key);
    let mut first = raw_from(relay.addr, "198.51.100.9").await;
    let_in(&mut first, first_room, &first_auth).await;
    let (room, key) = room_and_key();
    let mut second = raw_from(relay.addr, "198.51.100.9").await;
    let_in(&mut second, room, &RoomAuth::derive(&key)).await;
    let (room, key) = room_and_key();
    let mut third = raw_from(relay.addr, "198.51.100.9").await;
    say_hello(&mut third, room, &RoomAuth::derive(&key)).await;
    expect_refusal(&mut third, code::RATE_LIMITED).await;
    // Rooms that exist are open to it as before, and other clients create theirs.
    let mut again = raw_from(relay.addr, "198.51.100.9").await;
    let_in(&mut again, first_room, &first_auth).await;
    let mut other = raw_from(relay.addr, "198.51.100.10").await;
    let_in(&mut other, room, &RoomAuth::derive(&key)).await;
    relay.stop().await;
}

#[tokio::test]
async fn relay_wide_storage_quota_refuses_appends_and_every_room_keeps_working() {
    let relay = start_with(SyncLimits {
        max_stored_bytes: 1500,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    a.change_acked(&"x".repeat(560)).await;
    let (other_room, other_key) = room_and_key();
    let mut b = Peer::join(relay.addr, other_room, &other_key).await;
    let mut b2 = Peer::join(relay.addr, other_room, &other_key).await;
    b.change_acked(&"y".repeat(560)).await;
    // Another 600 bytes in either room would pass the relay's quota.
    b.change(&"z".repeat(560)).await;
    b.until(|p| p.errors.contains(&code::RELAY_FULL)).await;
    let metrics = http_get(relay.addr, "/metrics").await;
    assert!(
        sample(&metrics, "dreieck_relay_stored_bytes") > 1000,
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, "dreieck_relay_errors_total{code=\"18\"}"),
        1
    );
    // What fits still goes through, in both rooms.
    a.change_acked("klein").await;
    b2.until(|p| p.has_applied(&"y".repeat(560))).await;
    let presence = b2
        .client
        .send_presence(b"tippt", &mut OsRng)
        .expect("presence");
    b2.run(presence).await;
    relay.stop().await;
}

#[tokio::test]
async fn when_rooms_fill_the_memory_quota_no_further_room_is_loaded() {
    let relay = start_with(SyncLimits {
        max_memory_bytes: 1000,
        room_linger_secs: 0,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    a.change_acked(&"x".repeat(560)).await;
    let (full_room, full_key) = room_and_key();
    let b = {
        let mut b = Peer::join(relay.addr, full_room, &full_key).await;
        b.change_acked(&"y".repeat(560)).await;
        b
    };
    // Both rooms in memory hold more than the quota: a third is not loaded.
    let (room3, key3) = room_and_key();
    let mut ws = raw(relay.addr).await;
    say_hello(&mut ws, room3, &RoomAuth::derive(&key3)).await;
    expect_refusal(&mut ws, code::RELAY_FULL).await;
    // The rooms in memory go on.
    a.change_acked("weiter").await;
    // Once one leaves memory, the third is loaded (the app reconnects until it is).
    b.close().await;
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "loaded in time");
        let mut ws = raw(relay.addr).await;
        say_hello(&mut ws, room3, &RoomAuth::derive(&key3)).await;
        match next_message(&mut ws).await {
            Some(Message::Challenge { .. }) => break,
            Some(Message::Error { code, .. }) => assert_eq!(code, code::RELAY_FULL),
            other => panic!("unexpected {other:?}"),
        }
    }
    relay.stop().await;
}

/// A report left open on two devices that do nothing but say they are there: after
/// `--room-idle-secs` the room's log leaves the relay's memory. Typing goes on, and a device
/// that comes later still gets everything, read back from storage.
#[tokio::test]
async fn an_idle_room_leaves_memory_and_a_newcomer_still_gets_everything() {
    let relay = start_with(SyncLimits {
        room_idle_secs: 1,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let lines: Vec<String> = (0..20).map(|i| format!("Zeile {i} ")).collect();
    for line in &lines {
        a.change_acked(line).await;
    }
    let metric =
        |name: &'static str| async move { sample(&http_get(relay.addr, "/metrics").await, name) };
    assert!(metric("dreieck_relay_room_memory_bytes").await > 0);
    // Wait (bounded) until the room has paged out; presence meanwhile does not keep it in.
    let deadline = tokio::time::Instant::now() + LIMIT;
    while metric("dreieck_relay_logs_paged_out_total").await < 1 {
        assert!(tokio::time::Instant::now() < deadline, "paged out in time");
        let presence = b.client.send_presence(b"da", &mut OsRng).expect("presence");
        b.run(presence).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(metric("dreieck_relay_room_memory_bytes").await, 0);
    // Both devices are still connected and typing reaches the other at once.
    a.change_acked("nach der Pause").await;
    b.until(|p| p.has_applied("nach der Pause")).await;
    // A newcomer from the start: the log comes back from storage.
    let mut c = Peer::join(relay.addr, room, &key).await;
    c.until(|p| lines.iter().all(|l| p.has_applied(l)) && p.has_applied("nach der Pause"))
        .await;
    assert_eq!(metric("dreieck_relay_logs_read_back_total").await, 1);
    assert!(metric("dreieck_relay_room_memory_bytes").await > 0);
    // And the newcomer is live.
    c.change_acked("auch da").await;
    a.until(|p| p.has_applied("auch da")).await;
    relay.stop().await;
}

#[tokio::test]
async fn an_empty_room_expires_and_a_room_with_content_stays() {
    let relay = start_with(SyncLimits {
        empty_room_expiry_secs: 1,
        room_linger_secs: 0,
        ..SyncLimits::default()
    })
    .await;
    // A room registered and left without a change (an invitation never used).
    let (empty, empty_key) = room_and_key();
    let mut ws = raw(relay.addr).await;
    let_in(&mut ws, empty, &RoomAuth::derive(&empty_key)).await;
    drop(ws);
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    a.change_acked("bleibt").await;
    a.close().await;
    // The sweep runs every second: wait (bounded) until it has deleted the empty room.
    until_metric(relay.addr, "dreieck_relay_rooms_expired_total", |n| n >= 1).await;
    // The empty room is gone: its id takes a new verifier, as for a room never seen.
    let other = RoomAuth::derive(&DocumentKey::generate(&mut OsRng));
    let (mut ws, _) = admitted(relay.addr, empty, &other).await;
    drop(ws.close(None).await);
    // The room with content kept it.
    let mut b = Peer::join(relay.addr, room, &key).await;
    b.until(|p| p.has_applied("bleibt")).await;
    b.close().await;
    relay.stop().await;
}

/// A GET over HTTP/1.0, read until the server closes.
#[tokio::test]
async fn metrics_move() {
    let relay = start(common::built_app()).await;
    let before = http_get(relay.addr, "/metrics").await;
    assert!(before.contains("text/plain"), "{before}");
    // Through a reverse proxy on this machine, the request is someone else's.
    let proxied = http_get_with(relay.addr, "/metrics", "X-Forwarded-For: 203.0.113.7\r\n").await;
    assert!(proxied.starts_with("HTTP/1.0 404"), "{proxied}");
    assert_eq!(sample(&before, "dreieck_relay_connections_open"), 0);

    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    a.change_acked("eins").await;
    b.until(|p| p.has_applied("eins")).await;
    let with_two = http_get(relay.addr, "/metrics").await;
    assert_eq!(sample(&with_two, "dreieck_relay_connections_open"), 2);
    assert_eq!(sample(&with_two, "dreieck_relay_rooms_live"), 1);
    let mut bad = raw(relay.addr).await;
    send(&mut bad, vec![1, 99]).await;
    expect_refusal(&mut bad, code::BAD_FRAME).await;
    let during = http_get(relay.addr, "/metrics").await;
    for counter in [
        "dreieck_relay_frames_in_total",
        "dreieck_relay_frames_out_total",
        "dreieck_relay_bytes_in_total",
        "dreieck_relay_bytes_out_total",
        "dreieck_relay_storage_commits_total",
        "dreieck_relay_storage_commit_records_count",
        "dreieck_relay_stored_bytes_total",
    ] {
        assert!(
            sample(&during, counter) > sample(&before, counter),
            "{counter} moved:\n{during}"
        );
    }
    assert_eq!(
        sample(&during, "dreieck_relay_errors_total{code=\"1\"}"),
        1,
        "{during}"
    );
    a.close().await;
    b.close().await;
    relay.stop().await;
}

fn quick_admission() -> SyncLimits {
    SyncLimits {
        admission_timeout_ms: 300,
        ..SyncLimits::default()
    }
}

#[tokio::test]
async fn a_connection_that_never_says_hello_times_out_and_the_room_keeps_working() {
    let relay = start_with(quick_admission()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let mut silent = raw(relay.addr).await;
    expect_refusal(&mut silent, code::TIMEOUT).await;
    let mut round = 0;
    still_works(&mut a, &mut b, &mut round).await;
}

#[tokio::test]
async fn a_challenge_left_unanswered_times_out_and_the_room_keeps_working() {
    let relay = start_with(quick_admission()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let (mut ws, _challenge) = hello(relay.addr, room, &RoomAuth::derive(&key)).await;
    expect_refusal(&mut ws, code::TIMEOUT).await;
    let mut round = 0;
    still_works(&mut a, &mut b, &mut round).await;
}

#[tokio::test]
async fn a_device_that_stops_reading_is_dropped_as_too_slow_and_the_others_keep_everything() {
    // A small send queue per connection (room bytes + 2 messages), and no rate limit in the way.
    let relay = start_with(SyncLimits {
        max_room_bytes: 16 * 1024,
        max_frame_bytes: 16 * 1024,
        max_message_bytes: 16 * 1024,
        messages_per_second: 100_000.0,
        message_burst: 100_000.0,
        ..SyncLimits::default()
    })
    .await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let mut stalled = Peer::join(relay.addr, room, &key).await;

    // Presence is fanned out but not stored: A floods the room with it while the stalled
    // device reads nothing, until the relay's queue for it overflows.
    let beacon = vec![b'x'; 12 * 1024];
    let mut sent = 0;
    while sent < 2_000 {
        let frames = a
            .client
            .send_presence(&beacon, &mut OsRng)
            .expect("presence");
        a.run(frames).await;
        sent += 1;
        // B keeps up, as a device on a good connection does.
        b.until(|p| p.presence >= sent).await;
    }
    // The stalled device finds, after what was queued for it, the relay's reason.
    let mut refused = None;
    while let Some(message) = next_message(&mut stalled.ws).await {
        if let Message::Error { code, .. } = message {
            refused = Some(code);
        }
    }
    assert_eq!(refused, Some(code::TOO_SLOW));
    // Everyone else is served as before, changes included.
    let mut round = 0;
    still_works(&mut a, &mut b, &mut round).await;
    still_works(&mut b, &mut a, &mut round).await;
}

#[tokio::test]
async fn a_write_the_disk_refuses_is_not_acknowledged_and_nothing_acknowledged_is_lost() {
    let relay = start(common::built_app()).await;
    let addr = relay.addr;
    let (room, key) = room_and_key();
    let mut a = Peer::join(addr, room, &key).await;
    let mut b = Peer::join(addr, room, &key).await;
    a.change_acked("vorher").await;
    b.until(|p| p.has_applied("vorher")).await;

    // The database refuses the relay's next commit: another process holds SQLite's write
    // lock, or PostgreSQL's table takes no more entries.
    let lock = match &relay.test.config.database {
        None => {
            let lock = rusqlite::Connection::open(relay.test.config.data.join(DATABASE_FILE))
                .expect("second connection");
            lock.execute_batch("BEGIN IMMEDIATE").expect("write lock");
            Some(lock)
        }
        Some(url) => {
            common::postgres_sql(
                url,
                "ALTER TABLE entries ADD CONSTRAINT refuse CHECK (false) NOT VALID",
            );
            None
        }
    };
    let acked = a.acked;
    a.change("waehrend").await;
    a.until(|p| p.errors.contains(&code::STORAGE_FAILURE)).await;
    assert_eq!(
        a.acked, acked,
        "a write that is not durable is not acknowledged"
    );
    b.until(|p| p.errors.contains(&code::STORAGE_FAILURE)).await;
    if let Some(lock) = lock {
        lock.execute_batch("ROLLBACK").expect("release");
    }
    if let Some(url) = &relay.test.config.database {
        common::postgres_sql(url, "ALTER TABLE entries DROP CONSTRAINT refuse");
    }

    // The disk is back: the device sends again what was not acknowledged, and a new device
    // gets everything, the acknowledged change included.
    let written = a.everything.clone();
    let client = a.close().await;
    let mut a = Peer::resume(addr, client, written).await;
    a.until(|p| p.client.unacknowledged() == 0).await;
    let mut c = Peer::join(addr, room, &key).await;
    c.until(|p| p.has_applied("vorher") && p.has_applied("waehrend"))
        .await;
    let mut round = 0;
    still_works(&mut a, &mut c, &mut round).await;
}

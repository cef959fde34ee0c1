//! An abusive client beside honest rooms, on loopback and bounded (every abuse stops at its
//! refusal or a fixed count): the client floods, fills a room, asks for the log again and
//! again, holds connections and makes new rooms, and each abuse meets its limit with its own
//! error code, while two people in another room go on typing and receive everything. The
//! relay stays within its quotas. The latency side (honest keystrokes with and without the
//! abuser, in one run) is a figure of `cargo xtask bench-relay`, not asserted here.

mod common;

use common::abuser::{refusal, Abuser};
use common::peer::*;
use dreieck_relay::SyncLimits;
use dreieck_sync::wire::code;

#[tokio::test]
async fn an_abuser_meets_every_limit_with_its_code_and_honest_rooms_keep_syncing() {
    let limits = SyncLimits {
        max_room_bytes: 256 * 1024,
        max_stored_bytes: 8 * 1024 * 1024,
        max_connections_per_address: 100,
        new_room_burst: 20.0,
        new_rooms_per_hour: 1.0,
        ..SyncLimits::default()
    };
    let relay = start_with(limits.clone()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let abuser = Abuser {
        relay: relay.addr,
        from: "198.51.100.66",
    };

    let abuse = async {
        let flood = abuser.flood(5_000).await;
        let fill = abuser.fill_room(64 * 1024, 100).await;
        let catch_ups = abuser.catch_ups(50).await;
        let (held, connections, open) = abuser.connections(1_000).await;
        drop(open);
        let (made, new_rooms) = abuser.new_rooms(1_000).await;
        (flood, fill, catch_ups, held, connections, made, new_rooms)
    };
    let honest = async {
        for i in 0..60 {
            a.change(&format!("ehrlich{i:02}.")).await;
            // Whatever has arrived is taken in between, as the app does.
            a.until(|p| p.client.unacknowledged() <= 1).await;
        }
        a.until(|p| p.client.unacknowledged() == 0).await;
    };
    let ((flood, fill, catch_ups, held, connections, made, new_rooms), ()) =
        tokio::join!(abuse, honest);

    assert_eq!(flood, Some(code::RATE_LIMITED), "a flood");
    assert_eq!(fill, Some(code::ROOM_STORAGE_FULL), "a room filled");
    assert_eq!(catch_ups, Some(code::RATE_LIMITED), "repeated catch-ups");
    // A hundred at most (the abuses before may still be closing theirs).
    assert_eq!(connections, Some(code::TOO_MANY_FROM_ADDRESS));
    assert!((95..=100).contains(&held), "held {held}");
    // Twenty rooms at once: three for the abuses above, four for the connections, the rest
    // made one by one.
    assert_eq!(new_rooms, Some(code::RATE_LIMITED), "new rooms");
    assert_eq!(made, 13, "new rooms made");

    // The honest device received every change, in a room that kept working throughout.
    b.until(|p| (0..60).all(|i| p.has_applied(&format!("ehrlich{i:02}."))))
        .await;
    let metrics = http_get(relay.addr, "/metrics").await;
    let stored = sample(&metrics, "dreieck_relay_stored_bytes");
    assert!(
        stored <= limits.max_stored_bytes && stored >= limits.max_room_bytes / 2,
        "stored {stored}"
    );
    relay.stop().await;
}

/// The code the relay refuses `ws` with, within [`LIMIT`].
async fn refused(ws: &mut common::abuser::Ws) -> Option<u16> {
    tokio::time::timeout(LIMIT, refusal(ws))
        .await
        .expect("refused in time")
}

/// A message larger than a frame arrives in parts and is held until its last part. A client
/// that begins such messages on many connections and never ends them holds no more than its
/// address's budget, all clients together no more than the relay's, and nobody holds a run
/// for longer than the wait for its next part.
#[tokio::test]
async fn unfinished_runs_of_parts_hold_no_more_than_their_budgets_nor_for_long() {
    const PART: u64 = dreieck_sync::parts::PART_SIZE as u64;
    let relay = start_with(SyncLimits {
        max_run_bytes: 5 * PART,
        max_run_bytes_per_address: 3 * PART,
        part_gap_secs: 2,
        ..SyncLimits::default()
    })
    .await;
    let until_held =
        |bytes: u64| until_metric(relay.addr, "dreieck_relay_run_bytes", move |n| n == bytes);
    let abuser = Abuser {
        relay: relay.addr,
        from: "198.51.100.66",
    };
    let mut open = Vec::new();
    for i in 1..=3 {
        open.push(abuser.unfinished_run().await.expect("admitted"));
        until_held(i * PART).await;
    }
    let mut over = abuser.unfinished_run().await.expect("admitted");
    assert_eq!(
        refused(&mut over).await,
        Some(code::RATE_LIMITED),
        "the address's budget"
    );
    // Another client may hold its share, up to what the relay holds in all.
    let other = Abuser {
        relay: relay.addr,
        from: "203.0.113.5",
    };
    for i in 4..=5 {
        open.push(other.unfinished_run().await.expect("admitted"));
        until_held(i * PART).await;
    }
    let mut over = other.unfinished_run().await.expect("admitted");
    assert_eq!(
        refused(&mut over).await,
        Some(code::RELAY_FULL),
        "the relay's budget"
    );
    // Meanwhile people sync as ever: their messages are whole frames.
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    a.change_acked("unberührt").await;
    b.until(|p| p.has_applied("unberührt")).await;
    // Runs that stall are dropped once their next part is overdue, and their bytes given back.
    for ws in &mut open {
        assert_eq!(refused(ws).await, Some(code::TIMEOUT));
    }
    until_held(0).await;
    relay.stop().await;
}

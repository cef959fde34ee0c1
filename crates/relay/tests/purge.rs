//! "Für alle löschen" through the real relay: one device purges the room, the devices
//! connected are told at once, one that was offline learns it when it comes back and sends
//! nothing of what it wrote meanwhile, and the sealed bytes of every change are gone from the
//! relay's files — not only from its tables — while the deletion record survives a restart.

mod common;

use common::peer::*;
use rand_core::OsRng;

/// Random bytes: nothing on the way compresses them, so a sealed change of this size spills
/// into SQLite's overflow pages.
fn noise(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand_core::RngCore::fill_bytes(&mut OsRng, &mut bytes);
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// 32 bytes from the middle of each sealed change: what a grep of the files would look for.
fn samples(appended: &[Vec<u8>]) -> Vec<Vec<u8>> {
    appended
        .iter()
        .map(|s| s[s.len() / 2..s.len() / 2 + 32].to_vec())
        .collect()
}

#[tokio::test]
async fn a_purged_room_is_gone_from_the_relays_files_and_every_device_learns_it() {
    // On SQLite `database_bytes` is the database file and its WAL, read as files; on
    // PostgreSQL (which keeps deleted rows in its files until vacuum reuses the space,
    // docs/operations.md) it is every stored value, read through SQL.
    let relay = start(common::built_app()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    let mut c = Peer::join(relay.addr, room, &key).await;
    let big = String::from_utf8_lossy(&noise(20_000)).into_owned();
    a.change_acked("Wohngruppe Sonnenblick").await;
    b.change_acked(&big).await;
    c.change_acked("Arbeitsassistenz").await;
    let mut written: Vec<Vec<u8>> = Vec::new();
    for p in [&a, &b, &c] {
        written.extend(samples(&p.appended));
    }
    let before = relay.database_bytes();
    assert!(
        written.iter().all(|w| contains(&before, w)),
        "the grep looks at the right files"
    );

    // C goes offline and writes on.
    let c_client = c.close().await;
    let mut c_everything = b"Arbeitsassistenz".to_vec();
    c_everything.extend_from_slice(b"offline geschrieben");

    // A purges; A and B are told at once.
    let record = b"signed deletion record".to_vec();
    let effects = a.client.purge(&record, &mut OsRng).expect("live");
    a.run(effects).await;
    a.until(|p| !p.purged.is_empty()).await;
    b.until(|p| !p.purged.is_empty()).await;
    assert_eq!(a.purged, vec![record.clone()]);
    assert_eq!(b.purged, vec![record.clone()]);
    assert!(b.client.purged());

    // C comes back with its offline edit: it learns of the purge before sending anything.
    let mut c_client = c_client;
    let effects = c_client
        .on_local_change(b"offline geschrieben", &mut OsRng)
        .expect("queued");
    assert!(effects.is_empty(), "offline: nothing sent");
    let mut c = Peer::open(relay.addr, c_client, c_everything).await;
    c.until(|p| !p.purged.is_empty()).await;
    assert_eq!(c.purged, vec![record.clone()]);
    assert!(
        c.appended.is_empty(),
        "the offline edit went out: {:?}",
        c.appended.len()
    );

    // Nothing of the report is in the files now, though the relay is still running.
    let after = relay.database_bytes();
    for sample in &written {
        assert!(
            !contains(&after, sample),
            "a sealed change is still in the files"
        );
    }
    assert!(a.errors.is_empty() && b.errors.is_empty() && c.errors.is_empty());
    a.close().await;
    b.close().await;
    c.close().await;

    // After a restart the room still hands out the record and takes nothing.
    let test = relay.stop().await;
    let relay = start(test).await;
    let mut d = Peer::join(relay.addr, room, &key).await;
    d.until(|p| !p.purged.is_empty()).await;
    assert_eq!(d.purged, vec![record]);
    d.close().await;
    let after = relay.database_bytes();
    for sample in &written {
        assert!(
            !contains(&after, sample),
            "a sealed change came back after the restart"
        );
    }
    relay.stop().await;
}

/// The end of a retention period, with nobody at a device: a device of the room set it
/// (`Retain`, with the deletion record signed in advance), the sweep purges the room once the
/// time has come, and a device that comes by afterwards is handed that record — while a room
/// whose retention has not ended, or was withdrawn, keeps everything.
#[tokio::test]
async fn a_room_whose_retention_ended_is_purged_by_the_sweep_with_the_record_signed_in_advance() {
    let relay = start_with(dreieck_relay::SyncLimits {
        empty_room_expiry_secs: 1,
        room_linger_secs: 0,
        ..Default::default()
    })
    .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let (ended, ended_key) = room_and_key();
    let (later, later_key) = room_and_key();
    let (withdrawn, withdrawn_key) = room_and_key();
    let big = String::from_utf8_lossy(&noise(20_000)).into_owned();
    let record = b"signed in advance".to_vec();

    let mut a = Peer::join(relay.addr, ended, &ended_key).await;
    a.change_acked(&big).await;
    let written = samples(&a.appended);
    let effects = a
        .client
        .retain(now - 1, Some(&record), &mut OsRng)
        .expect("live");
    a.run(effects).await;
    a.close().await;

    let mut b = Peer::join(relay.addr, later, &later_key).await;
    b.change_acked("bleibt bis später").await;
    let effects = b
        .client
        .retain(now + 3600, Some(b"not yet"), &mut OsRng)
        .expect("live");
    b.run(effects).await;
    b.close().await;

    let mut c = Peer::join(relay.addr, withdrawn, &withdrawn_key).await;
    c.change_acked("zurückgenommen").await;
    for (until, sealed) in [(now - 1, Some(&b"withdrawn"[..])), (0, None)] {
        let effects = c.client.retain(until, sealed, &mut OsRng).expect("live");
        c.run(effects).await;
    }
    c.close().await;

    until_metric(
        relay.addr,
        "dreieck_relay_rooms_retention_ended_total",
        |n| n >= 1,
    )
    .await;
    let mut d = Peer::join(relay.addr, ended, &ended_key).await;
    d.until(|p| !p.purged.is_empty()).await;
    assert_eq!(d.purged, vec![record]);
    d.close().await;
    let after = relay.database_bytes();
    for sample in &written {
        assert!(
            !contains(&after, sample),
            "a sealed change is still in the files"
        );
    }
    for (room, key, text) in [
        (later, &later_key, "bleibt bis später"),
        (withdrawn, &withdrawn_key, "zurückgenommen"),
    ] {
        let mut e = Peer::join(relay.addr, room, key).await;
        e.until(|p| p.has_applied(text)).await;
        assert!(e.purged.is_empty());
        e.close().await;
    }
    relay.stop().await;
}

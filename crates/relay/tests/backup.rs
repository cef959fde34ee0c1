//! Backup of a running relay, restore onto a fresh one, and the integrity check, as an operator
//! uses them: devices go on as if nothing happened (what they wrote after the backup comes back
//! from the devices themselves), a damaged file is refused and harms nothing, and
//! `dreieck-relay check` names a gap in a room's log.

mod common;

use std::process::Command;

use common::peer::*;
use dreieck_relay::{backup, check, restore, Database, Error, DATABASE_FILE};

#[tokio::test]
async fn a_backup_taken_while_running_restores_onto_a_fresh_relay_and_devices_go_on() {
    let relay = start(common::built_app()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    a.change_acked("vor der Sicherung").await;

    let target = relay.test.dir.path().join("sicherung.sqlite3");
    let report = backup(&relay.test.config, &target).expect("backup while running");
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.rooms, report.entries), (1, 1));
    // A backup never overwrites.
    assert!(matches!(
        backup(&relay.test.config, &target),
        Err(Error::BackupExists(_))
    ));
    // Written after the backup: on the relay and on the device, not in the backup.
    a.change_acked("nach der Sicherung").await;
    // Not while the relay runs.
    assert!(matches!(
        restore(&relay.test.config, &target),
        Err(Error::DataDirInUse(_))
    ));
    let client = a.close().await;
    let old = relay.stop().await;

    // A fresh machine: the backup restored, the relay started on it.
    let fresh = common::built_app();
    let report = restore(&fresh.config, &target).expect("restore");
    assert!(report.is_ok(), "{report}");
    let relay = start(fresh).await;
    let mut a = Peer::resume(
        relay.addr,
        client,
        b"vor der Sicherungnach der Sicherung".to_vec(),
    )
    .await;
    a.until(|p| p.client.unacknowledged() == 0 && !p.client.has_pending())
        .await;
    let mut c = Peer::join(relay.addr, room, &key).await;
    c.until(|p| p.has_applied("vor der Sicherung") && p.has_applied("nach der Sicherung"))
        .await;
    a.close().await;
    c.close().await;
    relay.stop().await;
    drop(old);
}

#[tokio::test]
async fn a_damaged_backup_is_refused_and_the_database_stays_as_it_was() {
    let relay = start(common::built_app()).await;
    let (room, key) = room_and_key();
    let mut a = Peer::join(relay.addr, room, &key).await;
    a.change_acked("bleibt").await;
    a.close().await;
    let test = relay.stop().await;
    let database = test.config.data.join(DATABASE_FILE);
    let before = check(&Database::Sqlite(database.clone())).expect("check");

    let damaged = test.dir.path().join("kaputt.sqlite3");
    std::fs::write(&damaged, b"Das ist keine Datenbank.").expect("write");
    let refused = restore(&test.config, &damaged);
    assert!(refused.is_err(), "{refused:?}");
    let missing = restore(&test.config, &test.dir.path().join("gibt-es-nicht"));
    assert!(
        matches!(missing, Err(Error::DatabaseMissing(_))),
        "{missing:?}"
    );
    assert_eq!(check(&Database::Sqlite(database)).expect("check"), before);

    let relay = start(test).await;
    let mut b = Peer::join(relay.addr, room, &key).await;
    b.until(|p| p.has_applied("bleibt")).await;
    b.close().await;
    relay.stop().await;
}

fn run_check(data: &std::path::Path) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dreieck-relay"))
        .args(["--data-dir", &data.to_string_lossy(), "check"])
        .env_remove("DREIECK_DATABASE")
        .env_remove("DREIECK_DATA")
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn check_passes_a_sound_database_and_names_a_gap_in_a_rooms_log() {
    let test = common::built_app();
    std::fs::create_dir_all(&test.config.data).expect("data dir");
    // No database yet: the check says so instead of creating one.
    let (code, _, stderr) = run_check(&test.config.data);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("gibt es nicht"), "{stderr}");
    assert!(!test.config.data.join(DATABASE_FILE).exists());

    let db = rusqlite::Connection::open(test.config.data.join(DATABASE_FILE)).expect("db");
    db.execute_batch(
        "CREATE TABLE rooms (id BLOB PRIMARY KEY, verifier BLOB, epoch INTEGER NOT NULL DEFAULT 0,
             bytes INTEGER NOT NULL DEFAULT 0);
         CREATE TABLE entries (room BLOB NOT NULL, seq INTEGER NOT NULL, prev_seq INTEGER NOT NULL,
             sealed BLOB NOT NULL, PRIMARY KEY (room, seq));
         CREATE TABLE snapshots (room BLOB NOT NULL, covers_seq INTEGER NOT NULL,
             sealed BLOB NOT NULL, PRIMARY KEY (room, covers_seq));
         INSERT INTO rooms (id, verifier) VALUES (zeroblob(16), zeroblob(32));
         INSERT INTO entries VALUES (zeroblob(16), 1, 0, x'00'), (zeroblob(16), 2, 1, x'00');",
    )
    .expect("a sound room");
    let (code, stdout, _) = run_check(&test.config.data);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("1 Räume, 2 Einträge") && stdout.contains("In Ordnung."),
        "{stdout}"
    );

    // Entry 2 lost: entry 3 points at nothing a device could have.
    db.execute_batch(
        "DELETE FROM entries WHERE seq = 2;
         INSERT INTO entries VALUES (zeroblob(16), 3, 2, x'00');",
    )
    .expect("a gap");
    drop(db);
    let (code, stdout, _) = run_check(&test.config.data);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("Lücke im Protokoll vor Eintrag 3"),
        "{stdout}"
    );
    // The room is named by its hash, as in the logs, never by its id.
    assert!(
        !stdout.contains("00000000000000000000000000000000"),
        "{stdout}"
    );
}

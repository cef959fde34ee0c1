//! The rooms in one SQLite file: the embedded default, nothing to install or run beside the
//! relay.
//!
//! WAL with `synchronous=FULL`: a commit is on disk when it returns, and a crash loses nothing
//! committed. Statements are prepared once and cached by the connection.
//!
//! `secure_delete`: what is deleted — entries a snapshot made redundant, a room deleted for
//! everyone — is overwritten with zeros in the file, not merely unlinked, so the sealed bytes
//! of a deleted report cannot be read back from free pages. After a commit that purged a room
//! the WAL is checkpointed and truncated, so its old frames go too. (Backups made before keep
//! what they held until they are replaced: `docs/operations.md`.)

use std::collections::HashSet;
use std::path::Path;

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension as _};

use super::{to_i64, Op, Rows, Store};
use crate::Error;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rooms (
    id BLOB PRIMARY KEY,
    verifier BLOB,
    epoch INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entries (
    room BLOB NOT NULL,
    seq INTEGER NOT NULL,
    prev_seq INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (room, seq)
);
CREATE TABLE IF NOT EXISTS snapshots (
    room BLOB NOT NULL,
    covers_seq INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (room, covers_seq)
);
";

/// Columns added since the first schema, with their definitions.
const ADDED: [(&str, &str, &str); 4] = [
    ("rooms", "touched", "touched INTEGER NOT NULL DEFAULT 0"),
    ("rooms", "deletion", "deletion BLOB"),
    ("rooms", "retain_until", "retain_until INTEGER"),
    ("rooms", "retention", "retention BLOB"),
];

/// A room's row: verifier, epoch, deletion record.
type RoomRow = (Option<Vec<u8>>, i64, Option<Vec<u8>>);

/// An open SQLite database with the relay's schema.
pub(crate) struct Sqlite {
    conn: Connection,
    /// The transaction purged a room: checkpoint and truncate the WAL after the commit.
    purged: bool,
    /// Whether `rooms` has the `deletion` column: a database of an older schema opened
    /// read-only (`check`) does not, and has no deleted room either.
    deletions: bool,
}

impl Sqlite {
    /// Opens (or creates) the database at `path` with the schema and durable settings.
    pub(crate) fn open(path: &Path) -> Result<Sqlite, Error> {
        let conn = Connection::open(path)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::StoredValue(format!(
                "journal_mode is {mode}, not wal"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)?;
        for (table, column, definition) in ADDED {
            let present: bool = conn.query_row(
                "SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
                [table, column],
                |row| row.get(0),
            )?;
            if !present {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {definition}"))?;
            }
        }
        Ok(Sqlite {
            conn,
            purged: false,
            deletions: true,
        })
    }
}

impl Sqlite {
    /// Opens an existing database without changing it (no schema, no journal mode).
    pub(crate) fn open_read_only(path: &Path) -> Result<Sqlite, Error> {
        if !path.is_file() {
            return Err(Error::DatabaseMissing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let deletions = conn.query_row(
            "SELECT count(*) > 0 FROM pragma_table_info('rooms') WHERE name = 'deletion'",
            [],
            |row| row.get(0),
        )?;
        Ok(Sqlite {
            conn,
            purged: false,
            deletions,
        })
    }

    /// Writes a consistent copy of the database to `target` while others keep writing
    /// (`VACUUM INTO` reads in one transaction); `target` must not exist.
    pub(crate) fn copy_to(&self, target: &Path) -> Result<(), Error> {
        let target = target
            .to_str()
            .ok_or_else(|| Error::StoredValue("the backup path is not UTF-8".into()))?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }
}

impl Store for Sqlite {
    fn expire_empty(&mut self, cutoff: i64, keep: &HashSet<RoomId>) -> Result<u64, Error> {
        let ids: Vec<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT id FROM rooms WHERE touched < ?1 AND deletion IS NULL
                 AND NOT EXISTS (SELECT 1 FROM entries WHERE entries.room = rooms.id)
                 AND NOT EXISTS (SELECT 1 FROM snapshots WHERE snapshots.room = rooms.id)",
            )?
            .query_map([cutoff], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut expired = 0;
        for id in ids {
            if keep.contains(&super::fixed::<16>(id.clone())?) {
                continue;
            }
            self.conn
                .prepare_cached("DELETE FROM rooms WHERE id = ?1")?
                .execute([id])?;
            expired += 1;
        }
        Ok(expired)
    }

    fn purge_retained(&mut self, now: i64, keep: &HashSet<RoomId>) -> Result<u64, Error> {
        let ids: Vec<Vec<u8>> = self
            .conn
            .prepare_cached(
                "SELECT id FROM rooms WHERE retain_until <= ?1 AND retention IS NOT NULL
                 AND deletion IS NULL",
            )?
            .query_map([now], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut purged = 0;
        for id in ids {
            if keep.contains(&super::fixed::<16>(id.clone())?) {
                continue;
            }
            self.conn
                .prepare_cached("DELETE FROM entries WHERE room = ?1")?
                .execute([&id])?;
            self.conn
                .prepare_cached("DELETE FROM snapshots WHERE room = ?1")?
                .execute([&id])?;
            self.conn
                .prepare_cached(
                    "UPDATE rooms SET deletion = retention, bytes = length(retention),
                     retain_until = NULL, retention = NULL, touched = unixepoch()
                     WHERE id = ?1",
                )?
                .execute([&id])?;
            purged += 1;
        }
        if purged > 0 {
            self.purged = true;
        }
        Ok(purged)
    }

    fn stored_bytes(&mut self) -> Result<u64, Error> {
        let sum: i64 =
            self.conn
                .query_row("SELECT COALESCE(SUM(bytes), 0) FROM rooms", [], |row| {
                    row.get(0)
                })?;
        super::to_u64(sum)
    }

    fn room_ids(&mut self) -> Result<Vec<RoomId>, Error> {
        let ids: Vec<Vec<u8>> = self
            .conn
            .prepare("SELECT id FROM rooms ORDER BY id")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter().map(super::fixed).collect()
    }

    fn integrity(&mut self) -> Result<Vec<String>, Error> {
        let lines: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(lines
            .into_iter()
            .filter(|line| line != "ok")
            .map(|line| format!("SQLite: {line}"))
            .collect())
    }

    fn begin(&mut self) -> Result<(), Error> {
        self.conn.execute_batch("BEGIN")?;
        Ok(())
    }

    fn load(&mut self, room: &RoomId) -> Result<Option<Vec<Record>>, Error> {
        let conn = &self.conn;
        let head: Option<RoomRow> = conn
            .prepare_cached(if self.deletions {
                "SELECT verifier, epoch, deletion FROM rooms WHERE id = ?1"
            } else {
                "SELECT verifier, epoch, NULL FROM rooms WHERE id = ?1"
            })?
            .query_row(params![&room[..]], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let Some((verifier, epoch, deletion)) = head else {
            return Ok(None);
        };
        let snapshots = conn
            .prepare_cached("SELECT covers_seq, sealed FROM snapshots WHERE room = ?1")?
            .query_map(params![&room[..]], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let entries = conn
            .prepare_cached(
                "SELECT seq, prev_seq, sealed FROM entries WHERE room = ?1 ORDER BY seq",
            )?
            .query_map(params![&room[..]], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        Rows {
            verifier,
            epoch,
            snapshots,
            entries,
            deletion,
        }
        .into_records()
    }

    fn apply(&mut self, room: &RoomId, op: &Op) -> Result<(), Error> {
        let id = &room[..];
        let conn = &self.conn;
        match op {
            Op::Record(Record::Registered { verifier }) => {
                conn.prepare_cached(
                    "INSERT INTO rooms (id, verifier, touched) VALUES (?1, ?2, unixepoch())
                     ON CONFLICT (id) DO UPDATE
                     SET verifier = excluded.verifier, touched = excluded.touched",
                )?
                .execute(params![id, &verifier[..]])?;
            }
            Op::Record(Record::Epoch { epoch }) => {
                conn.prepare_cached(
                    "INSERT INTO rooms (id, epoch) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET epoch = max(epoch, excluded.epoch)",
                )?
                .execute(params![id, to_i64(*epoch)?])?;
            }
            Op::Record(Record::Entry {
                seq,
                prev_seq,
                sealed,
            }) => {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO entries (room, seq, prev_seq, sealed)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    id,
                    to_i64(*seq)?,
                    to_i64(*prev_seq)?,
                    sealed
                ])?;
            }
            Op::Record(Record::Snapshot { covers_seq, sealed }) => {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO snapshots (room, covers_seq, sealed)
                     VALUES (?1, ?2, ?3)",
                )?
                .execute(params![id, to_i64(*covers_seq)?, sealed])?;
            }
            Op::Record(Record::Purged { sealed, .. }) => {
                conn.prepare_cached("DELETE FROM entries WHERE room = ?1")?
                    .execute(params![id])?;
                conn.prepare_cached("DELETE FROM snapshots WHERE room = ?1")?
                    .execute(params![id])?;
                conn.prepare_cached(
                    "INSERT INTO rooms (id, deletion, touched) VALUES (?1, ?2, unixepoch())
                     ON CONFLICT (id) DO UPDATE
                     SET deletion = excluded.deletion, touched = excluded.touched",
                )?
                .execute(params![id, sealed])?;
                self.purged = true;
            }
            Op::Record(Record::Retained { until, sealed }) => {
                let (until, sealed) = match *until {
                    0 => (None, None),
                    until => (Some(to_i64(until)?), Some(sealed)),
                };
                conn.prepare_cached(
                    "INSERT INTO rooms (id, retain_until, retention, touched)
                     VALUES (?1, ?2, ?3, unixepoch())
                     ON CONFLICT (id) DO UPDATE
                     SET retain_until = excluded.retain_until, retention = excluded.retention,
                         touched = excluded.touched",
                )?
                .execute(params![id, until, sealed])?;
            }
            Op::Compact { through_seq } => {
                let through = to_i64(*through_seq)?;
                conn.prepare_cached("DELETE FROM entries WHERE room = ?1 AND seq <= ?2")?
                    .execute(params![id, through])?;
                conn.prepare_cached("DELETE FROM snapshots WHERE room = ?1 AND covers_seq < ?2")?
                    .execute(params![id, through])?;
            }
        }
        Ok(())
    }

    fn set_bytes(&mut self, room: &RoomId, bytes: u64) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO rooms (id, bytes, touched) VALUES (?1, ?2, unixepoch())
                 ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes, touched = excluded.touched",
            )?
            .execute(params![&room[..], to_i64(bytes)?])?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), Error> {
        self.conn.execute_batch("COMMIT")?;
        if std::mem::take(&mut self.purged) {
            // The WAL still holds the pages as they were before the purge; copy the zeroed
            // ones into the file and cut the log. A reader (a backup, `check`) can keep the
            // checkpoint from finishing: the log is then cut at the next purge or restart.
            let busy: i64 = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
            if busy != 0 {
                tracing::warn!("Protokolldatei nach dem Löschen noch nicht geleert");
            }
        }
        Ok(())
    }

    fn rollback(&mut self) {
        self.purged = false;
        // Outside a transaction (a failed BEGIN) there is nothing to roll back.
        if !self.conn.is_autocommit() {
            if let Err(error) = self.conn.execute_batch("ROLLBACK") {
                tracing::error!(%error, "Zurückrollen fehlgeschlagen");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rooms_expire() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Sqlite::open(&dir.path().join("t.sqlite3")).expect("opens");
        super::super::tests::empty_rooms_expire(&mut store);
    }

    #[test]
    fn retained_rooms_are_purged_when_due() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Sqlite::open(&dir.path().join("t.sqlite3")).expect("opens");
        super::super::tests::retained_rooms_are_purged_when_due(&mut store);
    }

    #[test]
    fn a_database_of_the_first_schema_gets_the_new_columns() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("old.sqlite3");
        let old = Connection::open(&path).expect("old");
        old.execute_batch(SCHEMA).expect("first schema");
        old.execute_batch("INSERT INTO rooms (id, verifier) VALUES (zeroblob(16), zeroblob(32))")
            .expect("a room");
        drop(old);
        let mut store = Sqlite::open(&path).expect("opens and adds the columns");
        store.begin().expect("begin");
        assert!(store.load(&[0; 16]).expect("load").is_some());
        // Untouched since the column came: expires at the first sweep if it holds nothing.
        assert_eq!(store.expire_empty(1, &HashSet::new()).expect("expire"), 1);
        store.commit().expect("commit");
    }

    #[test]
    fn records_round_trip_and_compaction() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Sqlite::open(&dir.path().join("t.sqlite3")).expect("opens");
        super::super::tests::records_round_trip_and_compaction(&mut store);
        let bytes: i64 = store
            .conn
            .query_row(
                "SELECT bytes FROM rooms WHERE id = ?1",
                [&[7u8; 16][..]],
                |r| r.get(0),
            )
            .expect("bytes");
        assert_eq!(bytes, 7);
    }
}

//! The rooms' durable records in SQLite: schema, loading a room, applying one write.
//!
//! Only the writer thread ([`crate::writer`]) holds the connection, so reads and writes are
//! ordered by its queue. WAL with `synchronous=FULL`: a commit is on disk when it returns, and a
//! crash loses nothing committed. Sequence numbers are `u64` in the protocol and `INTEGER` (i64)
//! here; the protocol's `epoch << 32 | n` stays far below 2^63, and a value above is refused
//! rather than wrapped.

use std::path::Path;

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;
use rusqlite::{params, Connection, OptionalExtension as _, Transaction};

/// One write the writer applies, in queue order.
#[derive(Debug)]
pub(crate) enum Op {
    /// A record the room asked to persist.
    Record(Record),
    /// Delete entries up to `through_seq` and snapshots older than the one covering it.
    Compact { through_seq: u64 },
}

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

/// Opens (or creates) the database at `path` with the schema and durable settings.
pub(crate) fn open(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open(path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, not wal"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

fn to_sql(seq: u64) -> Result<i64, rusqlite::Error> {
    i64::try_from(seq).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn from_sql(value: i64) -> Result<u64, rusqlite::Error> {
    u64::try_from(value).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn fixed<const N: usize>(bytes: Vec<u8>) -> Result<[u8; N], rusqlite::Error> {
    <[u8; N]>::try_from(bytes).map_err(|b| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            format!("expected {N} bytes, found {}", b.len()).into(),
        )
    })
}

/// Everything stored for `room`, or `None` if the relay has never stored anything for it.
pub(crate) fn load(
    tx: &Transaction<'_>,
    room: &RoomId,
) -> Result<Option<Vec<Record>>, rusqlite::Error> {
    let head: Option<(Option<Vec<u8>>, i64)> = tx
        .prepare_cached("SELECT verifier, epoch FROM rooms WHERE id = ?1")?
        .query_row(params![&room[..]], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((verifier, epoch)) = head else {
        return Ok(None);
    };
    let mut records = Vec::new();
    if let Some(verifier) = verifier {
        records.push(Record::Registered {
            verifier: fixed(verifier)?,
        });
    }
    let epoch = from_sql(epoch)?;
    if epoch > 0 {
        records.push(Record::Epoch { epoch });
    }
    let mut snapshots =
        tx.prepare_cached("SELECT covers_seq, sealed FROM snapshots WHERE room = ?1")?;
    let rows = snapshots.query_map(params![&room[..]], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
    })?;
    for row in rows {
        let (covers_seq, sealed) = row?;
        records.push(Record::Snapshot {
            covers_seq: from_sql(covers_seq)?,
            sealed,
        });
    }
    let mut entries = tx
        .prepare_cached("SELECT seq, prev_seq, sealed FROM entries WHERE room = ?1 ORDER BY seq")?;
    let rows = entries.query_map(params![&room[..]], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    for row in rows {
        let (seq, prev_seq, sealed) = row?;
        records.push(Record::Entry {
            seq: from_sql(seq)?,
            prev_seq: from_sql(prev_seq)?,
            sealed,
        });
    }
    Ok(Some(records))
}

/// Applies one write inside the writer's transaction.
pub(crate) fn apply(tx: &Transaction<'_>, room: &RoomId, op: &Op) -> Result<(), rusqlite::Error> {
    let id = &room[..];
    match op {
        Op::Record(Record::Registered { verifier }) => {
            tx.prepare_cached(
                "INSERT INTO rooms (id, verifier) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET verifier = excluded.verifier",
            )?
            .execute(params![id, &verifier[..]])?;
        }
        Op::Record(Record::Epoch { epoch }) => {
            tx.prepare_cached(
                "INSERT INTO rooms (id, epoch) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET epoch = max(epoch, excluded.epoch)",
            )?
            .execute(params![id, to_sql(*epoch)?])?;
        }
        Op::Record(Record::Entry {
            seq,
            prev_seq,
            sealed,
        }) => {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO entries (room, seq, prev_seq, sealed) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, to_sql(*seq)?, to_sql(*prev_seq)?, sealed])?;
        }
        Op::Record(Record::Snapshot { covers_seq, sealed }) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO snapshots (room, covers_seq, sealed) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, to_sql(*covers_seq)?, sealed])?;
        }
        Op::Compact { through_seq } => {
            let through = to_sql(*through_seq)?;
            tx.prepare_cached("DELETE FROM entries WHERE room = ?1 AND seq <= ?2")?
                .execute(params![id, through])?;
            tx.prepare_cached("DELETE FROM snapshots WHERE room = ?1 AND covers_seq < ?2")?
                .execute(params![id, through])?;
        }
    }
    Ok(())
}

/// Records the room's stored byte count (what its limit is checked against).
pub(crate) fn set_bytes(
    tx: &Transaction<'_>,
    room: &RoomId,
    bytes: u64,
) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(
        "INSERT INTO rooms (id, bytes) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
    )?
    .execute(params![&room[..], to_sql(bytes)?])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOM: RoomId = [7; 16];

    #[test]
    fn records_round_trip_and_compaction() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let mut conn = open(&dir.path().join("t.sqlite3"))?;
        let tx = conn.transaction()?;
        assert_eq!(load(&tx, &ROOM)?, None);
        let writes = [
            Op::Record(Record::Registered { verifier: [1; 32] }),
            Op::Record(Record::Epoch { epoch: 2 }),
            Op::Record(Record::Entry {
                seq: 1,
                prev_seq: 0,
                sealed: vec![1; 3],
            }),
            Op::Record(Record::Entry {
                seq: 2,
                prev_seq: 1,
                sealed: vec![2; 3],
            }),
            Op::Record(Record::Snapshot {
                covers_seq: 1,
                sealed: vec![9],
            }),
            Op::Compact { through_seq: 1 },
        ];
        for op in &writes {
            apply(&tx, &ROOM, op)?;
        }
        set_bytes(&tx, &ROOM, 4)?;
        tx.commit()?;
        let tx = conn.transaction()?;
        assert_eq!(
            load(&tx, &ROOM)?,
            Some(vec![
                Record::Registered { verifier: [1; 32] },
                Record::Epoch { epoch: 2 },
                Record::Snapshot {
                    covers_seq: 1,
                    sealed: vec![9]
                },
                Record::Entry {
                    seq: 2,
                    prev_seq: 1,
                    sealed: vec![2; 3]
                },
            ])
        );
        let bytes: i64 = tx.query_row("SELECT bytes FROM rooms", [], |r| r.get(0))?;
        assert_eq!(bytes, 4);
        Ok(())
    }
}

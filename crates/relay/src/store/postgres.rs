//! The rooms in a PostgreSQL database, for operators who run their services on their own
//! database clusters (backups, replication and monitoring they already have).
//!
//! Same tables and guarantees as [`super::sqlite`]: a commit returns once it is durable (the
//! session sets `synchronous_commit = on`, whatever the server's default), and the writer only
//! acknowledges after it. A batch's entries go in one `INSERT … SELECT FROM unnest(…)` at the
//! end of the batch (or before anything that must see them), so a batch costs a handful of round
//! trips, not one per keystroke. Sealed bytes are ciphertext: `STORAGE EXTERNAL` spares
//! PostgreSQL trying to compress them.
//!
//! One relay per database for now: the relay holds a session-level advisory lock, and a second
//! relay on the same database refuses to start ([`Error::DatabaseInUse`]). Two relays numbering
//! the same room's entries independently would reuse sequence numbers; serving one room from
//! several instances needs the numbering to come from the database itself.
//!
//! A connection that breaks (a database restart, a failover) fails the batch in flight, whose
//! rooms tell their devices and are reloaded; the next batch connects again.
//!
//! The connection is plain TCP or a Unix socket; TLS to the database is not built in yet (use a
//! socket, a local network, or a TLS tunnel).

use std::str::FromStr as _;
use std::time::Duration;

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;
use postgres::config::Host;
use postgres::{Client, NoTls, Statement};

use super::{to_i64, Op, Rows, Store};
use crate::Error;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS rooms (
    id BYTEA PRIMARY KEY,
    verifier BYTEA,
    epoch BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entries (
    room BYTEA NOT NULL,
    seq BIGINT NOT NULL,
    prev_seq BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (room, seq)
);
CREATE TABLE IF NOT EXISTS snapshots (
    room BYTEA NOT NULL,
    covers_seq BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (room, covers_seq)
);
ALTER TABLE entries ALTER COLUMN sealed SET STORAGE EXTERNAL;
ALTER TABLE snapshots ALTER COLUMN sealed SET STORAGE EXTERNAL;
";

/// The advisory lock a relay holds on its database ("dreieck1" in ASCII).
const INSTANCE_LOCK: i64 = 0x6472_6569_6563_6b31;

/// Entries are sent to the database once this many sealed bytes wait, at the latest.
const FLUSH_BYTES: usize = 16 << 20;

/// How long the relay waits for the database when it connects.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The database for messages: host, port, user and database name, never the password.
pub(crate) fn describe(url: &str) -> String {
    let Ok(config) = postgres::Config::from_str(url) else {
        return "postgres://(unlesbare Adresse)".to_owned();
    };
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => String::new(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

/// An error for logs and messages: the server's SQLSTATE and message, without its detail (which
/// can quote stored values such as room ids).
pub(crate) fn summary(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = error.to_string();
            let mut cause = std::error::Error::source(error);
            while let Some(inner) = cause {
                text = format!("{text}: {inner}");
                cause = inner.source();
            }
            text
        }
    }
}

/// Creates the database `name` through the server `admin` names, and returns the URL of the new
/// database (with `admin`'s host, port, user and password). For throwaway databases of tests
/// and benchmarks; `name` must be a plain identifier.
pub fn create_database(admin: &str, name: &str) -> Result<String, Error> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(Error::StoredValue(format!(
            "not a plain database name: {name}"
        )));
    }
    let Some((server, _)) = admin.split('?').next().and_then(|a| a.rsplit_once('/')) else {
        return Err(Error::DatabaseFlag);
    };
    if !server.contains("://") || server.ends_with('/') {
        return Err(Error::DatabaseFlag);
    }
    let mut client = postgres::Config::from_str(admin)?.connect(NoTls)?;
    client.batch_execute(&format!("CREATE DATABASE {name}"))?;
    Ok(format!("{server}/{name}"))
}

/// A connection with the relay's statements prepared on it.
struct Session {
    client: Client,
    load_room: Statement,
    load_snapshots: Statement,
    load_entries: Statement,
    register: Statement,
    epoch: Statement,
    entries: Statement,
    snapshot: Statement,
    compact_entries: Statement,
    compact_snapshots: Statement,
    bytes: Statement,
}

impl Session {
    fn connect(config: &postgres::Config) -> Result<Session, Error> {
        let mut client = config.connect(NoTls)?;
        client.batch_execute("SET synchronous_commit = on")?;
        let locked: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&INSTANCE_LOCK])?
            .try_get(0)?;
        if !locked {
            return Err(Error::DatabaseInUse);
        }
        let fsync: String = client.query_one("SHOW fsync", &[])?.try_get(0)?;
        if fsync != "on" {
            tracing::warn!(
                "PostgreSQL läuft mit fsync = {fsync}: bestätigte Änderungen können bei einem \
                 Absturz verloren gehen"
            );
        }
        client.batch_execute(SCHEMA)?;
        Ok(Session {
            load_room: client.prepare("SELECT verifier, epoch FROM rooms WHERE id = $1")?,
            load_snapshots: client
                .prepare("SELECT covers_seq, sealed FROM snapshots WHERE room = $1")?,
            load_entries: client.prepare(
                "SELECT seq, prev_seq, sealed FROM entries WHERE room = $1 ORDER BY seq",
            )?,
            register: client.prepare(
                "INSERT INTO rooms (id, verifier) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET verifier = excluded.verifier",
            )?,
            epoch: client.prepare(
                "INSERT INTO rooms (id, epoch) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET epoch = GREATEST(rooms.epoch, excluded.epoch)",
            )?,
            entries: client.prepare(
                "INSERT INTO entries (room, seq, prev_seq, sealed)
                 SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::bytea[])
                 ON CONFLICT DO NOTHING",
            )?,
            snapshot: client.prepare(
                "INSERT INTO snapshots (room, covers_seq, sealed) VALUES ($1, $2, $3)
                 ON CONFLICT (room, covers_seq) DO UPDATE SET sealed = excluded.sealed",
            )?,
            compact_entries: client.prepare("DELETE FROM entries WHERE room = $1 AND seq <= $2")?,
            compact_snapshots: client
                .prepare("DELETE FROM snapshots WHERE room = $1 AND covers_seq < $2")?,
            bytes: client.prepare(
                "INSERT INTO rooms (id, bytes) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
            )?,
            client,
        })
    }
}

/// Entries of the open transaction not yet sent to the database.
#[derive(Default)]
struct Pending {
    rooms: Vec<Vec<u8>>,
    seqs: Vec<i64>,
    prev_seqs: Vec<i64>,
    sealed: Vec<Vec<u8>>,
    bytes: usize,
}

/// A PostgreSQL database with the relay's schema.
pub(crate) struct Postgres {
    config: postgres::Config,
    session: Option<Session>,
    pending: Pending,
}

impl Postgres {
    /// Connects, takes the instance lock and creates the tables if they are missing.
    pub(crate) fn open(url: &str) -> Result<Postgres, Error> {
        let mut config = postgres::Config::from_str(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("dreieck-relay");
        let session = Session::connect(&config)?;
        Ok(Postgres {
            config,
            session: Some(session),
            pending: Pending::default(),
        })
    }

    fn session(&mut self) -> Result<&mut Session, Error> {
        self.session.as_mut().ok_or(Error::DatabaseGone)
    }

    /// Sends the entries waiting in [`Pending`] in one statement.
    fn flush(&mut self) -> Result<(), Error> {
        if self.pending.seqs.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let session = self.session()?;
        let rooms: Vec<&[u8]> = pending.rooms.iter().map(Vec::as_slice).collect();
        let sealed: Vec<&[u8]> = pending.sealed.iter().map(Vec::as_slice).collect();
        session.client.execute(
            &session.entries,
            &[&rooms, &pending.seqs, &pending.prev_seqs, &sealed],
        )?;
        Ok(())
    }
}

impl Store for Postgres {
    fn begin(&mut self) -> Result<(), Error> {
        self.pending = Pending::default();
        if self.session.as_ref().is_none_or(|s| s.client.is_closed()) {
            self.session = None;
            tracing::warn!("Verbindung zu PostgreSQL verloren, verbinde neu");
            self.session = Some(Session::connect(&self.config)?);
        }
        self.session()?.client.batch_execute("BEGIN")?;
        Ok(())
    }

    fn load(&mut self, room: &RoomId) -> Result<Option<Vec<Record>>, Error> {
        self.flush()?;
        let session = self.session()?;
        let id = &room[..];
        let Some(head) = session.client.query_opt(&session.load_room, &[&id])? else {
            return Ok(None);
        };
        let snapshots = session
            .client
            .query(&session.load_snapshots, &[&id])?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, postgres::Error>>()?;
        let entries = session
            .client
            .query(&session.load_entries, &[&id])?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
            .collect::<Result<_, postgres::Error>>()?;
        Rows {
            verifier: head.try_get(0)?,
            epoch: head.try_get(1)?,
            snapshots,
            entries,
        }
        .into_records()
        .map(Some)
    }

    fn apply(&mut self, room: &RoomId, op: &Op) -> Result<(), Error> {
        let id = &room[..];
        if let Op::Record(Record::Entry {
            seq,
            prev_seq,
            sealed,
        }) = op
        {
            let (seq, prev_seq) = (to_i64(*seq)?, to_i64(*prev_seq)?);
            let pending = &mut self.pending;
            pending.rooms.push(id.to_vec());
            pending.seqs.push(seq);
            pending.prev_seqs.push(prev_seq);
            pending.sealed.push(sealed.clone());
            pending.bytes += sealed.len();
            if pending.bytes >= FLUSH_BYTES {
                self.flush()?;
            }
            return Ok(());
        }
        // Everything else may depend on the entries before it (a compaction deletes them).
        self.flush()?;
        let session = self.session()?;
        let client = &mut session.client;
        match op {
            Op::Record(Record::Registered { verifier }) => {
                client.execute(&session.register, &[&id, &&verifier[..]])?;
            }
            Op::Record(Record::Epoch { epoch }) => {
                client.execute(&session.epoch, &[&id, &to_i64(*epoch)?])?;
            }
            Op::Record(Record::Snapshot { covers_seq, sealed }) => {
                client.execute(&session.snapshot, &[&id, &to_i64(*covers_seq)?, sealed])?;
            }
            Op::Compact { through_seq } => {
                let through = to_i64(*through_seq)?;
                client.execute(&session.compact_entries, &[&id, &through])?;
                client.execute(&session.compact_snapshots, &[&id, &through])?;
            }
            Op::Record(Record::Entry { .. }) => {}
        }
        Ok(())
    }

    fn set_bytes(&mut self, room: &RoomId, bytes: u64) -> Result<(), Error> {
        let bytes = to_i64(bytes)?;
        let session = self.session()?;
        session
            .client
            .execute(&session.bytes, &[&&room[..], &bytes])?;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), Error> {
        self.flush()?;
        self.session()?.client.batch_execute("COMMIT")?;
        Ok(())
    }

    fn rollback(&mut self) {
        self.pending = Pending::default();
        let Some(session) = self.session.as_mut() else {
            return;
        };
        if session.client.is_closed() {
            return;
        }
        if let Err(error) = session.client.batch_execute("ROLLBACK") {
            tracing::error!(%error, "Zurückrollen fehlgeschlagen");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh database on the throwaway server `cargo xtask test` starts
    /// (`DREIECK_TEST_POSTGRES`); `None` only if that variable says `off`.
    fn test_database() -> Option<String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("DREIECK_TEST_POSTGRES").expect(
            "DREIECK_TEST_POSTGRES names no PostgreSQL server: run `cargo xtask test`, \
             or set it to `off` to skip the PostgreSQL tests",
        );
        if admin == "off" {
            return None;
        }
        let name = format!(
            "unit_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        Some(create_database(&admin, &name).expect("creates a test database"))
    }

    #[test]
    fn records_round_trip_and_compaction() {
        let Some(url) = test_database() else { return };
        let mut store = Postgres::open(&url).expect("connects");
        super::super::tests::records_round_trip_and_compaction(&mut store);
        let session = store.session().expect("session");
        let bytes: i64 = session
            .client
            .query_one("SELECT bytes FROM rooms", &[])
            .and_then(|row| row.try_get(0))
            .expect("bytes");
        assert_eq!(bytes, 7);
    }

    #[test]
    fn a_second_relay_on_the_same_database_refuses_to_start() {
        let Some(url) = test_database() else { return };
        let _first = Postgres::open(&url).expect("connects");
        let second = Postgres::open(&url);
        assert!(
            matches!(second, Err(Error::DatabaseInUse)),
            "{:?}",
            second.err()
        );
    }

    #[test]
    fn the_description_never_holds_the_password() {
        let text = describe("postgres://relay:geheim@db.example:5433/dreieck");
        assert_eq!(text, "postgres://relay@db.example:5433/dreieck");
        assert!(!describe("host=/run/postgresql user=relay password=geheim").contains("geheim"));
        assert!(!describe("postgres://relay:geheim@[broken").contains("geheim"));
    }
}

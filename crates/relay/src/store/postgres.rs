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
//! Several relay instances may share one database. Each room is served by one instance at a
//! time (its *owner*, `rooms.owner`), which numbers its entries as a single relay does; the
//! others forward their devices' connections for that room to it ([`crate::forward`]).
//! - An instance is alive while its database session holds the advisory lock named by its id
//!   (a random number per start, in `instances` with the URL others forward to). Killed or cut
//!   off, its session ends and PostgreSQL drops the lock at once: no lease to wait out.
//! - [`Store::claim`] takes a room whose owner is nobody, this instance, or not alive, in one
//!   statement (`INSERT … ON CONFLICT … DO UPDATE … WHERE`), so two instances racing for a room
//!   see one winner; the loser is told the winner's URL.
//! - Fencing: an instance keeps its rooms only while its session lives. When the connection
//!   breaks, the rooms it claimed may have passed to others, so every write for them is refused
//!   ([`Store::still_ours`]) until the room is loaded and claimed again on the new session.
//!   With a new owner, the room restarts with a new epoch (as after a relay restart), so
//!   sequence numbers are never reused, whatever was fanned out but not stored.
//!
//! A connection that breaks (a database restart, a failover) fails the batch in flight, whose
//! rooms tell their devices and are reloaded; the next batch connects again.
//!
//! The connection is a Unix socket, plain TCP, or TLS when the URL says `sslmode=require` (or
//! libpq's `verify-full` / `verify-ca`, read as `require`): then the server's certificate is
//! checked against the system's roots and `--ca-file`, and must name the host
//! ([`crate::tls`]); there is no TLS without that check. `sslmode=prefer`, the default, stays
//! plain, as it would with a certificate nobody could check; a plain connection to another
//! machine is named in the log at start.

use std::str::FromStr as _;
use std::time::Duration;

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;
use postgres::config::{Host, SslMode};
use postgres::{Client, NoTls, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

use std::collections::{HashMap, HashSet};

use rand_core::{OsRng, RngCore as _};

use super::{to_i64, Claim, Op, Rows, Store};
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
ALTER TABLE rooms ADD COLUMN IF NOT EXISTS owner BIGINT;
ALTER TABLE rooms ADD COLUMN IF NOT EXISTS touched BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN IF NOT EXISTS deletion BYTEA;
ALTER TABLE rooms ADD COLUMN IF NOT EXISTS retain_until BIGINT;
ALTER TABLE rooms ADD COLUMN IF NOT EXISTS retention BYTEA;
CREATE TABLE IF NOT EXISTS instances (
    id BIGINT PRIMARY KEY,
    url TEXT NOT NULL,
    since TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS cluster (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret BYTEA NOT NULL CHECK (length(secret) = 32)
);
";

/// Serialises schema changes of instances starting at the same moment ("dreieck0").
const SCHEMA_LOCK: i64 = 0x6472_6569_6563_6b30;

/// Whether the instance whose id is in `$owner`'s place holds its advisory lock, i.e. is alive.
/// A bigint advisory lock shows in `pg_locks` as its high and low 32 bits.
const ALIVE: &str = "EXISTS (SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((l.classid::int8 << 32) | l.objid::int8) = OWNER)";

/// Entries are sent to the database once this many sealed bytes wait, at the latest.
const FLUSH_BYTES: usize = 16 << 20;

/// How long the relay waits for the database when it connects.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the relay reaches the database.
enum Transport {
    Plain,
    Tls(MakeRustlsConnect),
}

/// The connection settings `url` names, and whether they ask for TLS. libpq's `verify-full`
/// and `verify-ca` (which the client library does not know) mean `require` here: every TLS
/// connection is verified in full anyway.
fn parse(
    url: &str,
    ca_file: Option<&std::path::Path>,
) -> Result<(postgres::Config, Transport), Error> {
    let url = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    let config = postgres::Config::from_str(&url)?;
    if config.get_ssl_mode() == SslMode::Require {
        let tls = crate::tls::client_config(ca_file)?;
        return Ok((
            config,
            Transport::Tls(MakeRustlsConnect::new((*tls).clone())),
        ));
    }
    let remote = config.get_hosts().iter().any(|host| match host {
        Host::Tcp(name) => !is_loopback(name),
        #[cfg(unix)]
        Host::Unix(_) => false,
    });
    if remote {
        tracing::warn!(
            database = %describe(&url),
            "Die Verbindung zur Datenbank ist nicht verschlüsselt; sslmode=require in \
             --database schaltet TLS ein (docs/operations.md)"
        );
    }
    Ok((config, Transport::Plain))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

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

/// The secret instances of this database show each other: made by the first instance, read by
/// the others.
fn cluster_secret(client: &mut Client) -> Result<[u8; 32], Error> {
    let mut fresh = [0u8; 32];
    OsRng.fill_bytes(&mut fresh);
    client.execute(
        "INSERT INTO cluster (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        &[&&fresh[..]],
    )?;
    let stored: Vec<u8> = client
        .query_one("SELECT secret FROM cluster WHERE id = 1", &[])?
        .try_get(0)?;
    super::fixed(stored)
}

/// A connection with the relay's statements prepared on it.
struct Session {
    client: Client,
    load_room: Statement,
    load_snapshots: Statement,
    load_entries: Statement,
    verifier: Statement,
    epoch: Statement,
    entries: Statement,
    snapshot: Statement,
    compact_entries: Statement,
    compact_snapshots: Statement,
    purge_entries: Statement,
    purge_snapshots: Statement,
    deletion: Statement,
    retain: Statement,
    bytes: Statement,
    claim: Statement,
    owner_url: Statement,
    release: Statement,
}

impl Session {
    /// Connects as instance `instance`: takes its advisory lock (which says it is alive) and
    /// creates the tables if they are missing.
    fn connect(
        config: &postgres::Config,
        transport: &Transport,
        instance: i64,
    ) -> Result<Session, Error> {
        let mut client = match transport {
            Transport::Plain => config.connect(NoTls)?,
            Transport::Tls(tls) => config.connect(tls.clone())?,
        };
        // Durable before acknowledged, whatever the server's default; and no notices in the
        // relay's log for every table that already exists.
        client.batch_execute("SET synchronous_commit = on; SET client_min_messages = warning")?;
        let locked: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&instance])?
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
        let mut schema = client.transaction()?;
        schema.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
        schema.batch_execute(SCHEMA)?;
        schema.commit()?;
        let alive = ALIVE.replace("OWNER", "r.owner");
        Ok(Session {
            load_room: client.prepare("SELECT verifier, epoch, deletion FROM rooms WHERE id = $1")?,
            load_snapshots: client
                .prepare("SELECT covers_seq, sealed FROM snapshots WHERE room = $1")?,
            load_entries: client.prepare(
                "SELECT seq, prev_seq, sealed FROM entries WHERE room = $1 ORDER BY seq",
            )?,
            verifier: client.prepare(
                "INSERT INTO rooms (id, verifier, touched) VALUES ($1, $2, extract(epoch FROM now())::int8)
                 ON CONFLICT (id) DO UPDATE
                 SET verifier = excluded.verifier, touched = excluded.touched",
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
            purge_entries: client.prepare("DELETE FROM entries WHERE room = $1")?,
            purge_snapshots: client.prepare("DELETE FROM snapshots WHERE room = $1")?,
            deletion: client.prepare(
                "INSERT INTO rooms (id, deletion, touched)
                 VALUES ($1, $2, extract(epoch FROM now())::int8)
                 ON CONFLICT (id) DO UPDATE
                 SET deletion = excluded.deletion, touched = excluded.touched",
            )?,
            retain: client.prepare(
                "INSERT INTO rooms (id, retain_until, retention, touched)
                 VALUES ($1, $2, $3, extract(epoch FROM now())::int8)
                 ON CONFLICT (id) DO UPDATE
                 SET retain_until = excluded.retain_until, retention = excluded.retention,
                     touched = excluded.touched",
            )?,
            bytes: client.prepare(
                "INSERT INTO rooms (id, bytes, touched) VALUES ($1, $2, extract(epoch FROM now())::int8)
                 ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes, touched = excluded.touched",
            )?,
            claim: client.prepare(&format!(
                "INSERT INTO rooms AS r (id, owner) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET owner = $2
                 WHERE r.owner IS NULL OR r.owner = $2 OR NOT {alive}
                 RETURNING owner"
            ))?,
            owner_url: client.prepare(
                "SELECT i.url FROM rooms r JOIN instances i ON i.id = r.owner WHERE r.id = $1",
            )?,
            release: client
                .prepare("UPDATE rooms SET owner = NULL WHERE id = $1 AND owner = $2")?,
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

/// A PostgreSQL database with the relay's schema, as one relay instance uses it.
pub(crate) struct Postgres {
    config: postgres::Config,
    transport: Transport,
    session: Option<Session>,
    pending: Pending,
    /// This instance's id: its row in `instances` and the advisory lock that says it is alive.
    instance: i64,
    /// Counts connections to the database; a room claimed on an earlier one may be lost.
    generation: u64,
    /// The rooms this instance serves, by the generation they were claimed in.
    claimed: HashMap<RoomId, u64>,
    /// Where the others forward to, once known (registered again after a reconnect).
    url: Option<String>,
    secret: [u8; 32],
}

impl Postgres {
    /// Connects as a new instance and creates the tables if they are missing; over TLS if
    /// `url` asks for it, trusting the roots in `ca_file` besides the system's.
    pub(crate) fn open(url: &str, ca_file: Option<&std::path::Path>) -> Result<Postgres, Error> {
        let (mut config, transport) = parse(url, ca_file)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("dreieck-relay");
        // Positive and below 2^62: shown and compared as a plain bigint everywhere.
        let instance = i64::try_from(OsRng.next_u64() >> 2).unwrap_or(1).max(1);
        let mut session = Session::connect(&config, &transport, instance)?;
        let secret = cluster_secret(&mut session.client)?;
        Ok(Postgres {
            config,
            transport,
            session: Some(session),
            pending: Pending::default(),
            instance,
            generation: 0,
            claimed: HashMap::new(),
            url: None,
            secret,
        })
    }

    /// Writes this instance's row, and deletes the rows of instances that are gone.
    fn write_instance(&mut self) -> Result<(), Error> {
        let (Some(url), instance) = (self.url.clone(), self.instance) else {
            return Ok(());
        };
        let alive = ALIVE.replace("OWNER", "instances.id");
        let session = self.session()?;
        session.client.execute(
            "INSERT INTO instances (id, url) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET url = excluded.url",
            &[&instance, &url],
        )?;
        session.client.execute(
            &format!("DELETE FROM instances WHERE id <> $1 AND NOT {alive}"),
            &[&instance],
        )?;
        Ok(())
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
    fn expire_empty(&mut self, cutoff: i64, keep: &HashSet<RoomId>) -> Result<u64, Error> {
        self.flush()?;
        let session = self.session()?;
        let keep: Vec<&[u8]> = keep.iter().map(|id| &id[..]).collect();
        // Rooms another instance serves have an owner and stay.
        let expired = session.client.execute(
            "DELETE FROM rooms WHERE touched < $1 AND owner IS NULL AND deletion IS NULL
             AND NOT (id = ANY($2::bytea[]))
             AND NOT EXISTS (SELECT 1 FROM entries WHERE entries.room = rooms.id)
             AND NOT EXISTS (SELECT 1 FROM snapshots WHERE snapshots.room = rooms.id)",
            &[&cutoff, &keep],
        )?;
        Ok(expired)
    }

    fn purge_retained(&mut self, now: i64, keep: &HashSet<RoomId>) -> Result<u64, Error> {
        self.flush()?;
        let session = self.session()?;
        let keep: Vec<&[u8]> = keep.iter().map(|id| &id[..]).collect();
        // Rooms another instance serves have an owner and wait for the next sweep; the rows
        // are locked, so a claim waits until the purge is committed and then loads it.
        let purged = session.client.execute(
            "WITH due AS (
                 SELECT id FROM rooms WHERE retain_until <= $1 AND retention IS NOT NULL
                 AND deletion IS NULL AND owner IS NULL AND NOT (id = ANY($2::bytea[]))
                 FOR UPDATE
             ), gone_entries AS (
                 DELETE FROM entries WHERE room IN (SELECT id FROM due)
             ), gone_snapshots AS (
                 DELETE FROM snapshots WHERE room IN (SELECT id FROM due)
             )
             UPDATE rooms SET deletion = retention, bytes = octet_length(retention),
                 retain_until = NULL, retention = NULL,
                 touched = extract(epoch FROM now())::int8
             WHERE id IN (SELECT id FROM due)",
            &[&now, &keep],
        )?;
        Ok(purged)
    }

    fn stored_bytes(&mut self) -> Result<u64, Error> {
        let session = self.session()?;
        let sum: i64 = session
            .client
            .query_one("SELECT COALESCE(SUM(bytes), 0)::int8 FROM rooms", &[])?
            .try_get(0)?;
        super::to_u64(sum)
    }

    fn room_ids(&mut self) -> Result<Vec<RoomId>, Error> {
        let session = self.session()?;
        let rows = session
            .client
            .query("SELECT id FROM rooms ORDER BY id", &[])?;
        rows.iter()
            .map(|row| super::fixed(row.try_get::<_, Vec<u8>>(0)?))
            .collect()
    }

    fn begin(&mut self) -> Result<(), Error> {
        self.pending = Pending::default();
        if self.session.as_ref().is_none_or(|s| s.client.is_closed()) {
            self.session = None;
            tracing::warn!("Verbindung zu PostgreSQL verloren, verbinde neu");
            self.session = Some(Session::connect(
                &self.config,
                &self.transport,
                self.instance,
            )?);
            // Rooms claimed before may have passed to others meanwhile: see still_ours.
            self.generation += 1;
            self.claimed.clear();
            self.write_instance()?;
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
            deletion: head.try_get(2)?,
        }
        .into_records()
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
                client.execute(&session.verifier, &[&id, &&verifier[..]])?;
            }
            Op::Record(Record::Epoch { epoch }) => {
                client.execute(&session.epoch, &[&id, &to_i64(*epoch)?])?;
            }
            Op::Record(Record::Snapshot { covers_seq, sealed }) => {
                client.execute(&session.snapshot, &[&id, &to_i64(*covers_seq)?, sealed])?;
            }
            Op::Record(Record::Purged { sealed, .. }) => {
                client.execute(&session.purge_entries, &[&id])?;
                client.execute(&session.purge_snapshots, &[&id])?;
                client.execute(&session.deletion, &[&id, sealed])?;
            }
            Op::Record(Record::Retained { until, sealed }) => {
                let (until, sealed) = match *until {
                    0 => (None, None),
                    until => (Some(to_i64(until)?), Some(sealed)),
                };
                client.execute(&session.retain, &[&id, &until, &sealed])?;
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

    fn register(&mut self, url: &str) -> Result<(), Error> {
        self.url = Some(url.to_owned());
        self.write_instance()
    }

    fn claim(&mut self, room: &RoomId) -> Result<Claim, Error> {
        self.flush()?;
        let instance = self.instance;
        let session = self.session()?;
        let id = &room[..];
        if session
            .client
            .query_opt(&session.claim, &[&id, &instance])?
            .is_some()
        {
            let generation = self.generation;
            self.claimed.insert(*room, generation);
            return Ok(Claim::Ours);
        }
        match session.client.query_opt(&session.owner_url, &[&id])? {
            Some(row) => Ok(Claim::Elsewhere {
                url: row.try_get(0)?,
            }),
            // A live owner without a row: it has not registered yet (it is starting).
            None => Ok(Claim::Unavailable),
        }
    }

    fn release(&mut self, room: &RoomId) -> Result<(), Error> {
        if self.claimed.remove(room).is_none() {
            return Ok(());
        }
        let instance = self.instance;
        let session = self.session()?;
        session
            .client
            .execute(&session.release, &[&&room[..], &instance])?;
        Ok(())
    }

    fn still_ours(&self, room: &RoomId) -> bool {
        self.claimed.get(room) == Some(&self.generation)
    }

    fn cluster_secret(&self) -> Option<[u8; 32]> {
        Some(self.secret)
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
    fn empty_rooms_expire() {
        let Some(url) = test_database() else { return };
        let mut store = Postgres::open(&url, None).expect("connects");
        super::super::tests::empty_rooms_expire(&mut store);
    }

    #[test]
    fn retained_rooms_are_purged_when_due() {
        let Some(url) = test_database() else { return };
        let mut store = Postgres::open(&url, None).expect("connects");
        super::super::tests::retained_rooms_are_purged_when_due(&mut store);
    }

    #[test]
    fn records_round_trip_and_compaction() {
        let Some(url) = test_database() else { return };
        let mut store = Postgres::open(&url, None).expect("connects");
        super::super::tests::records_round_trip_and_compaction(&mut store);
        let session = store.session().expect("session");
        let bytes: i64 = session
            .client
            .query_one("SELECT bytes FROM rooms WHERE id = $1", &[&&[7u8; 16][..]])
            .and_then(|row| row.try_get(0))
            .expect("bytes");
        assert_eq!(bytes, 7);
    }

    /// Ends `store`'s database session from outside and waits until the server has.
    fn end_session(url: &str, store: &mut Postgres) {
        let pid: i32 = store
            .session()
            .expect("session")
            .client
            .query_one("SELECT pg_backend_pid()", &[])
            .and_then(|row| row.try_get(0))
            .expect("pid");
        let mut admin = postgres::Client::connect(url, NoTls).expect("admin");
        let ended: bool = admin
            .query_one("SELECT pg_terminate_backend($1, 10000)", &[&pid])
            .and_then(|row| row.try_get(0))
            .expect("terminate");
        assert!(ended, "the server ended the session");
    }

    /// One claim in its own transaction, as the writer makes it.
    fn claim(store: &mut Postgres, room: &RoomId) -> Claim {
        store.begin().expect("begin");
        let claim = store.claim(room).expect("claim");
        store.commit().expect("commit");
        claim
    }

    #[test]
    fn one_live_instance_serves_a_room_and_a_dead_ones_rooms_pass_on() {
        let Some(url) = test_database() else { return };
        let (r1, r2) = ([1; 16], [2; 16]);
        let mut a = Postgres::open(&url, None).expect("a connects");
        let mut b = Postgres::open(&url, None).expect("b connects");
        assert_eq!(
            a.cluster_secret(),
            b.cluster_secret(),
            "one secret per database"
        );
        a.register("ws://a/sync").expect("a registers");
        b.register("ws://b/sync").expect("b registers");

        assert_eq!(claim(&mut a, &r1), Claim::Ours);
        assert_eq!(claim(&mut a, &r1), Claim::Ours, "claiming again keeps it");
        assert_eq!(
            claim(&mut b, &r1),
            Claim::Elsewhere {
                url: "ws://a/sync".into()
            }
        );
        assert_eq!(claim(&mut b, &r2), Claim::Ours);
        assert!(a.still_ours(&r1) && !a.still_ours(&r2));

        // A releases r1 when its task leaves memory: b may take it.
        a.begin().expect("begin");
        a.release(&r1).expect("release");
        a.commit().expect("commit");
        assert_eq!(claim(&mut b, &r1), Claim::Ours);
        assert_eq!(
            claim(&mut a, &r1),
            Claim::Elsewhere {
                url: "ws://b/sync".into()
            }
        );

        // B dies (its session ends): its rooms pass to a, and its row goes.
        end_session(&url, &mut b);
        drop(b);
        let taken = Some(claim(&mut a, &r2));
        assert_eq!(taken, Some(Claim::Ours), "a dead instance's room passes on");
        a.register("ws://a/sync").expect("registers again");
        let session = a.session().expect("session");
        let rows: i64 = session
            .client
            .query_one("SELECT count(*) FROM instances", &[])
            .and_then(|row| row.try_get(0))
            .expect("count");
        assert_eq!(rows, 1, "the dead instance's row is gone");
    }

    #[test]
    fn an_instance_cut_off_from_the_database_writes_nothing_for_the_rooms_it_had() {
        let Some(url) = test_database() else { return };
        let room = [3; 16];
        let mut a = Postgres::open(&url, None).expect("connects");
        a.register("ws://a/sync").expect("registers");
        assert_eq!(claim(&mut a, &room), Claim::Ours);
        // The database ends a's session (a failover, a network cut, an operator).
        end_session(&url, &mut a);
        // A batch that finds the session ended fails (unless the client saw the end first);
        // the next connects again, but the room is not a's any more until claimed anew.
        let mut batch = a.begin().and_then(|()| a.load(&room).map(drop));
        if batch.is_err() {
            a.rollback();
            batch = a.begin();
        }
        batch.expect("reconnects");
        assert!(!a.still_ours(&room), "writes for the room are fenced off");
        a.commit().expect("commit");
        assert_eq!(claim(&mut a, &room), Claim::Ours);
        assert!(a.still_ours(&room));
    }

    /// The authority of the test server's certificate (`cargo xtask test` makes one for the
    /// run and starts PostgreSQL with TLS on).
    fn test_ca() -> std::path::PathBuf {
        let dir = std::env::var_os("DREIECK_TEST_TLS")
            .expect("DREIECK_TEST_TLS names no certificates: run `cargo xtask test`");
        std::path::Path::new(&dir).join("ca.crt")
    }

    /// Whether the session behind `store` is encrypted, as the server sees it.
    fn encrypted(store: &mut Postgres) -> bool {
        let session = store.session().expect("session");
        session
            .client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .and_then(|row| row.try_get(0))
            .expect("pg_stat_ssl")
    }

    #[test]
    fn tls_to_the_database_is_used_when_asked_for_and_always_verified() {
        let Some(url) = test_database() else { return };
        let ca = test_ca();
        for mode in ["require", "verify-full", "verify-ca"] {
            let mut store = Postgres::open(&format!("{url}?sslmode={mode}"), Some(&ca))
                .unwrap_or_else(|e| panic!("sslmode={mode} with the test CA: {e}"));
            assert!(encrypted(&mut store), "sslmode={mode} is TLS");
        }
        // The server's certificate is signed by an authority the system does not know: without
        // --ca-file the relay refuses to talk to it, and says why.
        let error = Postgres::open(&format!("{url}?sslmode=require"), None)
            .err()
            .expect("an unknown authority is refused");
        let text = error.to_string();
        assert!(text.contains("certificate"), "{text}");
        // Without sslmode=require the connection stays plain (the server allows both).
        let mut plain = Postgres::open(&url, Some(&ca)).expect("plain");
        assert!(!encrypted(&mut plain));
    }

    #[test]
    fn only_loopback_hosts_count_as_this_machine() {
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["db.example", "10.0.0.5", "localhost.example", "::2"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn the_description_never_holds_the_password() {
        let text = describe("postgres://relay:geheim@db.example:5433/dreieck");
        assert_eq!(text, "postgres://relay@db.example:5433/dreieck");
        assert!(!describe("host=/run/postgresql user=relay password=geheim").contains("geheim"));
        assert!(!describe("postgres://relay:geheim@[broken").contains("geheim"));
        // A Unix socket, as docs/operations.md suggests for a database on the same machine.
        assert_eq!(
            describe("postgres://dreieck@%2Frun%2Fpostgresql/dreieck"),
            "postgres://dreieck@/run/postgresql:5432/dreieck"
        );
    }
}

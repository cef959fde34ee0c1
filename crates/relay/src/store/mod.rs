//! Where the rooms' records are kept: one interface, two backends.
//!
//! The writer thread ([`crate::writer`]) is the only user. It opens a transaction, loads rooms
//! and applies writes in queue order, and commits once per batch; only after the commit has
//! returned does it report entries durable, so every backend must make a commit durable before
//! it returns. The interface is deliberately the writer's own vocabulary (load a room, apply a
//! record, compact, set a room's byte count) rather than SQL, so a backend is free to batch:
//! PostgreSQL sends a batch's entries in one statement, SQLite prepares each statement once.
//!
//! - [`sqlite`]: one file in the data directory, the embedded default.
//! - [`postgres`]: a PostgreSQL database named by `--database postgres://…`, for operators who
//!   keep their data in their own database clusters.
//!
//! Sequence numbers are `u64` in the protocol and signed 64-bit integers in both databases; the
//! protocol's `epoch << 32 | n` stays far below 2^63, and a value above is refused rather than
//! wrapped.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dreieck_sync::room::Record;
use dreieck_sync::RoomId;

use crate::Error;

/// One write the writer applies, in queue order.
#[derive(Debug)]
pub(crate) enum Op {
    /// A record the room asked to persist.
    Record(Record),
    /// Delete entries up to `through_seq` and snapshots older than the one covering it.
    Compact { through_seq: u64 },
}

/// A storage backend, as the writer thread uses it: at most one transaction at a time.
pub(crate) trait Store: Send {
    /// Starts the batch's transaction.
    fn begin(&mut self) -> Result<(), Error>;
    /// Everything stored for `room`, or `None` if nothing ever was; sees the writes applied
    /// before it in this transaction.
    fn load(&mut self, room: &RoomId) -> Result<Option<Vec<Record>>, Error>;
    /// Applies one write inside the transaction.
    fn apply(&mut self, room: &RoomId, op: &Op) -> Result<(), Error>;
    /// Records the room's stored byte count (what its limit is checked against).
    fn set_bytes(&mut self, room: &RoomId, bytes: u64) -> Result<(), Error>;
    /// Commits; everything applied is durable when this returns `Ok`.
    fn commit(&mut self) -> Result<(), Error>;
    /// Abandons the transaction after a failure (errors are logged, not returned: the batch
    /// has failed either way).
    fn rollback(&mut self);

    /// Deletes the rooms that hold nothing (no entry, no snapshot), were last touched before
    /// `cutoff` (seconds since 1970) and are not in `keep` (live here) nor served by another
    /// instance; how many. Inside the batch's transaction.
    fn expire_empty(&mut self, cutoff: i64, keep: &HashSet<RoomId>) -> Result<u64, Error>;
    /// Purges the rooms whose retention ended at or before `now` (seconds since 1970,
    /// [`Record::Retained`]), not in `keep` nor served by another instance: as a Purge does,
    /// leaving the deletion record stored with the retention; how many. Inside the batch's
    /// transaction.
    fn purge_retained(&mut self, now: i64, keep: &HashSet<RoomId>) -> Result<u64, Error>;
    /// Sealed bytes all rooms store (the sum of their byte counts), outside a transaction.
    fn stored_bytes(&mut self) -> Result<u64, Error>;
    /// Every room stored (for `check`).
    fn room_ids(&mut self) -> Result<Vec<RoomId>, Error>;
    /// The database's own consistency check, one line per problem (none: sound).
    fn integrity(&mut self) -> Result<Vec<String>, Error> {
        Ok(Vec::new())
    }

    // The ownership calls below run outside the batch's transaction, each on its own, after
    // the writes queued before them are committed (see `crate::writer`).

    /// Tells the other instances where this one takes connections it forwards
    /// (`ws://host:port/sync`). A store that serves one instance ignores it.
    fn register(&mut self, _url: &str) -> Result<(), Error> {
        Ok(())
    }
    /// Makes this instance the one that serves `room`, unless another live instance does.
    fn claim(&mut self, _room: &RoomId) -> Result<Claim, Error> {
        Ok(Claim::Ours)
    }
    /// This instance no longer serves `room` (its task has left memory).
    fn release(&mut self, _room: &RoomId) -> Result<(), Error> {
        Ok(())
    }
    /// Whether writes for `room` may still be applied: false if the room may have passed to
    /// another instance since this one claimed it (its connection to the database was lost in
    /// between). The writer then fails the room instead of writing.
    fn still_ours(&self, _room: &RoomId) -> bool {
        true
    }
    /// What another instance must show to have its forwarded connections trusted; `None` for
    /// a store that serves one instance.
    fn cluster_secret(&self) -> Option<[u8; 32]> {
        None
    }
}

/// Which instance serves a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// This one.
    Ours,
    /// Another live instance, reachable at this sync URL.
    Elsewhere { url: String },
    /// Another live instance that has not said where it is yet (it is starting).
    Unavailable,
}

/// Which database the relay keeps its rooms in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (in the data directory by default).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user:password@host:port/database`, or the
    /// key-value form). Never logged as given: it may hold a password ([`Database::describe`]).
    /// With `sslmode=require` (or `verify-full`) in it, over TLS, the server's certificate
    /// checked against the system's roots and `ca_file` ([`crate::tls`]).
    Postgres {
        url: String,
        ca_file: Option<PathBuf>,
    },
}

impl Database {
    /// The database `--database` names, or the SQLite file in `data` without it.
    pub fn from_flag(flag: Option<&str>, data: &Path) -> Result<Database, Error> {
        let Some(flag) = flag.map(str::trim).filter(|f| !f.is_empty()) else {
            return Ok(Database::Sqlite(data.join(crate::DATABASE_FILE)));
        };
        if flag.starts_with("postgres://") || flag.starts_with("postgresql://") {
            return Ok(Database::Postgres {
                url: flag.to_owned(),
                ca_file: None,
            });
        }
        if let Some(path) = flag.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if !path.is_empty() {
                return Ok(Database::Sqlite(PathBuf::from(path)));
            }
        }
        Err(Error::DatabaseFlag)
    }

    /// The database the relay's flags name: `--database` (or the SQLite file in the data
    /// directory), with `--ca-file` for TLS to PostgreSQL.
    pub fn from_config(config: &crate::Config) -> Result<Database, Error> {
        let mut database = Database::from_flag(config.database.as_deref(), &config.data)?;
        if let Database::Postgres { ca_file, .. } = &mut database {
            ca_file.clone_from(&config.ca_file);
        }
        Ok(database)
    }

    /// The database for messages and logs: the file, or the PostgreSQL host, port, user and
    /// database name, never the password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres { url, .. } => postgres::describe(url),
        }
    }
}

/// Opens `database`, creating its tables if they are missing. Must not be called on a thread
/// that runs async tasks: the PostgreSQL client blocks on a runtime of its own.
pub(crate) fn open(database: &Database) -> Result<Box<dyn Store>, Error> {
    match database {
        Database::Sqlite(path) => Ok(Box::new(sqlite::Sqlite::open(path)?)),
        Database::Postgres { url, ca_file } => {
            Ok(Box::new(postgres::Postgres::open(url, ca_file.as_deref())?))
        }
    }
}

/// Opens `database` to read it (`check`, a backup about to be restored): a SQLite file is
/// opened read-only and must exist; nothing is created or converted.
pub(crate) fn open_for_reading(database: &Database) -> Result<Box<dyn Store>, Error> {
    match database {
        Database::Sqlite(path) => Ok(Box::new(sqlite::Sqlite::open_read_only(path)?)),
        Database::Postgres { url, ca_file } => {
            Ok(Box::new(postgres::Postgres::open(url, ca_file.as_deref())?))
        }
    }
}

pub(crate) fn to_i64(value: u64) -> Result<i64, Error> {
    i64::try_from(value).map_err(|_| Error::StoredValue(format!("{value} is beyond 2^63")))
}

pub(crate) fn to_u64(value: i64) -> Result<u64, Error> {
    u64::try_from(value).map_err(|_| Error::StoredValue(format!("negative number {value}")))
}

pub(crate) fn fixed<const N: usize>(bytes: Vec<u8>) -> Result<[u8; N], Error> {
    <[u8; N]>::try_from(bytes)
        .map_err(|b| Error::StoredValue(format!("expected {N} bytes, found {}", b.len())))
}

/// Builds the records of one room from its stored rows, in the order [`Room::restore`] takes
/// them: verifier, epoch, snapshots, entries by sequence number.
///
/// [`Room::restore`]: dreieck_sync::room::Room::restore
pub(crate) struct Rows {
    pub verifier: Option<Vec<u8>>,
    pub epoch: i64,
    pub snapshots: Vec<(i64, Vec<u8>)>,
    pub entries: Vec<(i64, i64, Vec<u8>)>,
    /// The sealed deletion record of a room deleted for everyone.
    pub deletion: Option<Vec<u8>>,
}

impl Rows {
    /// `None` for a room that holds nothing yet (a row made by a claim before its first
    /// record): the room is new.
    pub(crate) fn into_records(self) -> Result<Option<Vec<Record>>, Error> {
        if self.verifier.is_none()
            && self.epoch == 0
            && self.snapshots.is_empty()
            && self.entries.is_empty()
            && self.deletion.is_none()
        {
            return Ok(None);
        }
        let mut records = Vec::with_capacity(2 + self.snapshots.len() + self.entries.len());
        if let Some(verifier) = self.verifier {
            records.push(Record::Registered {
                verifier: fixed(verifier)?,
            });
        }
        let epoch = to_u64(self.epoch)?;
        if epoch > 0 {
            records.push(Record::Epoch { epoch });
        }
        if let Some(sealed) = self.deletion {
            records.push(Record::Purged { seq: 0, sealed });
        }
        for (covers_seq, sealed) in self.snapshots {
            records.push(Record::Snapshot {
                covers_seq: to_u64(covers_seq)?,
                sealed,
            });
        }
        for (seq, prev_seq, sealed) in self.entries {
            records.push(Record::Entry {
                seq: to_u64(seq)?,
                prev_seq: to_u64(prev_seq)?,
                sealed,
            });
        }
        Ok(Some(records))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_database_flag_names_sqlite_or_postgres_and_nothing_else() {
        let data = Path::new("/var/lib/dreieck");
        assert_eq!(
            Database::from_flag(None, data).ok(),
            Some(Database::Sqlite(data.join(crate::DATABASE_FILE)))
        );
        assert_eq!(
            Database::from_flag(Some("  "), data).ok(),
            Some(Database::Sqlite(data.join(crate::DATABASE_FILE)))
        );
        for url in ["postgres://r@db/dreieck", "postgresql://r:pw@db:5433/d"] {
            assert_eq!(
                Database::from_flag(Some(url), data).ok(),
                Some(Database::Postgres {
                    url: url.to_owned(),
                    ca_file: None
                })
            );
        }
        for (flag, path) in [
            ("sqlite:/srv/r.db", "/srv/r.db"),
            ("sqlite:///srv/r.db", "/srv/r.db"),
        ] {
            assert_eq!(
                Database::from_flag(Some(flag), data).ok(),
                Some(Database::Sqlite(PathBuf::from(path)))
            );
        }
        for bad in ["mysql://db/x", "sqlite:", "/srv/r.db", "postgres:/db"] {
            assert!(
                matches!(
                    Database::from_flag(Some(bad), data),
                    Err(Error::DatabaseFlag)
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_database_that_cannot_be_reached_is_named_without_its_password() {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let database = Database::Postgres {
            url: "postgres://relay:geheim@127.0.0.1:1/dreieck".into(),
            ca_file: None,
        };
        let error = open(&database).err().expect("nothing listens there");
        let text = format!("{error}");
        assert!(text.contains("PostgreSQL"), "{text}");
        assert!(!text.contains("geheim"), "{text}");
        assert_eq!(database.describe(), "postgres://relay@127.0.0.1:1/dreieck");
    }

    const ROOM: RoomId = [7; 16];

    /// The same on every backend: a room that holds nothing expires once untouched since the
    /// cutoff, unless kept; a room with content never does.
    pub(crate) fn empty_rooms_expire(store: &mut dyn Store) {
        let (empty, written, live, deleted) = ([1; 16], [2; 16], [3; 16], [4; 16]);
        store.begin().expect("begin");
        for room in [empty, written, live, deleted] {
            store
                .apply(&room, &Op::Record(Record::Registered { verifier: [9; 32] }))
                .expect("register");
        }
        // A room deleted for everyone holds no entry, but its record must stay: a device that
        // comes back after a year must learn of the deletion, not register the room anew and
        // upload the report again.
        store
            .apply(
                &deleted,
                &Op::Record(Record::Purged {
                    seq: 1,
                    sealed: vec![5; 40],
                }),
            )
            .expect("purge");
        store
            .apply(
                &written,
                &Op::Record(Record::Entry {
                    seq: 1,
                    prev_seq: 0,
                    sealed: vec![1],
                }),
            )
            .expect("entry");
        store.set_bytes(&written, 1).expect("bytes");
        store.commit().expect("commit");
        let keep = HashSet::from([live]);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        store.begin().expect("begin");
        assert_eq!(
            store.expire_empty(now - 3600, &keep).expect("expire"),
            0,
            "all fresh"
        );
        assert_eq!(store.expire_empty(now + 10, &keep).expect("expire"), 1);
        assert_eq!(
            store.load(&empty).expect("load"),
            None,
            "the empty room is gone"
        );
        assert!(
            store.load(&written).expect("load").is_some(),
            "content stays"
        );
        assert!(
            store.load(&live).expect("load").is_some(),
            "a live room stays"
        );
        assert!(
            store
                .load(&deleted)
                .expect("load")
                .is_some_and(|r| r.iter().any(|r| matches!(r, Record::Purged { .. }))),
            "a deleted room keeps its record"
        );
        store.commit().expect("commit");
    }

    /// The same on every backend: a room whose retention ended is purged by the sweep and
    /// keeps the record signed in advance; one not yet due, one withdrawn (`until` 0) and one
    /// live here stay as they are.
    pub(crate) fn retained_rooms_are_purged_when_due(store: &mut dyn Store) {
        let (due, later, withdrawn, live) = ([11; 16], [12; 16], [13; 16], [14; 16]);
        let now = 2_000_000_000;
        store.begin().expect("begin");
        for room in [due, later, withdrawn, live] {
            for op in [
                Op::Record(Record::Registered { verifier: [9; 32] }),
                Op::Record(Record::Entry {
                    seq: 1,
                    prev_seq: 0,
                    sealed: vec![42; 30],
                }),
                Op::Record(Record::Snapshot {
                    covers_seq: 1,
                    sealed: vec![43; 30],
                }),
                Op::Record(Record::Retained {
                    until: (now - 1) as u64,
                    sealed: vec![room[0]; 20],
                }),
            ] {
                store.apply(&room, &op).expect("apply");
            }
            store.set_bytes(&room, 60).expect("bytes");
        }
        let retain = |until: u64, sealed: Vec<u8>| Op::Record(Record::Retained { until, sealed });
        store
            .apply(&later, &retain((now + 3600) as u64, vec![12; 20]))
            .expect("later");
        store
            .apply(&withdrawn, &retain(0, Vec::new()))
            .expect("withdrawn");
        store.commit().expect("commit");

        store.begin().expect("begin");
        let keep = HashSet::from([live]);
        assert_eq!(store.purge_retained(now, &keep).expect("sweep"), 1);
        assert_eq!(
            store.load(&due).expect("load"),
            Some(vec![
                Record::Registered { verifier: [9; 32] },
                Record::Purged {
                    seq: 0,
                    sealed: vec![11; 20],
                },
            ]),
            "only the record signed in advance is left"
        );
        for room in [later, withdrawn, live] {
            let records = store.load(&room).expect("load").expect("stored");
            assert!(
                records.iter().any(|r| matches!(r, Record::Entry { .. })),
                "{room:?} keeps its content"
            );
        }
        // Swept again: nothing more (the purged room is not purged twice).
        assert_eq!(store.purge_retained(now, &keep).expect("sweep"), 0);
        store.commit().expect("commit");
    }

    /// The same round trip on every backend: records in, compaction, records out.
    pub(crate) fn records_round_trip_and_compaction(store: &mut dyn Store) {
        store.begin().expect("begin");
        assert_eq!(store.load(&ROOM).expect("load"), None);
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
            Op::Record(Record::Entry {
                seq: 3,
                prev_seq: 2,
                sealed: vec![3; 3],
            }),
        ];
        for op in &writes {
            store.apply(&ROOM, op).expect("apply");
        }
        store.set_bytes(&ROOM, 7).expect("bytes");
        // Within the transaction the writes are visible, in order.
        let expected = Some(vec![
            Record::Registered { verifier: [1; 32] },
            Record::Epoch { epoch: 2 },
            Record::Snapshot {
                covers_seq: 1,
                sealed: vec![9],
            },
            Record::Entry {
                seq: 2,
                prev_seq: 1,
                sealed: vec![2; 3],
            },
            Record::Entry {
                seq: 3,
                prev_seq: 2,
                sealed: vec![3; 3],
            },
        ]);
        assert_eq!(store.load(&ROOM).expect("load in tx"), expected);
        store.commit().expect("commit");

        // A purge leaves the verifier, the epoch and the deletion record, nothing else; the
        // room loads so after the commit (a restart) and takes the record again idempotently.
        let other: RoomId = [8; 16];
        store.begin().expect("begin");
        for op in &writes {
            store.apply(&other, op).expect("apply");
        }
        let purge = Op::Record(Record::Purged {
            seq: 4,
            sealed: vec![7; 5],
        });
        store.apply(&other, &purge).expect("purge");
        store.commit().expect("commit");
        store.begin().expect("begin");
        let purged = Some(vec![
            Record::Registered { verifier: [1; 32] },
            Record::Epoch { epoch: 2 },
            Record::Purged {
                seq: 0,
                sealed: vec![7; 5],
            },
        ]);
        assert_eq!(store.load(&other).expect("load purged"), purged);
        assert_eq!(store.load(&ROOM).expect("others untouched"), expected);
        store.apply(&other, &purge).expect("purge again");
        assert_eq!(store.load(&other).expect("load purged"), purged);
        store.commit().expect("commit");

        // An epoch never goes back; a rolled-back write leaves nothing.
        store.begin().expect("begin");
        store
            .apply(&ROOM, &Op::Record(Record::Epoch { epoch: 1 }))
            .expect("older epoch");
        store
            .apply(
                &ROOM,
                &Op::Record(Record::Entry {
                    seq: 4,
                    prev_seq: 3,
                    sealed: vec![4],
                }),
            )
            .expect("entry");
        store.rollback();
        store.begin().expect("begin");
        assert_eq!(store.load(&ROOM).expect("load after"), expected);
        store.commit().expect("commit");

        // A sequence number beyond what the database holds is refused, not wrapped.
        store.begin().expect("begin");
        let huge = Op::Record(Record::Entry {
            seq: u64::MAX,
            prev_seq: 3,
            sealed: vec![5],
        });
        let refused = store.apply(&ROOM, &huge).and_then(|()| store.commit());
        assert!(matches!(refused, Err(Error::StoredValue(_))), "{refused:?}");
        store.rollback();
    }
}

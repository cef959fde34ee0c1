//! `dreieck-relay backup FILE` and `dreieck-relay restore FILE` for the embedded SQLite
//! database, and the lock that keeps a data directory to one relay.
//!
//! A backup is taken while the relay runs: `VACUUM INTO` copies the database as of one read
//! transaction (the writer goes on meanwhile), and the copy is checked ([`crate::check`]) before
//! the command reports success, so a backup that exists is one that can be restored. Restoring
//! needs the relay stopped (the data directory's lock says whether one runs), checks the file
//! first, keeps the database it replaces beside it (`relay.sqlite3.before-restore`), and swaps
//! the files by renaming, so a crash midway leaves either the old database or the new one.
//! Devices that wrote after the backup still hold their changes: the restored rooms start a
//! new epoch and the devices upload their full state, so nothing they have is lost.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`, `pg_restore`, or the operator's
//! point-in-time recovery); the commands say so.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::check::{check, CheckReport};
use crate::store::sqlite::Sqlite;
use crate::store::Database;
use crate::{Config, Error};

/// The lock file in the data directory, held by a running relay on SQLite.
pub const LOCK_FILE: &str = "relay.lock";

/// Where the database replaced by a restore is kept.
pub const BEFORE_RESTORE: &str = "relay.sqlite3.before-restore";

/// Holds the data directory's lock until dropped: one relay (or restore) at a time.
#[derive(Debug)]
pub(crate) struct DataLock {
    _file: File,
}

impl DataLock {
    /// Takes the lock of `data`, or says that a relay runs there.
    pub(crate) fn take(data: &Path) -> Result<DataLock, Error> {
        let path = data.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Io {
                what: path.display().to_string(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::DataDirInUse(data.to_path_buf())),
            Err(fs::TryLockError::Error(source)) => Err(Error::Io {
                what: path.display().to_string(),
                source,
            }),
        }
    }
}

fn sqlite_path(config: &Config) -> Result<PathBuf, Error> {
    match Database::from_config(config)? {
        Database::Sqlite(path) => Ok(path),
        Database::Postgres { .. } => Err(Error::BackupPostgres),
    }
}

fn io(what: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        what: what.display().to_string(),
        source,
    }
}

/// Writes a consistent copy of the relay's SQLite database to `target` (which must not exist),
/// also while the relay runs, and checks the copy.
pub fn backup(config: &Config, target: &Path) -> Result<CheckReport, Error> {
    let path = sqlite_path(config)?;
    if target.exists() {
        return Err(Error::BackupExists(target.to_path_buf()));
    }
    Sqlite::open_read_only(&path)?.copy_to(target)?;
    File::open(target)
        .and_then(|file| file.sync_all())
        .map_err(io(target))?;
    let report = check(&Database::Sqlite(target.to_path_buf()))?;
    if !report.is_ok() {
        return Err(Error::BackupDamaged(report));
    }
    Ok(report)
}

/// Replaces the relay's SQLite database with the backup `source`, after checking it. The
/// relay must not be running.
pub fn restore(config: &Config, source: &Path) -> Result<CheckReport, Error> {
    let path = sqlite_path(config)?;
    let report = check(&Database::Sqlite(source.to_path_buf()))?;
    if !report.is_ok() {
        return Err(Error::BackupDamaged(report));
    }
    fs::create_dir_all(&config.data).map_err(io(&config.data))?;
    let _lock = DataLock::take(&config.data)?;
    let incoming = path.with_extension("sqlite3.restoring");
    fs::copy(source, &incoming).map_err(io(&incoming))?;
    File::open(&incoming)
        .and_then(|file| file.sync_all())
        .map_err(io(&incoming))?;
    if path.exists() {
        // Fold the old database's log into it, so the file kept beside is whole by itself.
        let old = rusqlite::Connection::open(&path)?;
        old.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(old);
        let kept = path.with_file_name(BEFORE_RESTORE);
        fs::rename(&path, &kept).map_err(io(&kept))?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", path.display()));
            if side.exists() {
                fs::remove_file(&side).map_err(io(&side))?;
            }
        }
    }
    fs::rename(&incoming, &path).map_err(io(&path))?;
    if let Some(dir) = path.parent() {
        File::open(dir)
            .and_then(|dir| dir.sync_all())
            .map_err(io(dir))?;
    }
    Ok(report)
}

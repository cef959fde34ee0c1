//! Export and import: a report as a file, and a file taken back in.
//!
//! The formats are the model's (`dreieck_model::report_file`, `sealed_file`, `export`); here
//! is what the browser adds: randomness for salt and nonce, the clock, file names, reading
//! the chosen file, downloads, and putting an imported report into storage — new, or merged
//! into the report already on the device (through its open session when this tab has one,
//! so the editor's own writer and link carry the merged changes).

use dreieck::storage::ReportStore;
use dreieck_model::sealed_file::{KdfParams, NONCE_LEN, SALT_LEN};
use dreieck_model::{
    file_name, read_report_file, FileKind, ModelError, Report, AUTOMERGE_EXTENSION, CSV_EXTENSION,
    JSON_EXTENSION, SEALED_EXTENSION,
};
use wasm_bindgen::JsCast;

use crate::state::platform::{download_file, fill_random, now_ms, today};
use crate::state::session::{self, Session};
use crate::state::summary::{display_title, summary_of, title_field};

/// The files a report can be exported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// The whole report, sealed with a password (`.dreieck`).
    Sealed,
    /// The whole report as a plain Automerge document (`.automerge`).
    Automerge,
    /// The structured content (`.json`, schema in docs/export.md).
    Json,
    /// The goals table (`.csv`).
    GoalsCsv,
}

impl ExportKind {
    fn extension(self) -> &'static str {
        match self {
            ExportKind::Sealed => SEALED_EXTENSION,
            ExportKind::Automerge => AUTOMERGE_EXTENSION,
            ExportKind::Json => JSON_EXTENSION,
            ExportKind::GoalsCsv => CSV_EXTENSION,
        }
    }

    fn mime(self) -> &'static str {
        match self {
            ExportKind::Sealed | ExportKind::Automerge => "application/octet-stream",
            ExportKind::Json => "application/json",
            ExportKind::GoalsCsv => "text/csv;charset=utf-8",
        }
    }
}

/// Builds the file and offers it for download; returns its name. `password` is used for
/// [`ExportKind::Sealed`] only (Argon2 runs here: about a quarter of a second in the browser,
/// see docs/export.md, so call it after the "wird verschlüsselt" state has been painted).
pub fn export(session: &Session, kind: ExportKind, password: &str) -> Result<String, String> {
    let today = today().ok_or_else(|| "Das Datum des Geräts ist unbekannt.".to_string())?;
    let name = session.read(|r| file_name(r, today, kind.extension()));
    let bytes = match kind {
        ExportKind::Sealed => {
            let mut salt = [0u8; SALT_LEN];
            let mut nonce = [0u8; NONCE_LEN];
            fill_random(&mut salt)?;
            fill_random(&mut nonce)?;
            let document = session.automerge_file();
            dreieck_model::sealed_file::seal(
                &document,
                password,
                salt,
                nonce,
                KdfParams::RECOMMENDED,
            )
            .map_err(|e| e.to_string())?
        }
        ExportKind::Automerge => session.automerge_file(),
        ExportKind::Json => session
            .read(|r| r.to_json_export(now_ms() as i64))
            .into_bytes(),
        ExportKind::GoalsCsv => session.read(|r| r.to_goals_csv()).into_bytes(),
    };
    download_file(&bytes, &name, kind.mime())?;
    Ok(name)
}

/// Whether opening `bytes` needs a password. A sealed file whose header is damaged or that
/// was cut off is refused here, before anybody types a password for it.
pub fn needs_password(bytes: &[u8]) -> Result<bool, ModelError> {
    if dreieck_model::file_kind(bytes) != FileKind::Sealed {
        return Ok(false);
    }
    dreieck_model::sealed_file::check(bytes)?;
    Ok(true)
}

/// Reads the file a person chose (all of it: reports are kilobytes to a few megabytes).
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "Die Datei lässt sich nicht lesen.".to_string())?;
    let buffer = buffer
        .dyn_into::<js_sys::ArrayBuffer>()
        .map_err(|_| "Die Datei lässt sich nicht lesen.".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Opens a chosen file as a report (decrypting a sealed one), without storing anything.
pub fn open(bytes: &[u8], password: Option<&str>) -> Result<Report, ModelError> {
    read_report_file(bytes, password)
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    /// The report was not on this device; now it is.
    New { id: String, title: String },
    /// It was, and the file's changes were merged into it.
    Merged {
        id: String,
        title: String,
        changes: usize,
    },
    /// It was, with everything the file holds.
    UpToDate { id: String, title: String },
}

impl Imported {
    pub fn id(&self) -> &str {
        match self {
            Imported::New { id, .. }
            | Imported::Merged { id, .. }
            | Imported::UpToDate { id, .. } => id,
        }
    }

    /// What the person is told, in German.
    pub fn message(&self) -> String {
        match self {
            Imported::New { title, .. } => format!(
                "„{}“ wurde importiert. Der Bericht ist neu auf diesem Gerät.",
                display_title(title)
            ),
            Imported::Merged { title, changes, .. } => format!(
                "„{}“ war schon auf diesem Gerät. Die Datei wurde mit ihm zusammengeführt: {} aus der Datei {} dazugekommen, keine Eingabe ging verloren.",
                display_title(title),
                if *changes == 1 { "eine Änderung".to_string() } else { format!("{changes} Änderungen") },
                if *changes == 1 { "ist" } else { "sind" },
            ),
            Imported::UpToDate { title, .. } => format!(
                "„{}“ ist auf diesem Gerät schon auf dem neuesten Stand: die Datei enthält nichts Neues.",
                display_title(title)
            ),
        }
    }
}

/// Stores an opened report: merged into the one on this device with the same id, or as a new
/// one. A merge that the model refuses (another report under the same id) changes nothing.
pub async fn store_import(store: ReportStore, mut incoming: Report) -> Result<Imported, String> {
    let id = incoming.id();
    // This tab has the report open (or holds unsaved edits of it): merge into that copy, so
    // its writer stores the result and its link sends it on.
    if let Some(session) = session::existing(&id) {
        let changes = session.import(&mut incoming).map_err(|e| e.to_string())?;
        let field = session.with_template(title_field);
        let title = session.read(|r| summary_of(r, field.as_deref(), 0.0).title);
        return Ok(merged(id, title, changes));
    }
    let ids = store.ids().await.map_err(|e| e.to_string())?;
    if ids.contains(&id) {
        let stored = store.load(&id).await.map_err(|e| e.to_string())?;
        let mut here = Report::load(&stored).map_err(|e| {
            format!("Der Bericht auf diesem Gerät lässt sich nicht öffnen, die Datei wurde deshalb nicht zusammengeführt: {e}")
        })?;
        let changes = here.import(&mut incoming).map_err(|e| e.to_string())?;
        let title_field = title_field(here.template());
        let summary = summary_of(&here, title_field.as_deref(), now_ms());
        if changes > 0 {
            let chunk = here.save_incremental();
            store
                .append(&id, &chunk, &summary)
                .await
                .map_err(|e| format!("Zusammengeführt, aber nicht gespeichert: {e}"))?;
        }
        return Ok(merged(id, summary.title, changes));
    }
    let title_field = title_field(incoming.template());
    let summary = summary_of(&incoming, title_field.as_deref(), now_ms());
    let full = incoming.save();
    store
        .compact(&id, &full, &summary)
        .await
        .map_err(|e| format!("Der Bericht konnte nicht gespeichert werden: {e}"))?;
    Ok(Imported::New {
        id,
        title: summary.title,
    })
}

fn merged(id: String, title: String, changes: usize) -> Imported {
    if changes == 0 {
        Imported::UpToDate { id, title }
    } else {
        Imported::Merged { id, title, changes }
    }
}

//! Export and import: a report as a file, and a file taken back in.
//!
//! The formats are the model's (`dreieck_model::report_file`, `sealed_file`, `export`); here
//! is what the browser adds: randomness for salt and nonce, the clock, file names, reading
//! the chosen file, downloads, and putting an imported report into storage — new, or merged
//! into the report already on the device (through its open session when this tab has one,
//! so the editor's own writer and link carry the merged changes).

use dreieck::storage::settings;
use dreieck::storage::ReportStore;
use dreieck_model::sealed_file::{KdfParams, NONCE_LEN, SALT_LEN};
use dreieck_model::{
    file_document, file_name, read_report_file_inviting, FileInvitation, FileKind, ModelError,
    ParticipantKey, Report, AUTOMERGE_EXTENSION, CSV_EXTENSION, JSON_EXTENSION, SEALED_EXTENSION,
};
use wasm_bindgen::JsCast;

use crate::state::device_keys::{device_key, give_keys};
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
/// [`ExportKind::Sealed`] only (Argon2 runs here, about 40 ms in headless Chromium on two
/// cores, see docs/export.md: call it after "wird verschlüsselt" has been painted).
pub fn export(session: &Session, kind: ExportKind, password: &str) -> Result<String, String> {
    let today = today().ok_or_else(|| "Das Datum des Geräts ist unbekannt.".to_string())?;
    let name = session.read(|r| file_name(r, today, kind.extension()));
    let bytes = match kind {
        ExportKind::Sealed => {
            let mut salt = [0u8; SALT_LEN];
            let mut nonce = [0u8; NONCE_LEN];
            fill_random(&mut salt)?;
            fill_random(&mut nonce)?;
            let invitation = file_invitation(session);
            let document = file_document(session.file_bytes(), invitation.as_ref());
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

/// The file just chosen in a file input, and the input emptied, so that choosing the same file
/// again (after mending it) fires `change` again.
pub fn take_chosen_file(input: &web_sys::HtmlInputElement) -> Option<web_sys::File> {
    let file = input.files().and_then(|files| files.get(0))?;
    input.set_value("");
    Some(file)
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

/// An invitation for this device's role ("Meine Rolle") to seal into the file, so the device
/// that opens it (knowing the password) can write there in that role. Granted in the report
/// the first time (the same invitation as the role's link); `None` for a report from before
/// membership or when this device may not invite to its role.
fn file_invitation(session: &Session) -> Option<FileInvitation> {
    if !session.read(|r| r.is_protected()) {
        return None;
    }
    let role = crate::state::role::load();
    let secret = settings::invitation_seed(&session.id(), role.as_str()).ok()?;
    let key = ParticipantKey::from_seed(&secret);
    let granted = std::rc::Rc::new(std::cell::Cell::new(false));
    let done = granted.clone();
    session.edit(false, move |r| {
        match r.ensure_invitation(role, &key, now_ms() as i64) {
            Ok(_) => {
                done.set(true);
                Ok(())
            }
            Err(ModelError::Membership(_)) => Ok(()),
            Err(e) => Err(e),
        }
    });
    granted.get().then_some(FileInvitation { role, secret })
}

/// Enrols this device's own key with the invitation a sealed file brought (see
/// [`file_invitation`]); nothing for a file without one or a device that is a member already.
fn enrol_from_file(report: &mut Report, invitation: Option<&FileInvitation>) -> Result<(), String> {
    let Some(inv) = invitation else {
        return Ok(());
    };
    if !report.is_protected() {
        return Ok(());
    }
    let own = device_key(inv.role)?;
    let now = now_ms() as i64;
    report.set_now_ms(now);
    report
        .enrol(&ParticipantKey::from_seed(&inv.secret), own, "", now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Opens a chosen file as a report (decrypting a sealed one), without storing anything; with
/// the invitation a sealed file may carry.
pub fn open(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<(Report, Option<FileInvitation>), ModelError> {
    read_report_file_inviting(bytes, password)
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
pub async fn store_import(
    store: ReportStore,
    mut incoming: Report,
    invitation: Option<FileInvitation>,
) -> Result<Imported, String> {
    let id = incoming.id();
    // This tab has the report open (or holds unsaved edits of it): merge into that copy, so
    // its writer stores the result and its link sends it on.
    if let Some(session) = session::existing(&id) {
        let changes = session.import(&mut incoming).map_err(|e| e.to_string())?;
        if invitation.is_some() {
            session.edit(false, |r| {
                enrol_from_file(r, invitation.as_ref()).map_err(ModelError::Membership)
            });
        }
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
        give_keys(&mut here);
        enrol_from_file(&mut here, invitation.as_ref())?;
        let title_field = title_field(here.template());
        let summary = summary_of(&here, title_field.as_deref(), now_ms());
        let chunk = here.save_incremental();
        if !chunk.is_empty() {
            store
                .append(&id, &chunk, &summary)
                .await
                .map_err(|e| format!("Zusammengeführt, aber nicht gespeichert: {e}"))?;
        }
        return Ok(merged(id, summary.title, changes));
    }
    give_keys(&mut incoming);
    enrol_from_file(&mut incoming, invitation.as_ref())?;
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

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use dreieck::storage::ReportStore;
    use dreieck_model::{Report, Role};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::state::test_support::{sleep, store};

    const P: Role = Role::Provider;

    async fn stored(store: &ReportStore, id: &str) -> Report {
        let bytes = store.load(id).await.unwrap_or_default();
        match Report::load(&bytes) {
            Ok(r) => r,
            Err(e) => panic!("stored bytes do not load: {e}"),
        }
    }

    /// What another device hands over: its report as a file, read back (sealed for a
    /// protected report, whose plain `.automerge` carries no signatures).
    fn file_of(report: &mut Report) -> Report {
        let file = if report.is_protected() {
            let params = KdfParams {
                memory_kib: 64,
                passes: 1,
                lanes: 1,
            };
            unwrap(dreieck_model::sealed_file::seal(
                &report.file_bytes(),
                "Testpasswort",
                [1; SALT_LEN],
                [2; NONCE_LEN],
                params,
            ))
        } else {
            report.to_automerge_file()
        };
        match open(&file, Some("Testpasswort")) {
            Ok((r, _)) => r,
            Err(e) => panic!("the file does not open: {e}"),
        }
    }

    fn unwrap<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
        r.unwrap_or_else(|e| panic!("{e}"))
    }

    #[wasm_bindgen_test]
    async fn a_file_is_stored_as_new_then_merged_then_up_to_date() {
        let store = store().await;
        let template = dreieck_model::builtin_templates().remove(0);
        let id = format!("import{}", js_sys::Date::now() as u64);
        let mut there = unwrap(Report::create(&template, &id, 0));
        unwrap(there.set_text(P, "lb_name", "Import, Ida"));

        let first = unwrap(store_import(store.clone(), file_of(&mut there), None).await);
        assert_eq!(
            first,
            Imported::New {
                id: id.clone(),
                title: "Import, Ida".into()
            }
        );
        let again = unwrap(store_import(store.clone(), file_of(&mut there), None).await);
        assert!(matches!(again, Imported::UpToDate { .. }), "{again:?}");

        unwrap(there.set_text(P, "lb_anschrift", "Weg 1"));
        let merged = unwrap(store_import(store.clone(), file_of(&mut there), None).await);
        assert!(
            matches!(merged, Imported::Merged { changes: 1, .. }),
            "{merged:?}"
        );
        let report = stored(&store, &id).await;
        assert_eq!(report.text("lb_anschrift").ok().as_deref(), Some("Weg 1"));
        let _ = store.delete(&id).await;
    }

    #[wasm_bindgen_test]
    async fn an_open_session_takes_the_import_and_stores_both_sides() {
        let store = store().await;
        let kvjs = dreieck_model::builtin_templates().remove(0);
        let id = unwrap(Session::create(store.clone(), &kvjs).await);
        let session = match Session::open(store.clone(), &id).await {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        };
        // The same person's other copy (this device's key: the owner's).
        let mut there = unwrap(Report::load(&session.file_bytes()));
        there.add_key(P, unwrap(crate::state::device_keys::device_key(P)));
        unwrap(there.set_text(P, "einrichtung_telefon", "0711 3"));
        session.edit(false, |r| r.set_text(P, "lb_anschrift", "Hier 3"));

        let result = unwrap(store_import(store.clone(), file_of(&mut there), None).await);
        assert!(matches!(result, Imported::Merged { .. }), "{result:?}");
        assert_eq!(
            session.read(|r| r.text("einrichtung_telefon").ok()),
            Some("0711 3".to_string())
        );
        for _ in 0..500 {
            if !session.has_unsaved() {
                break;
            }
            sleep(10).await;
        }
        let report = stored(&store, &id).await;
        assert_eq!(
            report.text("einrichtung_telefon").ok().as_deref(),
            Some("0711 3")
        );
        assert_eq!(report.text("lb_anschrift").ok().as_deref(), Some("Hier 3"));
        session.release();
        let _ = store.delete(&id).await;
    }

    #[wasm_bindgen_test]
    async fn another_report_under_the_same_id_changes_nothing() {
        let store = store().await;
        let templates = dreieck_model::builtin_templates();
        let id = format!("fremd{}", js_sys::Date::now() as u64);
        let mut ours = unwrap(Report::create(&templates[0], &id, 0));
        unwrap(store_import(store.clone(), file_of(&mut ours), None).await);
        let chunks = store.chunk_count(&id).await.unwrap_or(0);
        let mut other = unwrap(Report::create(&templates[1], &id, 0));
        let refused = store_import(store.clone(), file_of(&mut other), None).await;
        assert!(refused.is_err(), "{refused:?}");
        assert_eq!(store.chunk_count(&id).await.unwrap_or(0), chunks);
        let _ = store.delete(&id).await;
    }
}

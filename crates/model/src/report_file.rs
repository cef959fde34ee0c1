//! A report as one file, and a file taken back in.
//!
//! Two kinds of file hold a whole report: the plain Automerge document (`.automerge`, what
//! any Automerge implementation loads) and the same bytes sealed with a password
//! (`.dreieck`, see [`crate::sealed_file`]). Importing tells them apart by their first bytes,
//! opens the sealed kind, checks that the document is a report (as [`Report::load`] does for
//! storage), and either adds it as a new report or merges it into the replica already on the
//! device: a file is just another replica, so both sides' edits survive, as with sync.

use std::borrow::Cow;

use crate::sealed_file::{self, KdfParams, NONCE_LEN, SALT_LEN};
use crate::{Date, ModelError, Report, Result};

/// The first bytes of every Automerge document and change chunk.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// File name extensions, without the dot.
pub const SEALED_EXTENSION: &str = "dreieck";
pub const AUTOMERGE_EXTENSION: &str = "automerge";

/// What a file looks like from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A password-sealed report (`.dreieck`).
    Sealed,
    /// An Automerge document (`.automerge`): a report, or something else made with Automerge.
    Automerge,
    /// Text starting like JSON: most likely this app's JSON export, which is for reading, not
    /// for importing.
    Json,
    /// Anything else, including an empty file.
    Other,
}

/// Tells the kinds of file apart without reading further than the first bytes.
pub fn file_kind(bytes: &[u8]) -> FileKind {
    if sealed_file::is_sealed(bytes) {
        FileKind::Sealed
    } else if bytes.starts_with(&AUTOMERGE_MAGIC) {
        FileKind::Automerge
    } else if bytes
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or(bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b'{')
    {
        FileKind::Json
    } else {
        FileKind::Other
    }
}

/// Reads a report from a file: a sealed one with `password`, a plain Automerge one as it is.
///
/// Everything that is not a report of this app's layout is refused with a German reason
/// ([`ModelError::NotAReport`], [`ModelError::PasswordRequired`],
/// [`ModelError::WrongPassword`], [`ModelError::DamagedFile`], [`ModelError::NewerFile`]);
/// no input makes it panic.
pub fn read_report_file(bytes: &[u8], password: Option<&str>) -> Result<Report> {
    read_report_file_inviting(bytes, password).map(|(report, _)| report)
}

/// The start of an invitation carried in a sealed file, before the report's bytes.
const FILE_INVITATION: &[u8; 4] = b"DRSI";

/// An invitation a sealed file carries: whoever knows the file's password may enrol a device
/// key of their own in `role` with `secret` (the seed of an invitation key the exporting
/// device granted in the report). So a report handed to another device of the team by file
/// can be written there, and only in that role.
#[derive(Clone, PartialEq, Eq)]
pub struct FileInvitation {
    pub role: crate::Role,
    pub secret: [u8; 32],
}

// Never print the secret.
impl std::fmt::Debug for FileInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileInvitation")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// The bytes to seal: the report's own bytes ([`Report::file_bytes`]), with an invitation in
/// front when one is given.
pub fn file_document(report_bytes: Vec<u8>, invitation: Option<&FileInvitation>) -> Vec<u8> {
    let Some(inv) = invitation else {
        return report_bytes;
    };
    let role = inv.role.as_str().as_bytes();
    let mut out = Vec::with_capacity(report_bytes.len() + 38 + role.len());
    out.extend_from_slice(FILE_INVITATION);
    out.push(role.len() as u8);
    out.extend_from_slice(role);
    out.extend_from_slice(&inv.secret);
    out.extend_from_slice(&report_bytes);
    out
}

/// Splits an invitation off the front of a file's document, if it carries one.
fn split_invitation(document: &[u8]) -> Result<(Option<FileInvitation>, &[u8])> {
    let Some(rest) = document.strip_prefix(FILE_INVITATION.as_slice()) else {
        return Ok((None, document));
    };
    let damaged = || ModelError::NotAReport("Die Einladung in der Datei ist beschädigt.".into());
    let (&len, rest) = rest.split_first().ok_or_else(damaged)?;
    let len = usize::from(len);
    let role = rest
        .get(..len)
        .and_then(|r| std::str::from_utf8(r).ok())
        .and_then(crate::Role::parse)
        .ok_or_else(damaged)?;
    let secret: [u8; 32] = rest
        .get(len..len + 32)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(damaged)?;
    Ok((Some(FileInvitation { role, secret }), &rest[len + 32..]))
}

/// [`read_report_file`], with the invitation a sealed file may carry. A plain `.automerge`
/// file never carries one (anyone who gets it could use it).
pub fn read_report_file_inviting(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<(Report, Option<FileInvitation>)> {
    let sealed = file_kind(bytes) == FileKind::Sealed;
    let document: Cow<'_, [u8]> = match file_kind(bytes) {
        FileKind::Sealed => {
            let password = password
                .filter(|p| !p.is_empty())
                .ok_or(ModelError::PasswordRequired)?;
            Cow::Owned(sealed_file::open(bytes, password)?)
        }
        FileKind::Automerge => Cow::Borrowed(bytes),
        FileKind::Json => {
            return Err(ModelError::NotAReport(
                "Das ist eine JSON-Datei (etwa ein JSON-Export). Importieren lassen sich nur \
                 Dateien mit der Endung .dreieck oder .automerge."
                    .into(),
            ))
        }
        FileKind::Other if bytes.is_empty() => {
            return Err(ModelError::NotAReport("Die Datei ist leer.".into()))
        }
        FileKind::Other => {
            return Err(ModelError::NotAReport(
                "Sie ist weder eine verschlüsselte Dreieck-Datei (.dreieck) noch eine \
                 Automerge-Datei (.automerge)."
                    .into(),
            ))
        }
    };
    let (invitation, document) = if sealed {
        split_invitation(&document)?
    } else {
        (None, &document[..])
    };
    let report = if crate::trust::SignedChanges::looks_like(document) {
        // A protected report: verified like a report received by invitation. Changes the
        // gate refuses are left out and named in `refusals()`.
        let bundles = crate::trust::SignedChanges::decode_all(document)
            .map_err(|_| ModelError::NotAReport("Die Datei ist beschädigt.".into()))?;
        Report::from_signed_for(&bundles, None)?.0
    } else {
        let report = Report::load(document)?;
        if report.is_protected() {
            return Err(ModelError::NotAReport(
                "Die Datei enthält den Bericht ohne die Signaturen der Geräte (Automerge-Datei). \
                 Zwischen Dreieck-Geräten bitte die verschlüsselte .dreieck-Datei verwenden."
                    .into(),
            ));
        }
        report
    };
    if !is_valid_report_id(&report.id()) {
        return Err(ModelError::NotAReport(
            "Die Kennung des Berichts ist ungültig.".into(),
        ));
    }
    Ok((report, invitation))
}

/// Report ids become storage keys, links and element ids: the app's own are 32 hex digits,
/// and an imported file may bring no more than letters, digits and dashes.
pub fn is_valid_report_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl Report {
    /// The whole report in its own format (signed for a protected report), for a sealed
    /// file: like [`Report::save`], without marking anything as stored.
    pub fn file_bytes(&mut self) -> Vec<u8> {
        self.export_bytes()
    }

    /// The whole report as a plain `.automerge` file.
    ///
    /// Not [`Report::save`]: that marks everything as stored, and the editor's next
    /// incremental save to storage would then leave out what was typed since the last write.
    pub fn to_automerge_file(&mut self) -> Vec<u8> {
        self.commit_pending();
        self.doc.save()
    }

    /// The whole report sealed with `password` (a `.dreieck` file). `salt` and `nonce` must be
    /// fresh random bytes (the crate draws none).
    pub fn to_sealed_file(
        &mut self,
        password: &str,
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
        params: KdfParams,
    ) -> Result<Vec<u8>> {
        let document = self.file_bytes();
        sealed_file::seal(&document, password, salt, nonce, params)
    }

    /// Takes in another replica of this report (read from a file): both sides' changes are
    /// kept, as when devices sync. Returns how many of the file's changes were new here (0: the
    /// device already had everything in it).
    ///
    /// A file holding another report under this report's id (another template, or a report
    /// created independently with the same id) is refused with
    /// [`ModelError::NotTheSameReport`] and changes nothing.
    pub fn import(&mut self, incoming: &mut Report) -> Result<usize> {
        if incoming.id() != self.id() {
            return Err(ModelError::NotTheSameReport(
                "die Kennungen unterscheiden sich".into(),
            ));
        }
        if incoming.template != self.template {
            let (here, there) = (&self.template, &incoming.template);
            return Err(ModelError::NotTheSameReport(if here.id == there.id {
                format!(
                    "Formular „{}“ in Fassung {} statt {}",
                    there.name, there.version, here.version
                )
            } else {
                format!("Formular „{}“ statt „{}“", there.name, here.name)
            }));
        }
        // The file's document as bytes from another replica, taken in on the path the sync
        // layer uses (`apply`: all or nothing, and undone when it turns out to be another
        // report) rather than Automerge's `merge`, which the browser app would link for this
        // alone.
        if incoming.owner_key() != self.owner_key() {
            return Err(ModelError::NotTheSameReport(
                "unabhängig davon angelegt".into(),
            ));
        }
        let bytes = incoming.export_bytes();
        let before = self.change_count();
        self.apply(&bytes).map_err(|e| match e {
            ModelError::NotAReport(_) => {
                ModelError::NotTheSameReport("unabhängig davon angelegt".into())
            }
            other => other,
        })?;
        Ok(usize::try_from(self.change_count().saturating_sub(before)).unwrap_or(usize::MAX))
    }
}

/// A file name for a report: form, date and the start of the id — never the person's name,
/// which would travel unencrypted on a stick, in a mail's attachment list or a download folder.
pub fn file_name(report: &Report, today: Date, extension: &str) -> String {
    // An imported report may bring any template id: keep what is safe in every file system.
    let safe = |s: &str, max: usize| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(max)
            .collect()
    };
    format!(
        "{}-{}-{}.{extension}",
        safe(&report.template().id, 64),
        today.iso(),
        safe(&report.id(), 8)
    )
}

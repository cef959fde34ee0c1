//! Signatures: a drawn signature plus an Ed25519 signature by the signer's participant key.
//!
//! A signature line holds one *record* (`fields/<line>/signed`, one Automerge bytes scalar): the
//! strokes drawn on the glass, name, role, time and date, the signer's public key, the
//! document's heads at the moment of signing, and an Ed25519 signature over a canonical byte
//! string of all that plus the report id and the line's field id. One scalar, so the record is
//! set atomically: a concurrent edit can conflict with it (Automerge keeps both values, one
//! wins) but can never leave half of one record and half of another.
//!
//! The public keys live in the document's `participants` map (public key hex → role and name),
//! so any device holding the document can verify every signature without asking anybody.
//!
//! A signature covers the content as it was at its heads. "Changed since" is decided by
//! comparing each field's value at the signed heads with its value now (Automerge's historical
//! reads, `text_at`/`get_all_at`/`keys_at`), not by listing changes: what was typed and deleted
//! again leaves the signed content as it was, and there would be nothing to show as "changed".
//! Signature lines themselves are not content: somebody else signing their line later does not
//! turn an earlier signature into one "for an earlier version".
//!
//! The crate never draws randomness: the caller passes the 32-byte secret seed of a key.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub(crate) use crate::bytes::hex;
use crate::bytes::{put_str32, put_str8, Reader};
use crate::report::{key, scalar_text, write_scalar};
use crate::template::{Field, FieldKind};
use crate::text_diff::splice_between;
use crate::{Date, ModelError, Report, Result, Role};

/// The domain label that starts every signed byte string, so a signature made for a report
/// can never be mistaken for one over anything else the same key signs.
pub const SIGNATURE_DOMAIN: &[u8] = b"dreieck/signature/v1";

/// Version byte at the start of a stored record.
const RECORD_VERSION: u8 = 1;

/// At most this many points in one drawn signature (a few seconds of drawing is well below
/// a thousand); bounds the size of the record every replica must store.
pub const MAX_POINTS: usize = 20_000;

/// At most this many characters in a signer's name.
pub const MAX_NAME_CHARS: usize = 200;

/// Key under which a signature line stores its record.
pub(crate) const SIGNED: &str = "signed";

/// Root key of the participants map.
pub(crate) const PARTICIPANTS: &str = "participants";

/// The Ed25519 key of one person on one device.
///
/// Built from a 32-byte secret seed the caller draws (and keeps): the crate has no randomness.
#[derive(Clone)]
pub struct ParticipantKey {
    signing: SigningKey,
}

impl ParticipantKey {
    pub fn from_seed(seed: &[u8; 32]) -> ParticipantKey {
        ParticipantKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The public key, as stored in the participants list and in records.
    pub fn public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// The public key as lowercase hex (the key of the participants map).
    pub fn public_hex(&self) -> String {
        hex(&self.public_key())
    }

    /// Ed25519 signature over `message` (callers put a domain label first).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The same key's X25519 secret scalar bytes (for opening what was sealed to this key,
    /// see `trust::room_move`).
    pub(crate) fn x25519_scalar(&self) -> [u8; 32] {
        self.signing.to_scalar_bytes()
    }
}

// Never print the secret.
impl std::fmt::Debug for ParticipantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParticipantKey")
            .field("public", &self.public_hex())
            .finish_non_exhaustive()
    }
}

/// A drawn signature: strokes, each a list of points in the unit box (0..1 on both axes,
/// origin top left), stored quantized to 16 bits per coordinate.
///
/// Normalized, so the signature draws the same on a phone and on a tablet; quantized, so the
/// stored bytes (which the signature covers) round-trip exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strokes(Vec<Vec<(u16, u16)>>);

impl Strokes {
    const SCALE: f64 = u16::MAX as f64;

    /// From points in the unit box; values outside are clamped, non-numbers read as 0, and
    /// strokes without points are dropped.
    pub fn from_points(strokes: &[Vec<(f64, f64)>]) -> Strokes {
        let q = |v: f64| {
            let v = if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                0.0
            };
            (v * Self::SCALE).round() as u16
        };
        Strokes(
            strokes
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.iter().map(|&(x, y)| (q(x), q(y))).collect())
                .collect(),
        )
    }

    /// The strokes as points in the unit box (for drawing).
    pub fn to_points(&self) -> Vec<Vec<(f64, f64)>> {
        self.0
            .iter()
            .map(|s| {
                s.iter()
                    .map(|&(x, y)| (f64::from(x) / Self::SCALE, f64::from(y) / Self::SCALE))
                    .collect()
            })
            .collect()
    }

    /// No strokes: the person signed by typing their name (keyboard, or no pointer).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn point_count(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    /// `u16` stroke count, then per stroke a `u16` point count and the points as `u16 x,
    /// u16 y`, all big-endian.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + 2 * self.0.len() + 4 * self.point_count());
        out.extend_from_slice(&(self.0.len() as u16).to_be_bytes());
        for stroke in &self.0 {
            out.extend_from_slice(&(stroke.len() as u16).to_be_bytes());
            for &(x, y) in stroke {
                out.extend_from_slice(&x.to_be_bytes());
                out.extend_from_slice(&y.to_be_bytes());
            }
        }
        out
    }

    fn decode(r: &mut Reader<'_>) -> Option<Strokes> {
        let count = r.u16()?;
        let mut strokes = Vec::with_capacity(usize::from(count).min(1024));
        let mut total = 0usize;
        for _ in 0..count {
            let n = usize::from(r.u16()?);
            total += n;
            if n == 0 || total > MAX_POINTS {
                return None;
            }
            let mut stroke = Vec::with_capacity(n);
            for _ in 0..n {
                stroke.push((r.u16()?, r.u16()?));
            }
            strokes.push(stroke);
        }
        Some(Strokes(strokes))
    }

    fn check(&self) -> Result<()> {
        if self.point_count() > MAX_POINTS
            || self.0.len() > usize::from(u16::MAX)
            || self.0.iter().any(|s| s.len() > usize::from(u16::MAX))
        {
            return Err(ModelError::Signature(
                "Die Unterschrift ist zu lang. Bitte löschen und kürzer unterschreiben.".into(),
            ));
        }
        Ok(())
    }
}

/// Who signs what: the arguments of [`Report::sign`].
#[derive(Debug, Clone, Copy)]
pub struct SignRequest<'a> {
    /// The signature line (a `signature` field of the template).
    pub field: &'a str,
    /// The signer's role; must be one of the line's editors.
    pub role: Role,
    pub name: &'a str,
    /// What was drawn; empty when the person signed by typing their name.
    pub strokes: &'a Strokes,
    /// When, in ms since the epoch (the crate never reads the clock).
    pub time_ms: i64,
    /// The signer's local date at `time_ms`, written to the line's date.
    pub date: Date,
}

/// One stored signature, decoded. Layout (big-endian): version `1` ‖ public key (32) ‖
/// signature (64) ‖ time ms (i64) ‖ role (u8 length + UTF-8) ‖ name (u16 length + UTF-8) ‖ date
/// (u8 length + "JJJJ-MM-TT") ‖ heads (u16 count, 32 bytes each, sorted) ‖ strokes
/// ([`Strokes::encode`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRecord {
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
    pub time_ms: i64,
    pub role: Role,
    pub name: String,
    pub date: Date,
    /// The document's heads just before the signing change, sorted.
    pub heads: Vec<ChangeHash>,
    pub strokes: Strokes,
}

impl SignatureRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![RECORD_VERSION];
        out.extend_from_slice(&self.public_key);
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        put_str8(&mut out, self.role.as_str());
        let name = self.name.as_bytes();
        out.extend_from_slice(&(name.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
        out.extend_from_slice(&name[..name.len().min(usize::from(u16::MAX))]);
        put_str8(&mut out, &self.date.iso());
        out.extend_from_slice(&(self.heads.len() as u16).to_be_bytes());
        for h in &self.heads {
            out.extend_from_slice(&h.0);
        }
        out.extend_from_slice(&self.strokes.encode());
        out
    }

    /// `None` for anything that is not a complete record of a known version.
    pub fn decode(bytes: &[u8]) -> Option<SignatureRecord> {
        let mut r = Reader(bytes);
        if r.u8()? != RECORD_VERSION {
            return None;
        }
        let public_key = r.array::<32>()?;
        let signature = r.array::<64>()?;
        let time_ms = i64::from_be_bytes(r.array::<8>()?);
        let len = usize::from(r.u8()?);
        let role = Role::parse(std::str::from_utf8(r.take(len)?).ok()?)?;
        let len = usize::from(r.u16()?);
        let name = std::str::from_utf8(r.take(len)?).ok()?.to_string();
        let len = usize::from(r.u8()?);
        let date = Date::parse_iso(std::str::from_utf8(r.take(len)?).ok()?).ok()?;
        let count = r.u16()?;
        let mut heads = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            heads.push(ChangeHash(r.array::<32>()?));
        }
        let strokes = Strokes::decode(&mut r)?;
        if !r.0.is_empty() {
            return None;
        }
        Some(SignatureRecord {
            public_key,
            signature,
            time_ms,
            role,
            name,
            date,
            heads,
            strokes,
        })
    }

    /// Signed by typing the name (no strokes).
    pub fn typed(&self) -> bool {
        self.strokes.is_empty()
    }

    /// The canonical byte string the Ed25519 signature covers: domain label ‖ report id ‖
    /// sorted heads ‖ field ‖ role ‖ name ‖ time ‖ date ‖ SHA-256 of the strokes. Every
    /// variable-length part is length-prefixed, so no two different tuples give the same bytes.
    fn message(&self, report_id: &str, field: &str) -> Vec<u8> {
        let mut heads = self.heads.clone();
        heads.sort();
        let mut m = Vec::with_capacity(256 + 32 * heads.len());
        m.extend_from_slice(SIGNATURE_DOMAIN);
        put_str32(&mut m, report_id);
        m.extend_from_slice(&(heads.len() as u32).to_be_bytes());
        for h in &heads {
            m.extend_from_slice(&h.0);
        }
        put_str32(&mut m, field);
        put_str32(&mut m, self.role.as_str());
        put_str32(&mut m, &self.name);
        m.extend_from_slice(&self.time_ms.to_be_bytes());
        put_str32(&mut m, &self.date.iso());
        m.extend_from_slice(&Sha256::digest(self.strokes.encode()));
        m
    }
}

/// In [`Verification::ValidForEarlierVersion`]: the template differs from the signed one.
pub const CHANGED_TEMPLATE: &str = "vorlage";
/// In [`Verification::ValidForEarlierVersion`]: a submission recorded before signing was
/// changed or taken back.
pub const CHANGED_SUBMISSION: &str = "uebermittlung";

/// What a signature line's record is worth on this replica, now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Nobody has signed the line.
    Unsigned,
    /// The signature is genuine and covers the report as it is now.
    Valid,
    /// Genuine, but the report changed since: `changed_fields` are the ids of the fields whose
    /// content differs from the signed version, in template order.
    ValidForEarlierVersion { changed_fields: Vec<String> },
    /// Not to be trusted.
    Invalid(InvalidSignature),
}

/// [`Report::verify_signatures`]'s last result and the document state it belongs to.
pub(crate) type VerifiedCache =
    std::cell::RefCell<Option<((u64, usize), Vec<(String, Verification)>)>>;

/// Why a signature is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidSignature {
    /// The record cannot be read.
    Damaged,
    /// The key is not in the participants list.
    UnknownKey,
    /// The participants list gives the key another role than the record.
    RoleMismatch,
    /// The role may not sign this line (template editors).
    NotPermitted,
    /// The signed heads are not in this document's history.
    UnknownVersion,
    /// The Ed25519 signature does not match the record (changed name, time, strokes, …).
    BadSignature,
}

impl InvalidSignature {
    /// German, for the report view and validation.
    pub fn message(self) -> &'static str {
        match self {
            InvalidSignature::Damaged => "die Unterschrift ist beschädigt",
            InvalidSignature::UnknownKey => "der Schlüssel gehört zu keiner beteiligten Person",
            InvalidSignature::RoleMismatch => "die Rolle passt nicht zur beteiligten Person",
            InvalidSignature::NotPermitted => "diese Rolle darf hier nicht unterschreiben",
            InvalidSignature::UnknownVersion => "die unterschriebene Fassung fehlt im Bericht",
            InvalidSignature::BadSignature => "die Unterschrift passt nicht zum Inhalt",
        }
    }
}

/// What a signature needs besides a key: a name of a sensible length and a drawing within
/// bounds. Checked before anything is written.
pub(crate) fn check_signer(request: &SignRequest<'_>) -> Result<()> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(ModelError::Signature(
            "Bitte den Namen eintragen, dann unterschreiben.".into(),
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ModelError::Signature(format!(
            "Der Name ist zu lang (höchstens {MAX_NAME_CHARS} Zeichen)."
        )));
    }
    request.strokes.check()
}

/// A person in the participants list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub role: Role,
    pub name: String,
}

impl Report {
    /// Signs a signature line: draws nothing from the environment, writes one change holding
    /// the signer in the participants list, the line's name and date, and the record.
    ///
    /// The role must be one of the line's editors; the name must not be empty. Signing again
    /// replaces the record (re-signing after a change).
    pub fn sign(&mut self, request: &SignRequest<'_>, key: &ParticipantKey) -> Result<()> {
        let SignRequest {
            field,
            role,
            name,
            strokes,
            time_ms,
            date,
        } = *request;
        self.begin_edit(role, field)?;
        if self.is_protected() && self.key_for(role) != Some(key.public_key()) {
            // Other devices accept a signature only by the author's own member key.
            return Err(ModelError::NotAMember(role));
        }
        let line = self.signature_line_obj(field)?;
        check_signer(request)?;
        let name = name.trim();
        let name_text = self
            .child(&line, key::NAME, ObjType::Text)
            .ok_or_else(|| ModelError::NotAReport("Name einer Unterschrift fehlt.".into()))?;
        let mut heads = self.heads();
        heads.sort();
        let mut record = SignatureRecord {
            public_key: key.public_key(),
            signature: [0; 64],
            time_ms,
            role,
            name: name.to_string(),
            date,
            heads,
            strokes: strokes.clone(),
        };
        record.signature = key
            .signing
            .sign(&record.message(&self.id(), field))
            .to_bytes();
        let participant = serde_json::to_string(&Participant {
            role,
            name: name.to_string(),
        })
        .map_err(|e| ModelError::Signature(e.to_string()))?;
        let current_name = self.doc.text(&name_text)?;
        let participants = self.participants_obj();
        let bytes = record.encode();
        self.write(|doc| {
            let participants = match participants {
                Some(obj) => obj,
                // Reports created before signatures existed have no list yet.
                None => doc.put_object(ROOT, PARTICIPANTS, ObjType::Map)?,
            };
            write_scalar(doc, &participants, &key.public_hex(), Some(participant))?;
            let (pos, delete, insert) = splice_between(&current_name, name);
            if delete > 0 || !insert.is_empty() {
                doc.splice_text(&name_text, pos, delete as isize, &insert)?;
            }
            write_scalar(doc, &line, key::DATE, Some(date.iso()))?;
            doc.put(&line, SIGNED, ScalarValue::Bytes(bytes))?;
            Ok(())
        })
    }

    /// The record of a signature line; `None` when unsigned or unreadable (see
    /// [`Report::verify_signature`] for which).
    pub fn signature_record(&self, field: &str) -> Result<Option<SignatureRecord>> {
        let line = self.signature_line_obj(field)?;
        Ok(self
            .record_bytes(&line)
            .and_then(|b| SignatureRecord::decode(&b)))
    }

    /// Every participant with a key: public key hex → role and name.
    ///
    /// Reads every concurrently created list (reports from before signatures get theirs on
    /// first signing, possibly on two replicas at once), so no participant goes missing.
    pub fn participants(&self) -> BTreeMap<String, Participant> {
        let mut out = BTreeMap::new();
        let lists = self.doc.get_all(ROOT, PARTICIPANTS).unwrap_or_default();
        for (value, obj) in lists {
            if !matches!(value, Value::Object(ObjType::Map)) {
                continue;
            }
            for k in self.doc.keys(&obj) {
                let parsed = self
                    .read_scalar(&obj, &k)
                    .and_then(|json| serde_json::from_str::<Participant>(&json).ok());
                if let Some(p) = parsed {
                    out.entry(k).or_insert(p);
                }
            }
        }
        out
    }

    /// Verifies one signature line (see [`Verification`]).
    pub fn verify_signature(&self, field: &str) -> Result<Verification> {
        let line = self.signature_line_obj(field)?;
        let Some(bytes) = self.record_bytes(&line) else {
            return Ok(Verification::Unsigned);
        };
        let invalid = |why| Ok(Verification::Invalid(why));
        let Some(record) = SignatureRecord::decode(&bytes) else {
            return invalid(InvalidSignature::Damaged);
        };
        // The signer's role: from the verified membership (protected reports), or from the
        // participants list of a report from before membership, which anyone could write.
        let signer_role = if self.is_protected() {
            self.roster().signer_role(&record.public_key)
        } else {
            self.participants()
                .get(&hex(&record.public_key))
                .map(|p| p.role)
        };
        match signer_role {
            None => return invalid(InvalidSignature::UnknownKey),
            Some(role) if role != record.role => return invalid(InvalidSignature::RoleMismatch),
            Some(_) => {}
        }
        if self.check_edit(record.role, field).is_err() {
            return invalid(InvalidSignature::NotPermitted);
        }
        if VerifyingKey::from_bytes(&record.public_key).is_err() {
            return invalid(InvalidSignature::UnknownKey);
        }
        if !crate::trust::verify(
            &record.public_key,
            &record.message(&self.id(), field),
            &record.signature,
        ) {
            return invalid(InvalidSignature::BadSignature);
        }
        // Fully qualified: `AutoCommit` has a `&mut self` method of the same name.
        if !ReadDoc::get_missing_deps(&self.doc, &record.heads).is_empty() {
            return invalid(InvalidSignature::UnknownVersion);
        }
        let changed = self.changed_since(&record, field)?;
        Ok(if changed.is_empty() {
            Verification::Valid
        } else {
            Verification::ValidForEarlierVersion {
                changed_fields: changed,
            }
        })
    }

    /// The German name of an entry of `changed_fields`: a field's label, or what the
    /// non-field entries stand for.
    pub fn changed_label(&self, id: &str) -> String {
        match id {
            CHANGED_TEMPLATE => "Vorlage".to_string(),
            CHANGED_SUBMISSION => "Übermittlung".to_string(),
            _ => self
                .template
                .field(id)
                .map(|f| f.label.clone())
                .unwrap_or_else(|| id.to_string()),
        }
    }

    /// Every signature line of the template with its verification, in template order.
    ///
    /// Verifying a signature compares every field at the signed version with now, tens of
    /// milliseconds on a large report, and the status in the case list, the "Stand" panel
    /// and the summary written with every save all ask after each change. So the result is
    /// kept for the document state it was computed on, named by its change count and its
    /// uncommitted operations: a report's history only grows, and the one way back (refusing
    /// a foreign change) returns to a state with exactly the earlier content.
    pub fn verify_signatures(&self) -> Vec<(String, Verification)> {
        let state = (self.doc.stats().num_changes, self.doc.pending_ops());
        if let Some((at, cached)) = self.verified.borrow().as_ref() {
            if *at == state {
                return cached.clone();
            }
        }
        let verified: Vec<(String, Verification)> = self
            .template
            .fields()
            .filter(|f| matches!(f.kind, FieldKind::Signature { .. }))
            .map(|f| {
                let v = self
                    .verify_signature(&f.id)
                    .unwrap_or(Verification::Invalid(InvalidSignature::Damaged));
                (f.id.clone(), v)
            })
            .collect();
        *self.verified.borrow_mut() = Some((state, verified.clone()));
        verified
    }

    // ---- internals --------------------------------------------------------------------

    pub(crate) fn signature_line_obj(&self, field: &str) -> Result<ObjId> {
        let def = self.field_def(field)?;
        if !matches!(def.kind, FieldKind::Signature { .. }) {
            return Err(ModelError::WrongKind {
                field: def.label.clone(),
                expected: "signature",
            });
        }
        self.field_obj(field, ObjType::Map)
            .ok_or_else(|| ModelError::NotAReport(format!("Unterschrift „{}“ fehlt.", def.label)))
    }

    fn participants_obj(&self) -> Option<ObjId> {
        self.child(&ROOT, PARTICIPANTS, ObjType::Map)
    }

    /// The winning record value of a line, as bytes.
    fn record_bytes(&self, line: &ObjId) -> Option<Vec<u8>> {
        match self.doc.get(line, SIGNED) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Bytes(b) => Some(b.clone()),
                // Anything else under the key is not a record: damaged.
                _ => Some(Vec::new()),
            },
            Ok(Some((Value::Object(_), _))) => Some(Vec::new()),
            _ => None,
        }
    }

    /// Ids of the fields whose content differs between the signed heads and now, in template
    /// order. The signed line itself counts as changed when its name or date no longer match
    /// the record (somebody edited them after signing). A field's content includes the staff's
    /// remark beside the person's own words; the goals include the person's self-rating.
    /// Beyond the fields: [`CHANGED_TEMPLATE`] when the template differs (never, through the
    /// gate), and [`CHANGED_SUBMISSION`] when a submission recorded before signing was changed
    /// or taken back (recording it after signing is the normal course, not a change).
    fn changed_since(&self, record: &SignatureRecord, own: &str) -> Result<Vec<String>> {
        let mut changed = Vec::new();
        let root_values = |k: &str, heads: Option<&[ChangeHash]>| -> Vec<String> {
            self.values_at(&ROOT, k, heads)
        };
        if root_values(key::TEMPLATE, Some(&record.heads)) != root_values(key::TEMPLATE, None) {
            changed.push(CHANGED_TEMPLATE.to_string());
        }
        let submission = |heads: Option<&[ChangeHash]>| -> Option<Vec<String>> {
            let obj = self.child_at(&ROOT, key::SUBMISSION, heads)?;
            let mut out = self.values_at(&obj, key::DATE, heads);
            out.extend(self.values_at(&obj, key::ROLE, heads));
            Some(out)
        };
        if let Some(signed) = submission(Some(&record.heads)) {
            if submission(None).as_ref() != Some(&signed) {
                changed.push(CHANGED_SUBMISSION.to_string());
            }
        }
        for field in self.template.fields() {
            if matches!(field.kind, FieldKind::Signature { .. }) {
                if field.id == own {
                    let line = self.signature(own)?;
                    if line.name.trim() != record.name || line.date != Some(record.date) {
                        changed.push(field.id.clone());
                    }
                }
                continue;
            }
            if self.field_state(field, Some(&record.heads)) != self.field_state(field, None) {
                changed.push(field.id.clone());
            }
        }
        Ok(changed)
    }

    /// Ids of the template's fields (signature lines left out) whose content differs between
    /// `heads` and now, in template order. `heads` must be in the document.
    pub(crate) fn content_changed_since(&self, heads: &[ChangeHash]) -> Vec<String> {
        self.template
            .fields()
            .filter(|f| !matches!(f.kind, FieldKind::Signature { .. }))
            .filter(|f| self.field_state(f, Some(heads)) != self.field_state(f, None))
            .map(|f| f.id.clone())
            .collect()
    }

    /// Everything about a field's content, at `heads` (or now), as comparable strings:
    /// texts, every concurrent value of a scalar, and the goals with all their parts.
    fn field_state(&self, field: &Field, heads: Option<&[ChangeHash]>) -> Vec<String> {
        let mut out = Vec::new();
        let Ok(fields) = self.fields_obj() else {
            return out;
        };
        match &field.kind {
            FieldKind::ShortText | FieldKind::LongText => {
                if let Some(text) = self.child_at(&fields, &field.id, heads) {
                    out.push(self.text_at_heads(&text, heads));
                }
                if field.own_words {
                    let own = self
                        .child_at(&ROOT, key::OWN_WORDS, heads)
                        .and_then(|all| self.child_at(&all, &field.id, heads));
                    if let Some(own) = own {
                        if let Some(remark) = self.child_at(&own, "remark", heads) {
                            out.push("remark".to_string());
                            out.push(self.text_at_heads(&remark, heads));
                        }
                        // The person's words written down by staff, and their confirmations.
                        let keys: Vec<String> = match heads {
                            Some(h) => self.doc.keys_at(&own, h).collect(),
                            None => self.doc.keys(&own).collect(),
                        };
                        for k in keys {
                            if crate::recorded_words::recording_id(&k).is_none() {
                                continue;
                            }
                            let Some(item) = self.child_at(&own, &k, heads) else {
                                continue;
                            };
                            out.push(k);
                            if let Some(text) = self.child_at(&item, "text", heads) {
                                out.push(self.text_at_heads(&text, heads));
                            }
                            out.extend(self.values_at(&item, "confirmed_text", heads));
                        }
                    }
                }
            }
            FieldKind::Date { .. } | FieldKind::Choice { .. } => {
                out.extend(self.values_at(&fields, &field.id, heads));
            }
            FieldKind::DateRange => {
                if let Some(range) = self.child_at(&fields, &field.id, heads) {
                    for end in [key::FROM, key::TO] {
                        out.push(end.to_string());
                        out.extend(self.values_at(&range, end, heads));
                    }
                }
            }
            FieldKind::Goals { .. } => {
                let Some(goals) = self.child(&ROOT, key::GOALS, ObjType::Map) else {
                    return out;
                };
                let ids: Vec<String> = match heads {
                    Some(h) => self.doc.keys_at(&goals, h).collect(),
                    None => self.doc.keys(&goals).collect(),
                };
                for id in ids {
                    let Some(goal) = self.child_at(&goals, &id, heads) else {
                        continue;
                    };
                    out.push(format!("goal {id}"));
                    for part in [
                        key::POS,
                        key::ACHIEVEMENT,
                        key::REASON,
                        key::SELF_RATING,
                        key::LEVEL,
                        key::TARGET,
                        key::ORIGIN,
                        key::MEASURES_BY,
                        key::MEASURES_UNTIL,
                        key::AREA,
                    ] {
                        out.push(part.to_string());
                        out.extend(self.values_at(&goal, part, heads));
                    }
                    for part in [key::TEXT, key::MEASURES] {
                        if let Some(text) = self.child_at(&goal, part, heads) {
                            out.push(self.text_at_heads(&text, heads));
                        }
                    }
                    let keys: Vec<String> = match heads {
                        Some(h) => self.doc.keys_at(&goal, h).collect(),
                        None => self.doc.keys(&goal).collect(),
                    };
                    for k in keys
                        .iter()
                        .filter(|k| crate::measures::item_id(k).is_some())
                    {
                        let Some(measure) = self.child_at(&goal, k, heads) else {
                            continue;
                        };
                        out.push(k.clone());
                        for part in [key::POS, key::BY, key::UNTIL] {
                            out.push(part.to_string());
                            out.extend(self.values_at(&measure, part, heads));
                        }
                        if let Some(text) = self.child_at(&measure, key::TEXT, heads) {
                            out.push(self.text_at_heads(&text, heads));
                        }
                    }
                }
            }
            FieldKind::Signature { .. } => {}
        }
        out
    }

    fn child_at(&self, parent: &ObjId, k: &str, heads: Option<&[ChangeHash]>) -> Option<ObjId> {
        let got = match heads {
            Some(h) => self.doc.get_at(parent, k, h),
            None => self.doc.get(parent, k),
        };
        match got {
            Ok(Some((Value::Object(_), id))) => Some(id),
            _ => None,
        }
    }

    fn text_at_heads(&self, obj: &ObjId, heads: Option<&[ChangeHash]>) -> String {
        match heads {
            Some(h) => self.doc.text_at(obj, h),
            None => self.doc.text(obj),
        }
        .unwrap_or_default()
    }

    fn values_at(&self, obj: &ObjId, k: &str, heads: Option<&[ChangeHash]>) -> Vec<String> {
        let all = match heads {
            Some(h) => self.doc.get_all_at(obj, k, h),
            None => self.doc.get_all(obj, k),
        };
        all.unwrap_or_default()
            .iter()
            .filter_map(|(v, _)| scalar_text(v))
            .collect()
    }
}

//! Showing a peer's keystroke before Automerge has applied it.
//!
//! Automerge 0.12 applies a remote change to a Text by walking every operation of that Text
//! (about 0.3 µs per operation natively, more in the browser): in a field with 20,000 edits of
//! history that is several milliseconds per keystroke, too slow to show typing live. A change
//! made by typing therefore travels with the splice it made (field, position, deleted count,
//! inserted text). A receiving device whose document is exactly the sender's document before
//! the change — the change's dependencies are this device's heads — knows that applying the
//! change makes the same splice on its text, so it can show the splice at once and apply the
//! change right after the browser has painted. Anything else (concurrent edits, gaps, a change
//! without a splice) takes the normal path: apply, then show.
//!
//! Payload format (inside the sealed envelope, docs/contracts.md): either Automerge bytes as
//! they are (a full save, a snapshot), or a sequence of items:
//! `0xD8 len change` (a change without a splice) or
//! `0xD7 field_index pos delete insert_len insert len change`, integers as unsigned LEB128,
//! positions in Unicode scalar values, the field index into the template's field list; or
//! `0xD6 len record`: a room move left in the room of a move that lost to it (no change; see
//! `Report::rooms_left_behind`).

use automerge::{Change, ChangeHash, ReadDoc};

use crate::text_control::{TextEdit, TextTarget};
use crate::{ModelError, Report, Result, Role};

const PLAIN: u8 = 0xD8;
const SPLICED: u8 = 0xD7;
const MOVED: u8 = 0xD6;
/// The first byte of every Automerge chunk (its magic number).
const AUTOMERGE: u8 = 0x85;

/// A splice a keystroke made in a text field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub field: String,
    /// In Unicode scalar values.
    pub pos: usize,
    pub delete: usize,
    pub insert: String,
}

/// What a keystroke did ([`Report::type_edit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    /// The field's index in the template (for [`encode_item`]); `None` for a goal's text,
    /// which travels without a splice.
    pub index: Option<usize>,
    pub splice: Splice,
    /// The characters the splice deleted.
    pub removed: String,
}

impl Typed {
    pub fn edit(&self) -> TextEdit {
        TextEdit {
            pos: self.splice.pos,
            delete: self.splice.delete,
            insert: self.splice.insert.clone(),
        }
    }
}

/// One local change with the splice it made, if it was typing.
pub fn encode_item(change: &[u8], splice: Option<(usize, &Splice)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(change.len() + 16);
    match splice {
        Some((index, s)) => {
            out.push(SPLICED);
            leb(&mut out, index as u64);
            leb(&mut out, s.pos as u64);
            leb(&mut out, s.delete as u64);
            leb(&mut out, s.insert.len() as u64);
            out.extend_from_slice(s.insert.as_bytes());
        }
        None => out.push(PLAIN),
    }
    leb(&mut out, change.len() as u64);
    out.extend_from_slice(change);
    out
}

/// A room move record to leave in another room (see [`Payload::moves`]).
pub fn encode_move(record: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(record.len() + 4);
    out.push(MOVED);
    leb(&mut out, record.len() as u64);
    out.extend_from_slice(record);
    out
}

/// A splice as it travels: the field by its index in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireSplice {
    pub field_index: usize,
    pub pos: usize,
    pub delete: usize,
    pub insert: String,
}

/// A decoded payload: each change's Automerge bytes, with the splice it made if it carried one.
#[derive(Debug, Default)]
pub struct Payload {
    /// Private: its parse is cached (`parsed`), and must stay the parse of these bytes.
    changes: Vec<(Vec<u8>, Option<WireSplice>)>,
    /// Room move records, as they came (unchecked: `Report::check_move`).
    pub moves: Vec<Vec<u8>>,
    /// Each entry of `changes` parsed with the gate's checks, once: a received keystroke is
    /// asked whether it is known and whether it can be shown ahead, and parsing it twice was
    /// a tenth of a millisecond on the receiving device's path to the screen.
    parsed: std::cell::OnceCell<Vec<Option<Parsed>>>,
}

/// One entry of a payload, parsed: its changes and the attestations it carried.
#[derive(Debug)]
struct Parsed {
    changes: Vec<Change>,
    attestations: Vec<crate::trust::Attestation>,
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.changes == other.changes && self.moves == other.moves
    }
}

impl Eq for Payload {}

impl Payload {
    /// Each change's bytes (signed or plain), with the splice it carried.
    pub fn changes(&self) -> &[(Vec<u8>, Option<WireSplice>)] {
        &self.changes
    }

    /// All Automerge bytes of the payload, concatenated (what `apply` takes).
    pub fn automerge_bytes(&self) -> Vec<u8> {
        self.changes
            .iter()
            .flat_map(|(c, _)| c.iter().copied())
            .collect()
    }

    /// Entry `i` parsed (`None`: it does not parse, or there is no such entry).
    fn parsed(&self, i: usize) -> Option<&Parsed> {
        self.parsed
            .get_or_init(|| self.changes.iter().map(|(b, _)| parse(b)).collect())
            .get(i)?
            .as_ref()
    }
}

/// One entry's bytes (signed or plain), parsed with the gate's checks: Automerge's own parser
/// panics on some bytes.
fn parse(bytes: &[u8]) -> Option<Parsed> {
    if crate::trust::SignedChanges::looks_like(bytes) {
        let bundle = crate::trust::SignedChanges::decode(bytes).ok()?;
        Some(Parsed {
            changes: crate::trust::split_changes(&bundle.changes).ok()?,
            attestations: bundle.attestations,
        })
    } else {
        Some(Parsed {
            changes: crate::trust::split_changes(bytes).ok()?,
            attestations: Vec::new(),
        })
    }
}

/// The hashes of the changes a payload carries (those that parse: a payload from elsewhere is
/// read with the gate's checks first). The same changes have the same hashes however they
/// travelled: alone, gathered with others, or in a catch-up.
pub fn change_hashes(payload: &[u8]) -> Vec<[u8; 32]> {
    let Ok(decoded) = decode(payload) else {
        return Vec::new();
    };
    (0..decoded.changes.len())
        .filter_map(|i| decoded.parsed(i))
        .flat_map(|p| p.changes.iter().map(|c| c.hash().0))
        .collect()
}

/// Reads a payload; raw Automerge bytes come back as one change without a splice.
pub fn decode(bytes: &[u8]) -> Result<Payload> {
    let bad = || ModelError::NotAReport("Die empfangenen Änderungen sind beschädigt.".into());
    let mut payload = Payload::default();
    if bytes.first().is_none_or(|b| *b == AUTOMERGE)
        || crate::trust::SignedChanges::looks_like(bytes)
    {
        payload.changes.push((bytes.to_vec(), None));
        return Ok(payload);
    }
    let mut r = Reader { bytes, at: 0 };
    while let Some(tag) = r.byte() {
        let splice = match tag {
            PLAIN => None,
            MOVED => {
                let len = r.usize().ok_or_else(bad)?;
                payload.moves.push(r.take(len).ok_or_else(bad)?.to_vec());
                continue;
            }
            SPLICED => {
                let index = r.usize().ok_or_else(bad)?;
                let pos = r.usize().ok_or_else(bad)?;
                let delete = r.usize().ok_or_else(bad)?;
                let len = r.usize().ok_or_else(bad)?;
                let insert = std::str::from_utf8(r.take(len).ok_or_else(bad)?)
                    .map_err(|_| bad())?
                    .to_string();
                Some(WireSplice {
                    field_index: index,
                    pos,
                    delete,
                    insert,
                })
            }
            _ => return Err(bad()),
        };
        let len = r.usize().ok_or_else(bad)?;
        let change = r.take(len).ok_or_else(bad)?.to_vec();
        payload.changes.push((change, splice));
    }
    Ok(payload)
}

impl Report {
    /// [`Report::set_text`], returning the splice it made (`None` when nothing changed) and
    /// the field's index in the template (for [`encode_item`]).
    pub fn set_text_spliced(
        &mut self,
        role: Role,
        field: &str,
        value: &str,
    ) -> Result<Option<(usize, Splice)>> {
        self.set_text_spliced_from(role, field, None, value)
    }

    /// Like [`Report::set_text_spliced`], from the text the caller knows the field to hold
    /// (what it set last, when the document has not changed since): a keystroke in a long
    /// text then does not read the whole text first. A `known` text that cannot be right
    /// (another length) is ignored.
    pub fn set_text_spliced_from(
        &mut self,
        role: Role,
        field: &str,
        known: Option<&str>,
        value: &str,
    ) -> Result<Option<(usize, Splice)>> {
        self.begin_edit(role, field)?;
        self.note_input(field, crate::own_words::InputMode::Typed);
        let obj = self.text_object(field)?;
        let made = self.replace_text_spliced(&obj, known, value)?;
        Ok(made.map(|(pos, delete, insert)| self.spliced(field, pos, delete, insert)))
    }

    /// A keystroke as the control saw it: `edit` made on a text of `shown_len` characters
    /// (see [`crate::text_control::ShownText::typed`]), so that it lands exactly where the
    /// person typed, even among equal letters. When the report's text has another length the
    /// control was behind, and its whole `value` is compared with the report's text instead.
    /// Returns the splice made and the text it deleted (for undo), `None` if nothing changed.
    pub fn type_edit(
        &mut self,
        role: Role,
        target: &TextTarget,
        edit: &TextEdit,
        shown_len: usize,
        value: &str,
    ) -> Result<Option<Typed>> {
        let (obj, index) = match target {
            TextTarget::Field(field) => {
                self.begin_edit(role, field)?;
                self.note_input(field, crate::own_words::InputMode::Typed);
                let obj = self.text_object(field)?;
                let index = self.template().fields().position(|f| &f.id == field);
                (obj, index)
            }
            TextTarget::Goal { goal, part } => {
                let goals = self.goals_field()?.0.id.clone();
                self.begin_edit(role, &goals)?;
                (self.goal_text_object(goal, part)?, None)
            }
        };
        let len = self.doc.length(&obj);
        let fits = len == shown_len && edit.pos <= len && edit.delete <= len - edit.pos;
        let (pos, delete, insert) = if fits {
            (edit.pos, edit.delete, edit.insert.clone())
        } else {
            crate::text_diff::splice_between(&self.doc.text(&obj)?, value)
        };
        if delete == 0 && insert.is_empty() {
            return Ok(None);
        }
        let removed = self.removed_by(&obj, pos, delete)?;
        self.splice_obj(&obj, pos, delete, &insert)?;
        Ok(Some(Typed {
            index,
            splice: Splice {
                field: target.key(),
                pos,
                delete,
                insert,
            },
            removed,
        }))
    }

    /// The characters a splice at `pos` deleting `delete` removes (kept for undo). A backspace
    /// reads its one character, not the whole text.
    fn removed_by(&self, obj: &automerge::ObjId, pos: usize, delete: usize) -> Result<String> {
        if delete > 16 {
            return Ok(self.doc.text(obj)?.chars().skip(pos).take(delete).collect());
        }
        let mut out = String::new();
        for i in pos..pos + delete {
            if let Some((automerge::Value::Scalar(v), _)) = self.doc.get(obj, i)? {
                if let automerge::ScalarValue::Str(s) = v.as_ref() {
                    out.push_str(s);
                }
            }
        }
        Ok(out)
    }

    /// The text of `target` now.
    pub fn target_text(&self, target: &TextTarget) -> Result<String> {
        match target {
            TextTarget::Field(field) => self.text(field),
            TextTarget::Goal { goal, part } => self.goal_text(goal, part),
        }
    }

    /// A splice as [`encode_item`] takes it: with the field's index in the template.
    fn spliced(&self, field: &str, pos: usize, delete: usize, insert: String) -> (usize, Splice) {
        let index = self
            .template()
            .fields()
            .position(|f| f.id == field)
            .unwrap_or(usize::MAX);
        (
            index,
            Splice {
                field: field.to_string(),
                pos,
                delete,
                insert,
            },
        )
    }

    /// Whether every change of `payload` is here already: in the document, or among `held`
    /// (changes shown ahead and not applied yet). A keystroke that arrives twice (directly
    /// and through the relay) is then dropped without applying what is held, which would
    /// cost a walk of the text per keystroke. Anything that does not parse is not known.
    pub fn knows_all(&self, payload: &Payload, held: &[ChangeHash]) -> bool {
        (0..payload.changes.len()).all(|i| {
            payload.parsed(i).is_some_and(|p| {
                p.changes.iter().all(|c| {
                    let hash = c.hash();
                    held.contains(&hash) || self.has_change(&hash)
                })
            })
        })
    }

    /// The splices to show now for `payload`, if every change in it carries one and applies
    /// directly on top of `heads` (this document's heads, or where the changes waiting to be
    /// applied will leave it), with the heads afterwards. `None`: apply first, then show.
    ///
    /// In a protected report every change must also pass the gate (a dry run): nothing is
    /// shown that will not be applied.
    pub fn previews(
        &mut self,
        heads: &[ChangeHash],
        payload: &Payload,
    ) -> Option<(Vec<Splice>, Vec<ChangeHash>)> {
        let mut at: Vec<ChangeHash> = heads.to_vec();
        at.sort();
        let mut splices = Vec::new();
        let mut chain = Vec::new();
        let mut attestations = Vec::new();
        for (i, (_, splice)) in payload.changes.iter().enumerate() {
            let splice = splice.as_ref()?;
            let parsed = payload.parsed(i)?;
            attestations.extend_from_slice(&parsed.attestations);
            let [change] = parsed.changes.as_slice() else {
                return None;
            };
            let mut deps = change.deps().to_vec();
            deps.sort();
            if deps != at {
                return None;
            }
            let field = self.template().fields().nth(splice.field_index)?;
            splices.push(Splice {
                field: field.id.clone(),
                pos: splice.pos,
                delete: splice.delete,
                insert: splice.insert.clone(),
            });
            at = vec![change.hash()];
            chain.push(change.clone());
        }
        if !self.would_admit(&chain, &attestations) {
            return None;
        }
        Some((splices, at))
    }
}

/// Applies a splice to a string the way Automerge applies it to a Text (positions clamped).
pub fn apply_splice(text: &str, splice: &Splice) -> String {
    let chars: Vec<char> = text.chars().collect();
    let pos = splice.pos.min(chars.len());
    let end = (pos + splice.delete).min(chars.len());
    let mut out: String = chars[..pos].iter().collect();
    out.push_str(&splice.insert);
    out.extend(chars[end..].iter());
    out
}

/// Appends `v` as unsigned LEB128.
pub(crate) fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn usize(&mut self) -> Option<usize> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return usize::try_from(v).ok();
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pair;
    use proptest::prelude::*;

    fn typed(a: &mut Report, value: &str) -> Vec<u8> {
        let (index, splice) = a
            .set_text_spliced(Role::Beneficiary, "wuensche", value)
            .expect("edit")
            .expect("a change");
        let change = a.save_incremental();
        encode_item(&change, Some((index, &splice)))
    }

    #[test]
    fn changes_are_known_by_their_hashes_however_they_travelled() {
        let (mut a, _) = pair();
        let before = a.heads();
        let first = typed(&mut a, "Ja");
        let second = typed(&mut a, "Ja!");
        let hashes: Vec<[u8; 32]> = a.heads().iter().map(|h| h.0).collect();
        let one = change_hashes(&first);
        let two = change_hashes(&second);
        assert_eq!((one.len(), two.len()), (1, 1));
        assert_eq!(two, hashes, "the newest change is the head");
        // Gathered into one payload while a send was in flight.
        let mut gathered = first.clone();
        gathered.extend(&second);
        assert_eq!(
            change_hashes(&gathered),
            [one.clone(), two.clone()].concat()
        );
        // As a catch-up: everything after some heads, as one block.
        let catch_up = encode_item(&a.save_after(&before), None);
        let mut caught: Vec<[u8; 32]> = change_hashes(&catch_up);
        caught.sort();
        let mut expected = [one, two].concat();
        expected.sort();
        assert_eq!(caught, expected);
        // Bytes that are no changes carry none.
        assert!(change_hashes(b"\x01\x05hello").is_empty());
        assert!(change_hashes(&first[..first.len() / 2]).is_empty());
    }

    #[test]
    fn a_peer_in_step_can_show_the_keystrokes_before_applying_them() {
        let (mut a, mut b) = pair();
        // Two keystrokes gathered into one payload, as while a send is in flight.
        let mut payload = typed(&mut a, "Hallo");
        payload.extend(typed(&mut a, "Hallo!"));
        let decoded = decode(&payload).expect("decode");
        let heads = b.heads();
        let (splices, after) = b.previews(&heads, &decoded).expect("in step");
        let shown = splices
            .iter()
            .fold(b.text("wuensche").expect("text"), |t, s| {
                apply_splice(&t, s)
            });
        assert_eq!(shown, "Hallo!");
        b.apply(&decoded.automerge_bytes()).expect("apply");
        assert_eq!(b.text("wuensche").ok().as_deref(), Some("Hallo!"));
        let mut now = b.heads();
        now.sort();
        assert_eq!(now, after, "the predicted heads are the real ones");
    }

    #[test]
    fn a_keystroke_that_arrives_twice_is_known_the_second_time() {
        let (mut a, mut b) = pair();
        let first = decode(&typed(&mut a, "H")).expect("decode");
        let second = decode(&typed(&mut a, "Ha")).expect("decode");
        assert!(!b.knows_all(&first, &[]));
        // Shown ahead and held: known by its hash without being applied.
        let heads = b.heads();
        let (_, after) = b.previews(&heads, &first).expect("in step");
        assert!(b.knows_all(&first, &after));
        assert!(!b.knows_all(&second, &after));
        // Applied: known by the document.
        b.apply(&first.automerge_bytes()).expect("apply");
        assert!(b.knows_all(&first, &[]));
        // Bytes that do not parse are never "known".
        let broken = Payload {
            changes: vec![(vec![0x85, 0x6f, 0x4a, 0x83, 1, 2], None)],
            ..Payload::default()
        };
        assert!(!b.knows_all(&broken, &[]));
    }

    #[test]
    fn a_change_automerge_only_queued_is_neither_held_nor_known() {
        let (mut a, mut b) = pair();
        let first = decode(&typed(&mut a, "H")).expect("decode");
        let second = decode(&typed(&mut a, "Ha")).expect("decode");
        let hash = |p: &Payload| p.parsed(0).expect("parses").changes[0].hash();
        let (h1, h2) = (hash(&first), hash(&second));
        // The second keystroke without the first: Automerge keeps it in its queue.
        let queued = crate::trust::split_changes(&second.automerge_bytes()).expect("parse");
        b.doc.apply_changes(queued).expect("queued");
        assert!(!b.has_change(&h1));
        assert!(!b.has_change(&h2), "a queued change is not in the document");
        assert!(!b.knows_all(&second, &[]));
        // Its predecessor arrives: both are in.
        let rest = crate::trust::split_changes(&first.automerge_bytes()).expect("parse");
        b.doc.apply_changes(rest).expect("apply");
        assert!(b.has_change(&h1) && b.has_change(&h2));
        assert!(b.knows_all(&second, &[]));
    }

    #[test]
    fn a_peer_out_of_step_applies_first() {
        let (mut a, mut b) = pair();
        b.set_text(Role::Beneficiary, "wuensche", "B")
            .expect("edit");
        let payload = typed(&mut a, "A");
        let decoded = decode(&payload).expect("decode");
        let heads = b.heads();
        assert_eq!(b.previews(&heads, &decoded), None);
        b.apply(&decoded.automerge_bytes()).expect("apply");
        let text = b.text("wuensche").expect("text");
        assert!(text.contains('A') && text.contains('B'), "{text}");
    }

    #[test]
    fn raw_automerge_and_plain_items_have_no_preview() {
        let (mut a, mut b) = pair();
        a.set_text(Role::Provider, "lb_name", "X").expect("edit");
        let change = a.save_incremental();
        for payload in [change.clone(), encode_item(&change, None)] {
            let decoded = decode(&payload).expect("decode");
            assert_eq!(decoded.automerge_bytes(), change);
            let heads = b.heads();
            assert_eq!(b.previews(&heads, &decoded), None);
        }
    }

    #[test]
    fn a_move_travels_beside_changes_and_a_cut_one_is_refused() {
        let (mut a, _) = pair();
        a.set_text(Role::Provider, "lb_name", "X").expect("edit");
        let change = a.save_incremental();
        let record = b"a move record".to_vec();
        let mut payload = encode_move(&record);
        payload.extend(encode_item(&change, None));
        let decoded = decode(&payload).expect("decode");
        assert_eq!(decoded.moves, vec![record]);
        assert_eq!(decoded.automerge_bytes(), change);
        let only = encode_move(b"x");
        assert_eq!(decode(&only).expect("decode").changes, vec![]);
        assert!(decode(&only[..only.len() - 1]).is_err());
    }

    #[test]
    fn a_known_text_gives_the_same_splice_and_a_wrong_one_is_not_trusted() {
        let (mut a, _) = pair();
        a.set_text(Role::Beneficiary, "wuensche", "Hallo Welt")
            .expect("edit");
        let (_, known) = a
            .set_text_spliced_from(
                Role::Beneficiary,
                "wuensche",
                Some("Hallo Welt"),
                "Hallo, Welt",
            )
            .expect("edit")
            .expect("a change");
        assert_eq!(
            (known.pos, known.delete, known.insert.as_str()),
            (5, 0, ",")
        );
        // A stale copy (another text of another length) must not decide where the splice goes.
        let (_, read) = a
            .set_text_spliced_from(Role::Beneficiary, "wuensche", Some("Hallo"), "Hallo, Welt!")
            .expect("edit")
            .expect("a change");
        assert_eq!((read.pos, read.delete, read.insert.as_str()), (11, 0, "!"));
        assert_eq!(a.text("wuensche").ok().as_deref(), Some("Hallo, Welt!"));
    }

    fn wishes() -> TextTarget {
        TextTarget::Field("wuensche".into())
    }

    #[test]
    fn a_typed_edit_lands_where_the_caret_was_and_a_stale_one_is_not_trusted() {
        let (mut a, _) = pair();
        a.set_text(Role::Beneficiary, "wuensche", "aa")
            .expect("edit");
        let mut shown = crate::text_control::ShownText::new("aa");
        let edit = shown.typed("aba", Some(2)).expect("typed");
        let made = a
            .type_edit(Role::Beneficiary, &wishes(), &edit, 2, "aba")
            .expect("edit")
            .expect("a change")
            .splice;
        assert_eq!((made.pos, made.delete, made.insert.as_str()), (1, 0, "b"));
        // The control showed 2 characters, the report has 3: the value decides.
        let stale = TextEdit {
            pos: 0,
            delete: 0,
            insert: "x".into(),
        };
        let made = a
            .type_edit(Role::Beneficiary, &wishes(), &stale, 2, "abax")
            .expect("edit")
            .expect("a change")
            .splice;
        assert_eq!((made.pos, made.insert.as_str()), (3, "x"));
        // What a deletion removed comes back (for undo).
        let typed = a
            .type_edit(
                Role::Beneficiary,
                &wishes(),
                &TextEdit {
                    pos: 1,
                    delete: 2,
                    insert: String::new(),
                },
                4,
                "ax",
            )
            .expect("edit")
            .expect("a change");
        assert_eq!(typed.removed, "ba");
        a.type_edit(
            Role::Beneficiary,
            &wishes(),
            &TextEdit {
                pos: 1,
                delete: 0,
                insert: "ba".into(),
            },
            2,
            "abax",
        )
        .expect("edit");
        assert_eq!(a.text("wuensche").ok().as_deref(), Some("abax"));
        // An edit out of range is not trusted either.
        let wild = TextEdit {
            pos: 9,
            delete: 9,
            insert: "y".into(),
        };
        a.type_edit(Role::Beneficiary, &wishes(), &wild, 4, "abaxy")
            .expect("edit");
        assert_eq!(a.text("wuensche").ok().as_deref(), Some("abaxy"));
    }

    #[test]
    fn a_goal_text_is_typed_into_like_a_field_and_arrives_as_splices() {
        let (mut a, mut b) = pair();
        let goal = a.add_goal(Role::Provider).expect("goal");
        b.apply(&a.save_incremental()).expect("apply");
        let target = TextTarget::Goal {
            goal: goal.clone(),
            part: crate::GoalText::main_measure(),
        };
        let mut shown = crate::text_control::ShownText::new("");
        let edit = shown.typed("Kochkurs", Some(8)).expect("typed");
        let typed = a
            .type_edit(Role::Provider, &target, &edit, 0, "Kochkurs")
            .expect("edit")
            .expect("a change");
        assert_eq!(typed.index, None, "a goal's text travels without a splice");
        let t = b.apply_touched(&a.save_incremental()).expect("apply");
        assert!(t.goals);
        let edits = &t.edits[&target.key()];
        assert_eq!(
            edits.iter().fold(String::new(), |s, e| e.apply(&s)),
            "Kochkurs"
        );
        assert_eq!(
            b.goal_text(&goal, &crate::GoalText::main_measure())
                .ok()
                .as_deref(),
            Some("Kochkurs")
        );
        // The beneficiary may not write goals.
        assert!(a
            .type_edit(Role::Beneficiary, &target, &edit, 8, "KochkursKochkurs")
            .is_err());
    }

    proptest! {
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes);
            let mut with_tag = vec![SPLICED];
            with_tag.extend(bytes);
            let _ = decode(&with_tag);
        }

        #[test]
        fn splices_match_automerge(old in "[a-zäöü😀 ]{0,20}", new in "[a-zäöü😀 ]{0,20}") {
            let (mut a, _) = pair();
            a.set_text(Role::Beneficiary, "wuensche", &old).expect("edit");
            if let Some((_, s)) = a.set_text_spliced(Role::Beneficiary, "wuensche", &new).expect("edit") {
                prop_assert_eq!(apply_splice(&old, &s), new);
            } else {
                prop_assert_eq!(old, new);
            }
        }
    }
}

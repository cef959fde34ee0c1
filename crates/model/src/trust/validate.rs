//! What Automerge assumes of a change, checked before Automerge sees it.
//!
//! Automerge 0.12 parses a change chunk carefully, but decoding and applying it trust the
//! content: `Change::decode` unwraps the actor index of every operation; `apply_changes`
//! unwraps every actor the change lists (`import_ops`), panics on an operation in an object
//! the document lacks ("Obj … Missing from Index"), and takes operations whose elements,
//! predecessors or counters do not fit, after which the document no longer saves and loads
//! again ("max_op is lower than start_op", "missing ops"). In the browser build a panic
//! aborts the app, and a document that does not load again loses the report on the device.
//! And a member can sign anything: a valid attestation says who made a change, not that
//! Automerge can take it.
//!
//! So every change from elsewhere is checked here first, never by catching a panic:
//! - [`well_formed`] (from `split_changes`, on the bytes alone): every actor index points into
//!   the change's actor table, the change is exactly what Automerge itself encodes for its
//!   content (one encoding per change: nothing Automerge would drop or normalise on the way to
//!   a saved document), no extra bytes, a sane timestamp; a change without dependencies (the
//!   start of a document) refers to nothing but its own operations ([`fits`] on an empty
//!   document).
//! - [`fits`] (from the gate, right before it decodes a change, all dependencies applied): the
//!   change continues the document as Automerge would have made it on the author's device —
//!   its first operation counter follows its dependencies, the actor's earlier changes are
//!   among its past, and every operation writes into an object of its past with the right kind
//!   of key, at elements of that object, over predecessors at the same place. Only the
//!   operations a report uses pass: maps, lists and texts made, scalars put, values deleted,
//!   elements inserted and deleted (no counters, marks, tables or overwritten elements).
//!
//! A whole document chunk goes to Automerge's document loader only after
//! `document_chunk::check`: that loader trusts how the columns fit together.

use std::collections::{HashMap, HashSet};

use automerge::legacy::{ElementId, Key, ObjectId, Op, OpId, OpType};
use automerge::{ActorId, AutoCommit, Automerge, Change, ChangeHash, ExpandedChange, ObjType};
use automerge::{LoadOptions, OnPartialLoad, ReadDoc, ScalarValue, VerificationMode};

use super::{split_changes, MAX_WAITING};
use crate::report::TEXT_ENCODING;
use crate::{ModelError, Report};

/// At most this many accepted changes wait to be applied while the gate checks the next: the
/// checks look through them (see [`fits`]).
pub(crate) const PENDING: usize = 64;

/// Why a change is refused (for tests and debugging; the gate says "unreadable").
pub(crate) type Unfit = &'static str;

/// Timestamps beyond this (in either direction) are refused: Automerge stores them
/// delta-encoded with saturating arithmetic, so extreme values would not survive a save.
const MAX_TIME: i64 = 1 << 53;

/// Checks a parsed change on its own bytes (see the module doc).
pub(crate) fn well_formed(c: &Change) -> Result<(), Unfit> {
    safe_to_parse(c.raw_bytes())?;
    if !c.extra_bytes().is_empty() {
        return Err("extra bytes");
    }
    if !(-MAX_TIME..=MAX_TIME).contains(&c.timestamp()) {
        return Err("timestamp");
    }
    if c.start_op().get() + c.len() as u64 > u64::from(u32::MAX) {
        return Err("operation counter too large");
    }
    // Safe now: every actor index is in range.
    let expanded = c.decode();
    if Change::from(expanded).raw_bytes() != c.raw_bytes() {
        return Err("not Automerge's own encoding");
    }
    if c.deps().is_empty() {
        fits(&Automerge::new(), &[], c, 0)?;
    }
    Ok(())
}

/// Before the gate decodes `c`: [`well_formed`], and [`fits`] once `doc` and `pending`
/// (changes accepted but not applied yet, in the order accepted) hold all its dependencies
/// (`Ok(false)`: not yet; it cannot be judged). `actor_seq`: the number of the newest change
/// of `c`'s actor in `doc` and `pending` (0 for none).
pub(crate) fn readable(
    doc: &Automerge,
    pending: &[Change],
    c: &Change,
    actor_seq: u64,
) -> Result<bool, Unfit> {
    well_formed(c)?;
    let ready = c.deps().iter().all(|d| {
        pending.iter().any(|p| p.hash() == *d) || doc.get_change_meta_by_hash(d).is_some()
    });
    if !ready {
        return Ok(false);
    }
    fits(doc, pending, c, actor_seq)?;
    // The next keystroke names this one's operations: keep it decoded.
    let _ = decoded(c.hash(), || Some(c.clone()));
    Ok(true)
}

/// Checks a well-formed change against the document it would be applied to — `doc` and
/// then `pending` (changes already checked, not applied yet) — which holds all its
/// dependencies and in which the newest change of its actor has number `actor_seq` (0: none);
/// see the module doc.
pub(crate) fn fits(
    doc: &Automerge,
    pending: &[Change],
    c: &Change,
    actor_seq: u64,
) -> Result<(), Unfit> {
    if actor_seq.checked_add(1) != Some(c.seq()) {
        return Err("not the actor's next change");
    }
    let deps = c.deps();
    let mut distinct = HashSet::new();
    if !deps.iter().all(|d| distinct.insert(*d)) {
        return Err("a dependency twice");
    }
    if deps.is_empty() && !(doc.get_heads().is_empty() && pending.is_empty()) {
        return Err("a second start of the document");
    }
    let by_hash: HashMap<ChangeHash, &Change> = pending.iter().map(|p| (p.hash(), p)).collect();
    let mut max_op = 0;
    for d in deps {
        let m = match by_hash.get(d) {
            Some(p) => p.max_op(),
            None => {
                doc.get_change_meta_by_hash(d)
                    .ok_or("a dependency is missing")?
                    .max_op
            }
        };
        max_op = max_op.max(m);
    }
    if c.start_op().get() != max_op + 1 {
        return Err("the first operation counter does not follow the dependencies");
    }
    // The change's past: pending changes it builds on, and where they reach the document.
    let mut seen_pending: HashSet<ChangeHash> = HashSet::new();
    let mut frontier: Vec<ChangeHash> = Vec::new();
    let mut stack: Vec<ChangeHash> = deps.to_vec();
    while let Some(h) = stack.pop() {
        match by_hash.get(&h) {
            Some(p) => {
                if seen_pending.insert(h) {
                    stack.extend(p.deps().iter().copied());
                }
            }
            None => {
                if !frontier.contains(&h) {
                    frontier.push(h);
                }
            }
        }
    }
    let actor = c.actor_id();
    let mut unseen: HashSet<ChangeHash> = HashSet::new();
    // A change built on all of the document (live typing: its dependencies are the heads)
    // has every change of the document in its past: nothing to look for, and the look
    // walks the whole change graph.
    let mut heads = doc.get_heads();
    heads.sort();
    let mut sorted_frontier = frontier.clone();
    sorted_frontier.sort();
    if !heads.is_empty() && sorted_frontier != heads {
        for meta in doc.get_changes_meta(&frontier) {
            unseen.insert(meta.hash);
            if *meta.actor == *actor {
                return Err("the actor's earlier change is not in its past");
            }
        }
    }
    for p in pending {
        if !seen_pending.contains(&p.hash()) {
            unseen.insert(p.hash());
            if p.actor_id() == actor {
                return Err("the actor's earlier change is not in its past");
            }
        }
    }
    let expanded = c.decode();
    let mut past = Past {
        doc,
        pending,
        unseen,
    };
    let start = c.start_op().get();
    let mut referenced: HashSet<ActorId> = HashSet::new();
    for (i, op) in expanded.operations.iter().enumerate() {
        let own_id = OpId(start + i as u64, actor.clone());
        let mut find = |id: &OpId| -> Option<Op> {
            if id.1 != *actor {
                referenced.insert(id.1.clone());
            }
            if id.1 == *actor && id.0 >= start && id.0 < own_id.0 {
                return expanded.operations.get((id.0 - start) as usize).cloned();
            }
            past.op(id)
        };
        let typ = match &op.obj {
            ObjectId::Root => ObjType::Map,
            ObjectId::Id(id) => match find(id) {
                Some(Op {
                    action: OpType::Make(t),
                    ..
                }) => t,
                _ => return Err("an operation in an object that is not in its past"),
            },
        };
        match &op.action {
            OpType::Make(ObjType::Map | ObjType::List | ObjType::Text) | OpType::Delete => {}
            OpType::Put(v) if plain_scalar(v) => {}
            _ => return Err("an operation a report never uses"),
        }
        let elem = match (typ, &op.key) {
            (ObjType::Map, Key::Map(k)) if !k.is_empty() && !op.insert => None,
            (ObjType::List | ObjType::Text, Key::Seq(e)) => Some(e),
            _ => return Err("a key of the wrong kind for its object"),
        };
        if let Some(e) = elem {
            if typ == ObjType::Text && matches!(op.action, OpType::Make(_)) {
                return Err("an object inside a text");
            }
            match (op.insert, &op.action, e) {
                (true, OpType::Delete, _) => return Err("an inserted deletion"),
                (true, _, _) if !op.pred.is_empty() => return Err("an insertion over values"),
                (true, _, ElementId::Head) => {}
                (false, OpType::Delete, ElementId::Id(_)) => {}
                (false, _, _) => return Err("an element overwritten or the head deleted"),
                (true, _, ElementId::Id(_)) => {}
            }
            if let ElementId::Id(id) = e {
                match find(id) {
                    Some(target) if target.insert && target.obj == op.obj => {}
                    _ => return Err("an element that is not in the object"),
                }
            }
        }
        if matches!(op.action, OpType::Delete) && op.pred.is_empty() {
            return Err("a deletion of nothing");
        }
        for p in op.pred.iter() {
            let Some(before) = find(p) else {
                return Err("a predecessor that is not in its past");
            };
            let same_place = match (&op.key, elem) {
                (Key::Map(_), _) => !before.insert && before.key == op.key,
                (Key::Seq(_), Some(ElementId::Id(e))) => {
                    (before.insert && p == e) || (!before.insert && before.key == op.key)
                }
                _ => false,
            };
            if before.obj != op.obj || !same_place || matches!(before.action, OpType::Delete) {
                return Err("a predecessor at another place");
            }
        }
    }
    let mut listed = HashSet::new();
    for other in c.other_actor_ids() {
        if other == actor || !listed.insert(other) || !referenced.contains(other) {
            return Err("an actor listed for nothing");
        }
    }
    Ok(())
}

/// Plain Automerge bytes (a report from before membership, or what storage holds) take the
/// same checks, without the gate's rules: `Report::load_plain` and `Report::apply_plain`
/// call these instead of handing the bytes to Automerge's `load` and `load_incremental`.
impl Report {
    /// A document from saved bytes: a first document chunk loaded by Automerge (its own
    /// checks: columns, change hashes, heads), every change after it checked and applied in
    /// causal order. A change whose predecessors are missing makes the bytes unreadable, as
    /// in Automerge's own `load`.
    pub(crate) fn load_checked(bytes: &[u8]) -> crate::Result<AutoCommit> {
        let mut doc = AutoCommit::new_with_encoding(TEXT_ENCODING);
        let mut rest = bytes;
        if let Some((0, chunk, tail)) = first_chunk(bytes) {
            super::document_chunk::check(chunk).map_err(|e| {
                ModelError::NotAReport(format!("Das Dokument lässt sich nicht lesen ({e})."))
            })?;
            let options = LoadOptions::new()
                .text_encoding(TEXT_ENCODING)
                .on_partial_load(OnPartialLoad::Error)
                .verification_mode(VerificationMode::Check);
            doc = AutoCommit::load_with_options(chunk, options)
                .map_err(|e| ModelError::NotAReport(e.to_string()))?;
            rest = tail;
        }
        let left = apply_in_order(&mut doc, split_changes(rest)?)?;
        if !left.is_empty() {
            return Err(ModelError::NotAReport(
                "Es fehlen Änderungen, auf denen andere aufbauen.".into(),
            ));
        }
        Ok(doc)
    }

    /// Applies plain Automerge bytes: every chunk checked first (damaged bytes change
    /// nothing), then change by change, each checked against the document; changes whose
    /// predecessors have not arrived wait (bounded) for later bytes. On an error after the
    /// first change the document may hold part of the bytes: the caller restores it.
    pub(crate) fn apply_checked(&mut self, bytes: &[u8]) -> crate::Result<()> {
        let incoming = split_changes(bytes)?;
        let mut pending = self.trust.waiting.clone();
        pending.extend(incoming);
        let mut left = apply_in_order(&mut self.doc, pending)?;
        left.truncate(MAX_WAITING);
        self.trust.waiting = left;
        self.trust.forget_seqs();
        Ok(())
    }
}

/// `(type, chunk, rest)` of the first chunk of `bytes`, if it is a whole chunk.
fn first_chunk(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let mut r = Bytes(bytes);
    let head = r.take(9)?;
    if head[..4] != [0x85, 0x6f, 0x4a, 0x83] {
        return None;
    }
    let len = usize::try_from(r.uleb()?).ok()?;
    let total = (bytes.len() - r.0.len()).checked_add(len)?;
    (total <= bytes.len()).then(|| (head[8], &bytes[..total], &bytes[total..]))
}

/// Applies `changes` (each well formed, see [`split_changes`]) to `doc` one by one in causal
/// order, each after [`fits`]; returns those whose predecessors `doc` lacks. A change that
/// does not fit, or a second change with an actor's number, is an error.
fn apply_in_order(doc: &mut AutoCommit, changes: Vec<Change>) -> crate::Result<Vec<Change>> {
    let unreadable = |why: &str| {
        ModelError::NotAReport(format!("Die Änderungen lassen sich nicht lesen ({why})."))
    };
    let mut seqs: HashMap<ActorId, u64> = HashMap::new();
    for meta in doc.document().get_changes_meta(&[]) {
        let s = seqs.entry(meta.actor.into_owned()).or_insert(0);
        *s = (*s).max(meta.seq);
    }
    let mut seen = HashSet::new();
    let mut pending: Vec<Change> = changes
        .into_iter()
        .filter(|c| seen.insert(c.hash()))
        .filter(|c| doc.document().get_change_meta_by_hash(&c.hash()).is_none())
        .collect();
    loop {
        let before = pending.len();
        let mut waiting = Vec::new();
        for c in pending {
            let have = seqs.get(c.actor_id()).copied().unwrap_or(0);
            let ready = c.seq() == have.saturating_add(1)
                && c.deps()
                    .iter()
                    .all(|d| doc.document().get_change_meta_by_hash(d).is_some());
            if !ready {
                if c.seq() <= have {
                    return Err(unreadable("eine Nummer doppelt"));
                }
                waiting.push(c);
                continue;
            }
            fits(doc.document(), &[], &c, have).map_err(unreadable)?;
            seqs.insert(c.actor_id().clone(), c.seq());
            doc.apply_changes([c])?;
        }
        pending = waiting;
        if pending.len() == before || pending.is_empty() {
            return Ok(pending);
        }
    }
}

/// The values a report writes (no counters, and nothing from a future Automerge).
fn plain_scalar(v: &ScalarValue) -> bool {
    !matches!(v, ScalarValue::Counter(_) | ScalarValue::Unknown { .. })
}

/// Operations of the document (and of pending changes) in the past of the change checked.
struct Past<'a> {
    doc: &'a Automerge,
    pending: &'a [Change],
    /// Changes the author had not seen.
    unseen: HashSet<ChangeHash>,
}

impl Past<'_> {
    fn op(&mut self, id: &OpId) -> Option<Op> {
        let in_pending = self
            .pending
            .iter()
            .find(|p| *p.actor_id() == id.1 && p.start_op().get() <= id.0 && id.0 <= p.max_op());
        let hash = match in_pending {
            Some(p) => p.hash(),
            None => {
                let exid = self
                    .doc
                    .import_obj(&format!("{}@{}", id.0, id.1.to_hex_string()))
                    .ok()?;
                self.doc.hash_for_opid(&exid)?
            }
        };
        if self.unseen.contains(&hash) {
            return None;
        }
        let change = decoded(hash, || match in_pending {
            Some(p) => Some(p.clone()),
            None => self.doc.get_change_by_hash(&hash),
        })?;
        if change.actor_id != id.1 {
            return None;
        }
        let index = id.0.checked_sub(change.start_op.get())?;
        change.operations.get(usize::try_from(index).ok()?).cloned()
    }
}

/// Changes decoded lately, by hash (a hash names one content, whatever the document, so
/// this never goes stale): a keystroke names the text and the previous keystroke, and a batch
/// of them would otherwise decode the same changes again and again.
fn decoded(
    hash: ChangeHash,
    fetch: impl FnOnce() -> Option<Change>,
) -> Option<std::rc::Rc<ExpandedChange>> {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;
    const KEEP: usize = 64;
    thread_local! {
        static CACHE: RefCell<VecDeque<(ChangeHash, Rc<ExpandedChange>)>> =
            const { RefCell::new(VecDeque::new()) };
    }
    // Least recently used goes first: the creation change (which made every field's object)
    // and the latest keystrokes are asked for again and again and stay.
    if let Some(hit) = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let at = c.iter().position(|(h, _)| *h == hash)?;
        let entry = c.remove(at)?;
        let hit = entry.1.clone();
        c.push_back(entry);
        Some(hit)
    }) {
        return Some(hit);
    }
    let change = fetch()?;
    if change.hash() != hash {
        return None;
    }
    let expanded = Rc::new(change.decode());
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= KEEP {
            c.pop_front();
        }
        c.push_back((hash, expanded.clone()));
    });
    Some(expanded)
}

/// Whether Automerge can parse the change chunk `chunk` without panicking, and decode it:
/// Automerge's column readers unwrap every operation id into 32-bit counters and actor
/// indices (`OpId::new`), and `Change::decode` unwraps every actor index into the change's
/// actor table. So every actor index must point into that table and every counter fit in
/// 32 bits. Only uncompressed change chunks (type 1): no device of ours makes others.
pub(crate) fn safe_to_parse(chunk: &[u8]) -> Result<(), Unfit> {
    let mut r = Bytes(chunk);
    r.take(8).ok_or("header")?; // magic, checksum
    if r.byte().ok_or("header")? != 1 {
        return Err("not a change chunk");
    }
    let len = r.uleb().ok_or("length")?;
    let mut r = Bytes(
        r.take(usize::try_from(len).map_err(|_| "length")?)
            .ok_or("length")?,
    );
    let deps = r.uleb().ok_or("dependencies")?;
    for _ in 0..deps {
        r.take(32).ok_or("dependencies")?;
    }
    r.prefixed().ok_or("actor")?;
    r.uleb().ok_or("seq")?;
    r.uleb().ok_or("start op")?;
    r.uleb().ok_or("time")?; // signed, same length
    r.prefixed().ok_or("message")?;
    let others = r.uleb().ok_or("other actors")?;
    for _ in 0..others {
        r.prefixed().ok_or("other actors")?;
    }
    let actors = others.checked_add(1).ok_or("other actors")?;
    let columns = r.uleb().ok_or("columns")?;
    let mut specs = Vec::new();
    for _ in 0..columns {
        let spec = r.uleb().ok_or("columns")?;
        let len = usize::try_from(r.uleb().ok_or("columns")?).map_err(|_| "columns")?;
        specs.push((spec, len));
    }
    for (spec, len) in specs {
        let data = r.take(len).ok_or("column data")?;
        let fine = match spec & 0b111 {
            // Actor indices.
            1 => rle_within(data, 0, actors - 1, false),
            // Integers (object counters, actions).
            2 => rle_within(data, 0, u64::from(u32::MAX), false),
            // Delta-encoded integers (element and predecessor counters).
            3 => rle_within(data, 0, u64::from(u32::MAX), true),
            _ => true,
        };
        if !fine {
            return Err("an actor index or counter out of range");
        }
    }
    Ok(())
}

/// Whether every value of an RLE column lies in `min..=max`. Runs: a signed count, then one
/// value repeated (count > 0), that many literal values (count < 0), or a count of nulls (0).
/// Values are unsigned LEB128, or with `delta` signed differences to the previous non-null
/// value (starting at 0), checked as the running sum.
fn rle_within(data: &[u8], min: u64, max: u64, delta: bool) -> bool {
    let (min, max) = (i128::from(min), i128::from(max));
    let mut r = Bytes(data);
    let mut current: i128 = 0;
    let mut value = |r: &mut Bytes<'_>, repeat: i128| -> Option<()> {
        if delta {
            let d = i128::from(r.sleb()?);
            let first = current + d;
            let last = current + d * repeat;
            current = last;
            (first.min(last) >= min && first.max(last) <= max).then_some(())
        } else {
            let v = i128::from(r.uleb()?);
            (v >= min && v <= max).then_some(())
        }
    };
    while !r.is_empty() {
        let Some(count) = r.sleb() else { return false };
        let ok = match count {
            n if n > 0 => value(&mut r, i128::from(n)).is_some(),
            n if n < 0 => (0..n.unsigned_abs()).all(|_| value(&mut r, 1).is_some()),
            _ => r.uleb().is_some(),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// A bounds-checked reader of LEB128 fields.
pub(crate) struct Bytes<'a>(pub(crate) &'a [u8]);

impl<'a> Bytes<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    pub(crate) fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    pub(crate) fn uleb(&mut self) -> Option<u64> {
        let mut reader = crate::bytes::Reader(self.0);
        let value = reader.uleb();
        self.0 = reader.0;
        value
    }

    pub(crate) fn sleb(&mut self) -> Option<i64> {
        let mut value: i64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            if shift >= 64 {
                return None;
            }
            value |= i64::from(b & 0x7f).wrapping_shl(shift);
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Some(value);
            }
        }
    }

    pub(crate) fn prefixed(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.uleb()?).ok()?;
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    #[test]
    fn honest_changes_pass() {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "t", ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, "Hallo").unwrap();
        doc.commit();
        let mut other = doc.fork();
        other.splice_text(&text, 1, 2, "ey").unwrap();
        other.put(ROOT, "k", "v").unwrap();
        other.commit();
        doc.put(ROOT, "k", "w").unwrap();
        doc.commit();
        doc.merge(&mut other).unwrap();
        doc.delete(ROOT, "k").unwrap();
        doc.commit();
        let mut replay = Automerge::new();
        for c in doc.get_changes(&[]) {
            well_formed(&c).unwrap();
            let seq = replay
                .get_changes_meta(&[])
                .iter()
                .filter(|m| *m.actor == *c.actor_id())
                .count() as u64;
            fits(&replay, &[], &c, seq).unwrap();
            replay.apply_changes([c]).unwrap();
        }
    }

    #[test]
    fn rle_columns() {
        // Run of 3 × 1, literal [0, 2], 2 nulls.
        let data = [3, 1, 0x7e, 0, 2, 0, 2];
        assert!(rle_within(&data, 0, 2, false));
        assert!(!rle_within(&data, 0, 1, false));
        assert!(
            !rle_within(&[0x7e, 0], 0, 2, false),
            "a literal run cut short"
        );
        // Deltas: 5, then 3 × +2 (7, 9, 11), then -11 (0).
        let deltas = [1, 5, 3, 2, 1, 0x75];
        assert!(rle_within(&deltas, 0, 11, true));
        assert!(!rle_within(&deltas, 0, 10, true));
        assert!(!rle_within(&[1, 0x7f], 0, 10, true), "below zero");
        let mut r = Bytes(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]);
        assert_eq!(r.sleb(), Some(i64::MIN));
    }
}

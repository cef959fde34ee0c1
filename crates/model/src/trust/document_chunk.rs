//! What Automerge's document loader assumes of a document chunk, checked before it sees one.
//!
//! A whole document (a saved report, a joiner's snapshot, an imported file) is a chunk of
//! columns: one set describing the changes, one holding every operation. Automerge 0.12
//! checks each column's encoding when it loads it, but then trusts how the columns fit
//! together: a value column shorter than its lengths say, a dependency that points at a
//! later change, an actor index past the actor table, two operations with one id, or a
//! change whose operations are not all there make the loader or `get_changes` index out of
//! bounds, unwrap a `None` or fail an assertion (`tests/foreign_bytes.rs` flips every bit of
//! a report behind a correct checksum). The browser build aborts on a panic, and a hostile
//! member can compute the checksum and sign the chunk.
//!
//! So [`check`] reads the chunk as Automerge would, with the same column decoders (hexane,
//! validating), and refuses it unless:
//! - the layout is what Automerge writes: known columns in order, lengths that add up,
//!   compressed columns that inflate within [`MAX_INFLATED`];
//! - every column has one row per change (or per operation), or none where Automerge fills
//!   in a default; value lengths add up to the value bytes, and each value reads as its type;
//! - every actor index points into the actor table, every dependency at an earlier change;
//!   each actor's changes are numbered 1, 2, 3 … with growing operation counters;
//! - the operations, with the deletions Automerge derives from their successors, fill every
//!   change's counter range exactly once.
//!
//! Row counts are capped ([`MAX_CHANGES`], [`MAX_OPS`]): a few bytes of run-length encoding
//! can claim billions of rows.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use hexane::{Column, DeltaColumn};

use super::validate::{Bytes, Unfit};

/// Inflated column bytes a document may hold: far beyond any report (a report typed for
/// years is a few megabytes), small enough that a deflate bomb stops here.
pub(crate) const MAX_INFLATED: usize = 64 << 20;
/// Changes a document may hold (a report of 10,000 keystrokes has about 10,000).
pub(crate) const MAX_CHANGES: usize = 1 << 20;
/// Operations a document may hold.
pub(crate) const MAX_OPS: usize = 4 << 20;

/// Column specifications as Automerge 0.12 writes them: id << 4 | type (the deflate bit,
/// 0b1000, cleared).
mod spec {
    pub const ACTOR: u32 = 0x01;
    pub const SEQ: u32 = 0x03;
    pub const MAX_OP: u32 = 0x13;
    pub const TIME: u32 = 0x23;
    pub const MESSAGE: u32 = 0x35;
    pub const DEPS_COUNT: u32 = 0x40;
    pub const DEPS: u32 = 0x43;
    pub const EXTRA_META: u32 = 0x56;
    pub const EXTRA: u32 = 0x57;
    pub const CHANGES: [u32; 9] = [
        ACTOR, SEQ, MAX_OP, TIME, MESSAGE, DEPS_COUNT, DEPS, EXTRA_META, EXTRA,
    ];

    pub const OBJ_ACTOR: u32 = 0x01;
    pub const OBJ_CTR: u32 = 0x02;
    pub const KEY_ACTOR: u32 = 0x11;
    pub const KEY_CTR: u32 = 0x13;
    pub const KEY_STR: u32 = 0x15;
    pub const ID_ACTOR: u32 = 0x21;
    pub const ID_CTR: u32 = 0x23;
    pub const INSERT: u32 = 0x34;
    pub const ACTION: u32 = 0x42;
    pub const VALUE_META: u32 = 0x56;
    pub const VALUE: u32 = 0x57;
    pub const SUCC_COUNT: u32 = 0x80;
    pub const SUCC_ACTOR: u32 = 0x81;
    pub const SUCC_CTR: u32 = 0x83;
    pub const EXPAND: u32 = 0x94;
    pub const MARK_NAME: u32 = 0xa5;
    pub const OPS: [u32; 16] = [
        OBJ_ACTOR, OBJ_CTR, KEY_ACTOR, KEY_CTR, KEY_STR, ID_ACTOR, ID_CTR, INSERT, ACTION,
        VALUE_META, VALUE, SUCC_COUNT, SUCC_ACTOR, SUCC_CTR, EXPAND, MARK_NAME,
    ];
}

const DEFLATE: u32 = 0b1000;

/// Checks a document chunk (the whole chunk, header included) before Automerge loads it;
/// see the module doc.
pub(crate) fn check(chunk: &[u8]) -> Result<(), Unfit> {
    let mut r = Bytes(chunk);
    r.take(8).ok_or("header")?; // magic, checksum
    if r.byte().ok_or("header")? != 0 {
        return Err("not a document chunk");
    }
    let len = usize::try_from(r.uleb().ok_or("length")?).map_err(|_| "length")?;
    let body = r.take(len).ok_or("length")?;
    if !r.is_empty() {
        return Err("bytes after the chunk");
    }
    let mut r = Bytes(body);
    let actors = r.uleb().ok_or("actors")?;
    if actors > body.len() as u64 {
        return Err("actors");
    }
    for _ in 0..actors {
        r.prefixed().ok_or("actors")?;
    }
    let heads = r.uleb().ok_or("heads")?;
    if heads > body.len() as u64 {
        return Err("heads");
    }
    for _ in 0..heads {
        r.take(32).ok_or("heads")?;
    }
    let change_layout = layout(&mut r, &spec::CHANGES)?;
    let op_layout = layout(&mut r, &spec::OPS)?;
    let mut budget = MAX_INFLATED;
    let changes = columns(&mut r, change_layout, &mut budget)?;
    let ops = columns(&mut r, op_layout, &mut budget)?;
    let changes = Changes::read(&changes, actors)?;
    if !r.is_empty() {
        // The indices of the heads among the changes (absent from old documents).
        for _ in 0..heads {
            let index = r.uleb().ok_or("head indices")?;
            if index >= changes.count() as u64 {
                return Err("head indices");
            }
        }
        if !r.is_empty() {
            return Err("bytes after the head indices");
        }
    }
    let ops = Ops::read(&ops, actors)?;
    covered(&changes, &ops)
}

/// The column list of one set: `(spec, length)` in strictly growing order of spec (deflate
/// bit aside), every spec one Automerge writes.
fn layout(r: &mut Bytes<'_>, known: &[u32]) -> Result<Vec<(u32, usize)>, Unfit> {
    let count = r.uleb().ok_or("columns")?;
    if count > known.len() as u64 {
        return Err("columns");
    }
    let mut out: Vec<(u32, usize)> = Vec::new();
    for _ in 0..count {
        let spec = u32::try_from(r.uleb().ok_or("columns")?).map_err(|_| "columns")?;
        let len = usize::try_from(r.uleb().ok_or("columns")?).map_err(|_| "columns")?;
        if !known.contains(&(spec & !DEFLATE)) {
            return Err("an unknown column");
        }
        if out
            .last()
            .is_some_and(|(s, _)| *s & !DEFLATE >= spec & !DEFLATE)
        {
            return Err("columns out of order");
        }
        out.push((spec, len));
    }
    Ok(out)
}

/// The columns' bytes, inflated where compressed, by spec (deflate bit cleared).
fn columns(
    r: &mut Bytes<'_>,
    layout: Vec<(u32, usize)>,
    budget: &mut usize,
) -> Result<HashMap<u32, Vec<u8>>, Unfit> {
    let mut out = HashMap::new();
    for (spec, len) in layout {
        let data = r.take(len).ok_or("column data")?;
        let bytes = if spec & DEFLATE != 0 {
            let mut inflated = Vec::new();
            flate2::bufread::DeflateDecoder::new(data)
                .take(*budget as u64 + 1)
                .read_to_end(&mut inflated)
                .map_err(|_| "a compressed column")?;
            inflated
        } else {
            data.to_vec()
        };
        *budget = budget.checked_sub(bytes.len()).ok_or("columns too large")?;
        out.insert(spec & !DEFLATE, bytes);
    }
    Ok(out)
}

fn bytes(cols: &HashMap<u32, Vec<u8>>, spec: u32) -> &[u8] {
    cols.get(&spec).map(Vec::as_slice).unwrap_or_default()
}

/// Rows of a column Automerge requires (no default).
fn rows(len: usize, want: usize) -> Result<(), Unfit> {
    if len == want {
        Ok(())
    } else {
        Err("a column of the wrong length")
    }
}

/// Rows of a column Automerge fills with a default when it is absent.
fn rows_or_none(len: usize, want: usize) -> Result<bool, Unfit> {
    match len {
        0 => Ok(false),
        n if n == want => Ok(true),
        _ => Err("a column of the wrong length"),
    }
}

fn load<T: hexane::ColumnValueRef>(data: &[u8], cap: usize) -> Result<Column<T>, Unfit> {
    let col = Column::<T>::load(data).map_err(|_| "a column that does not decode")?;
    if col.len() > cap {
        return Err("too many rows");
    }
    Ok(col)
}

fn load_delta<T: hexane::DeltaValue>(data: &[u8], cap: usize) -> Result<DeltaColumn<T>, Unfit> {
    let col = DeltaColumn::<T>::load(data).map_err(|_| "a column that does not decode")?;
    if col.len() > cap {
        return Err("too many rows");
    }
    Ok(col)
}

fn actor_index(v: u64, actors: u64) -> Result<u32, Unfit> {
    if v < actors {
        u32::try_from(v).map_err(|_| "an actor index out of range")
    } else {
        Err("an actor index out of range")
    }
}

/// Whether the values a value-metadata column describes are exactly `raw`, each readable
/// as its type.
fn values(meta: impl Iterator<Item = u64>, raw: &[u8]) -> Result<(), Unfit> {
    let mut r = Bytes(raw);
    for m in meta {
        let len = usize::try_from(m >> 4).map_err(|_| "a value length")?;
        let value = r.take(len).ok_or("values longer than their column")?;
        let mut v = Bytes(value);
        let fine = match m & 0xf {
            // null, false, true
            0..=2 => value.is_empty(),
            // unsigned
            3 => v.uleb().is_some() && v.is_empty(),
            // signed, counter, timestamp
            4 | 8 | 9 => v.sleb().is_some() && v.is_empty(),
            // float
            5 => len == 8,
            // string
            6 => std::str::from_utf8(value).is_ok(),
            // bytes
            7 => true,
            _ => false,
        };
        if !fine {
            return Err("a value that does not read as its type");
        }
    }
    if r.is_empty() {
        Ok(())
    } else {
        Err("value bytes beyond their column")
    }
}

/// One change's place in the document.
struct ChangeRow {
    actor: u32,
    /// First and last operation counter (`start_op > max_op`: no operations).
    start_op: u64,
    max_op: u64,
}

struct Changes {
    rows: Vec<ChangeRow>,
}

impl Changes {
    fn count(&self) -> usize {
        self.rows.len()
    }

    fn read(cols: &HashMap<u32, Vec<u8>>, actors: u64) -> Result<Changes, Unfit> {
        let actor = load::<u64>(bytes(cols, spec::ACTOR), MAX_CHANGES)?;
        let n = actor.len();
        let seq = load_delta::<u32>(bytes(cols, spec::SEQ), MAX_CHANGES)?;
        let max_op = load_delta::<u32>(bytes(cols, spec::MAX_OP), MAX_CHANGES)?;
        rows(seq.len(), n)?;
        rows(max_op.len(), n)?;
        rows_or_none(
            load_delta::<i64>(bytes(cols, spec::TIME), MAX_CHANGES)?.len(),
            n,
        )?;
        rows_or_none(
            load::<Option<String>>(bytes(cols, spec::MESSAGE), MAX_CHANGES)?.len(),
            n,
        )?;
        let deps_count = load::<u64>(bytes(cols, spec::DEPS_COUNT), MAX_CHANGES)?;
        if n > 0 {
            rows(deps_count.len(), n)?;
        }
        let deps = load_delta::<u32>(bytes(cols, spec::DEPS), MAX_OPS)?;
        let extra_meta = load::<u64>(bytes(cols, spec::EXTRA_META), MAX_CHANGES)?;
        if rows_or_none(extra_meta.len(), n)? {
            values(extra_meta.iter(), bytes(cols, spec::EXTRA))?;
        } else if !bytes(cols, spec::EXTRA).is_empty() {
            return Err("extra bytes without lengths");
        }

        let max_ops: Vec<u64> = max_op.iter().map(u64::from).collect();
        let mut deps = deps.iter();
        let mut next_seq: HashMap<u32, u64> = HashMap::new();
        let mut last_max: HashMap<u32, u64> = HashMap::new();
        let mut rows = Vec::with_capacity(n);
        for (i, ((a, s), count)) in actor
            .iter()
            .zip(seq.iter())
            .zip(deps_count.iter())
            .enumerate()
        {
            let a = actor_index(a, actors)?;
            let expected = next_seq.entry(a).or_insert(1);
            if u64::from(s) != *expected {
                return Err("an actor's changes out of order");
            }
            *expected += 1;
            let mut before = 0;
            for _ in 0..count {
                let d = usize::try_from(deps.next().ok_or("dependencies")?)
                    .map_err(|_| "dependencies")?;
                if d >= i {
                    return Err("a dependency on a later change");
                }
                before = before.max(max_ops[d]);
            }
            let max = max_ops[i];
            if max < before {
                return Err("max_op below a dependency's");
            }
            // Automerge counts a change's operations from its dependencies' highest counter.
            let start_op = before + 1;
            let last = last_max.entry(a).or_insert(0);
            if start_op <= *last || max < *last {
                return Err("an actor's counters overlap");
            }
            *last = max;
            rows.push(ChangeRow {
                actor: a,
                start_op,
                max_op: max,
            });
        }
        if deps.next().is_some() {
            return Err("dependencies without a change");
        }
        Ok(Changes { rows })
    }
}

/// What identifies an operation's place: its object and key (an element or a map key).
#[derive(PartialEq, Eq, Clone)]
struct Place {
    obj: (Option<u64>, Option<u32>),
    key: Key,
}

#[derive(PartialEq, Eq, Clone)]
enum Key {
    Map(Option<String>),
    Elem(Option<u64>, Option<u32>),
}

struct Ops {
    /// Per operation: its place, id and successors.
    places: Vec<Place>,
    ids: Vec<(u32, u32)>,
    succ: Vec<Vec<(u32, u32)>>,
}

impl Ops {
    fn read(cols: &HashMap<u32, Vec<u8>>, actors: u64) -> Result<Ops, Unfit> {
        let id_actor = load::<u64>(bytes(cols, spec::ID_ACTOR), MAX_OPS)?;
        let n = id_actor.len();
        let id_ctr = load_delta::<u32>(bytes(cols, spec::ID_CTR), MAX_OPS)?;
        rows(id_ctr.len(), n)?;
        let obj_actor = load::<Option<u64>>(bytes(cols, spec::OBJ_ACTOR), MAX_OPS)?;
        let obj_ctr = load::<Option<u64>>(bytes(cols, spec::OBJ_CTR), MAX_OPS)?;
        let key_actor = load::<Option<u64>>(bytes(cols, spec::KEY_ACTOR), MAX_OPS)?;
        let key_ctr = load_delta::<Option<u32>>(bytes(cols, spec::KEY_CTR), MAX_OPS)?;
        let key_str = load::<Option<String>>(bytes(cols, spec::KEY_STR), MAX_OPS)?;
        let insert = load::<bool>(bytes(cols, spec::INSERT), MAX_OPS)?;
        let action = load::<u64>(bytes(cols, spec::ACTION), MAX_OPS)?;
        rows(action.len(), n)?;
        let value_meta = load::<u64>(bytes(cols, spec::VALUE_META), MAX_OPS)?;
        rows(value_meta.len(), n)?;
        let succ_count = load::<u64>(bytes(cols, spec::SUCC_COUNT), MAX_OPS)?;
        rows(succ_count.len(), n)?;
        let succ_actor = load::<u64>(bytes(cols, spec::SUCC_ACTOR), MAX_OPS)?;
        let succ_ctr = load_delta::<u32>(bytes(cols, spec::SUCC_CTR), MAX_OPS)?;
        let expand = load::<bool>(bytes(cols, spec::EXPAND), MAX_OPS)?;
        let mark_name = load::<Option<String>>(bytes(cols, spec::MARK_NAME), MAX_OPS)?;
        let has_obj = rows_or_none(obj_actor.len(), n)?;
        if rows_or_none(obj_ctr.len(), n)? != has_obj {
            return Err("an object column without the other");
        }
        let has_key_actor = rows_or_none(key_actor.len(), n)?;
        let has_key_ctr = rows_or_none(key_ctr.len(), n)?;
        let has_key_str = rows_or_none(key_str.len(), n)?;
        rows_or_none(insert.len(), n)?;
        rows_or_none(expand.len(), n)?;
        rows_or_none(mark_name.len(), n)?;
        if action.iter().any(|a| a > 7) {
            return Err("an unknown action");
        }
        values(value_meta.iter(), bytes(cols, spec::VALUE))?;
        let succ_total = succ_count
            .iter()
            .try_fold(0u64, |sum, c| sum.checked_add(c))
            .ok_or("successors")?;
        if succ_total != succ_actor.len() as u64 || succ_total != succ_ctr.len() as u64 {
            return Err("successors");
        }

        let obj_actor: Vec<Option<u64>> = column_or_nulls(has_obj, obj_actor.iter(), n);
        let obj_ctr: Vec<Option<u64>> = column_or_nulls(has_obj, obj_ctr.iter(), n);
        let key_actor: Vec<Option<u64>> = column_or_nulls(has_key_actor, key_actor.iter(), n);
        let key_ctr: Vec<Option<u32>> = column_or_nulls(has_key_ctr, key_ctr.iter(), n);
        let key_str: Vec<Option<String>> =
            column_or_nulls(has_key_str, key_str.iter().map(|s| s.map(str::to_owned)), n);
        let insert: Vec<bool> = if insert.is_empty() {
            vec![false; n]
        } else {
            insert.iter().collect()
        };

        let mut succ_actor = succ_actor.iter();
        let mut succ_ctr = succ_ctr.iter();
        let mut places = Vec::with_capacity(n);
        let mut ids = Vec::with_capacity(n);
        let mut succ = Vec::with_capacity(n);
        for (i, ((a, c), count)) in id_actor
            .iter()
            .zip(id_ctr.iter())
            .zip(succ_count.iter())
            .enumerate()
        {
            let id = (actor_index(a, actors)?, c);
            if c == 0 {
                return Err("an operation counter of 0");
            }
            let obj = match (obj_actor[i], obj_ctr[i]) {
                (None, None) => (None, None),
                (Some(a), Some(c)) if c > 0 && c <= u64::from(u32::MAX) => {
                    actor_index(a, actors)?;
                    (Some(a), Some(c as u32))
                }
                _ => return Err("an object id half there"),
            };
            let key = match (key_actor[i], key_ctr[i], &key_str[i]) {
                (None, None, s) => Key::Map(s.clone()),
                (a, Some(c), None) => {
                    if let Some(a) = a {
                        actor_index(a, actors)?;
                    }
                    Key::Elem(a, Some(c))
                }
                _ => return Err("a key half there"),
            };
            // An inserted element is its own place.
            let key = if insert[i] {
                Key::Elem(Some(u64::from(id.0)), Some(id.1))
            } else {
                key
            };
            let mut mine = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let a = succ_actor.next().ok_or("successors")?;
                let c = succ_ctr.next().ok_or("successors")?;
                mine.push((actor_index(a, actors)?, c));
            }
            places.push(Place { obj, key });
            ids.push(id);
            succ.push(mine);
        }
        Ok(Ops { places, ids, succ })
    }
}

fn column_or_nulls<T: Clone>(
    present: bool,
    values: impl Iterator<Item = Option<T>>,
    n: usize,
) -> Vec<Option<T>> {
    if present {
        values.collect()
    } else {
        vec![None; n]
    }
}

/// Whether the operations fill every change's counters exactly once, as Automerge's
/// change collector claims them: each operation its own id, and, per run of operations at
/// one place, each successor id no operation of that run has (a deletion) once.
fn covered(changes: &Changes, ops: &Ops) -> Result<(), Unfit> {
    // Changes by actor, in counter order (checked in `Changes::read`).
    let mut by_actor: HashMap<u32, Vec<(u64, u64)>> = HashMap::new();
    let mut expected = 0u64;
    for c in &changes.rows {
        if c.start_op <= c.max_op {
            by_actor
                .entry(c.actor)
                .or_default()
                .push((c.start_op, c.max_op));
            expected += c.max_op - c.start_op + 1;
        }
    }
    let within = |(a, c): (u32, u32)| -> bool {
        let c = u64::from(c);
        by_actor.get(&a).is_some_and(|ranges| {
            let i = ranges.partition_point(|(_, max)| *max < c);
            ranges.get(i).is_some_and(|(start, _)| *start <= c)
        })
    };
    let mut claimed: HashSet<(u32, u32)> = HashSet::new();
    let mut claim = |id: (u32, u32)| -> Result<(), Unfit> {
        if !within(id) {
            return Err("an operation outside its change");
        }
        if !claimed.insert(id) {
            return Err("two operations with one id");
        }
        Ok(())
    };
    let mut pending: HashSet<(u32, u32)> = HashSet::new();
    let mut last: Option<&Place> = None;
    for ((place, id), succ) in ops.places.iter().zip(&ops.ids).zip(&ops.succ) {
        if last != Some(place) {
            for d in pending.drain() {
                claim(d)?;
            }
            last = Some(place);
        }
        pending.remove(id);
        claim(*id)?;
        pending.extend(succ.iter().copied());
    }
    for d in pending.drain() {
        claim(d)?;
    }
    if claimed.len() as u64 == expected {
        Ok(())
    } else {
        Err("a change whose operations are missing")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::leb;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};

    fn report_like(deflate: bool) -> Vec<u8> {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "t", ObjType::Text).unwrap();
        for i in 0..200 {
            doc.splice_text(&text, i, 0, "a").unwrap();
            doc.commit();
        }
        let mut other = doc.fork();
        other.splice_text(&text, 1, 20, "ey").unwrap();
        other.put(ROOT, "k", "v").unwrap();
        other.put(ROOT, "n", 3).unwrap();
        other.commit();
        doc.put(ROOT, "k", "w").unwrap();
        let list = doc.put_object(ROOT, "l", ObjType::List).unwrap();
        doc.insert(&list, 0, 1.5).unwrap();
        doc.commit();
        doc.merge(&mut other).unwrap();
        doc.delete(ROOT, "k").unwrap();
        doc.commit();
        doc.save_with_options(automerge::SaveOptions {
            deflate,
            retain_orphans: false,
        })
    }

    #[test]
    fn documents_automerge_saves_pass() {
        for deflate in [false, true] {
            let bytes = report_like(deflate);
            check(&bytes).unwrap();
            check(&AutoCommit::new().save()).unwrap();
        }
    }

    /// A document chunk taken apart: the body up to the column lists, every column as
    /// `(of the operations, spec, data)`, and what follows the columns.
    struct Parts {
        prefix: Vec<u8>,
        cols: Vec<(bool, u32, Vec<u8>)>,
        suffix: Vec<u8>,
    }

    fn parts(doc: &[u8]) -> Parts {
        let mut r = Bytes(doc);
        r.take(9).unwrap();
        let len = r.uleb().unwrap() as usize;
        let body = r.take(len).unwrap();
        let mut r = Bytes(body);
        for _ in 0..r.uleb().unwrap() {
            r.prefixed().unwrap();
        }
        for _ in 0..r.uleb().unwrap() {
            r.take(32).unwrap();
        }
        let prefix = body[..body.len() - r.0.len()].to_vec();
        let change_layout = layout(&mut r, &spec::CHANGES).unwrap();
        let op_layout = layout(&mut r, &spec::OPS).unwrap();
        let mut cols = Vec::new();
        for (ops, l) in [(false, change_layout), (true, op_layout)] {
            for (s, n) in l {
                cols.push((ops, s, r.take(n).unwrap().to_vec()));
            }
        }
        Parts {
            prefix,
            cols,
            suffix: r.0.to_vec(),
        }
    }

    /// One column's data.
    fn column(doc: &[u8], ops: bool, spec: u32) -> Vec<u8> {
        parts(doc)
            .cols
            .into_iter()
            .find(|c| c.0 == ops && c.1 == spec)
            .map(|c| c.2)
            .unwrap_or_default()
    }

    /// `doc` (saved without compression) with one column's data replaced, behind a correct
    /// header: what a hostile member can send.
    fn with_column(doc: &[u8], ops: bool, spec: u32, data: &[u8]) -> Vec<u8> {
        let Parts {
            prefix,
            mut cols,
            suffix,
        } = parts(doc);
        for c in cols.iter_mut().filter(|c| c.0 == ops && c.1 == spec) {
            c.2 = data.to_vec();
        }
        let mut out = prefix;
        for set in [false, true] {
            let mine: Vec<_> = cols.iter().filter(|c| c.0 == set).collect();
            leb(&mut out, mine.len() as u64);
            for (_, s, d) in &mine {
                leb(&mut out, u64::from(*s));
                leb(&mut out, d.len() as u64);
            }
        }
        for (_, _, d) in &cols {
            out.extend(d);
        }
        out.extend(suffix);
        let mut hashed = vec![0u8];
        leb(&mut hashed, out.len() as u64);
        hashed.extend(&out);
        use sha2::Digest;
        let sum = sha2::Sha256::digest(&hashed);
        let mut chunk = doc[..4].to_vec();
        chunk.extend(&sum[..4]);
        chunk.extend(hashed);
        chunk
    }

    /// What Automerge's loader does with `bytes`: `None` for a panic.
    fn automerge_loads(bytes: &[u8]) -> Option<bool> {
        std::panic::catch_unwind(|| automerge::Automerge::load(bytes).is_ok()).ok()
    }

    #[test]
    fn an_unchanged_rewrite_passes() {
        let doc = report_like(false);
        let same = with_column(&doc, true, spec::VALUE, &column(&doc, true, spec::VALUE));
        assert_eq!(same, doc);
    }

    #[test]
    fn values_shorter_than_their_lengths_say_are_refused() {
        let doc = report_like(false);
        let mut value = column(&doc, true, spec::VALUE);
        value.truncate(value.len() - 3);
        let damaged = with_column(&doc, true, spec::VALUE, &value);
        assert_eq!(automerge_loads(&damaged), None, "Automerge panics on these");
        assert_eq!(check(&damaged), Err("values longer than their column"));
    }

    #[test]
    fn a_dependency_on_a_later_change_is_refused() {
        let doc = report_like(false);
        // Dependencies 1, 2, 3, … (one run of +1 deltas): the second change depends on
        // itself, the later ones on changes after them.
        let n = column(&doc, false, spec::DEPS_COUNT);
        let mut deps = Vec::new();
        let count: u64 = Column::<u64>::load(&n).unwrap().iter().sum();
        leb(&mut deps, count);
        deps.push(1);
        let damaged = with_column(&doc, false, spec::DEPS, &deps);
        assert_eq!(check(&damaged), Err("a dependency on a later change"));
        assert_ne!(automerge_loads(&damaged), Some(true));
    }

    #[test]
    fn an_actor_index_past_the_table_is_refused() {
        let doc = report_like(false);
        let ids = Column::<u64>::load(&column(&doc, true, spec::ID_ACTOR)).unwrap();
        // Every operation by actor 9 (the document has two).
        let mut data = Vec::new();
        leb(&mut data, ids.len() as u64);
        data.push(9);
        let damaged = with_column(&doc, true, spec::ID_ACTOR, &data);
        assert_eq!(check(&damaged), Err("an actor index out of range"));
    }

    #[test]
    fn a_run_claiming_billions_of_rows_is_refused_before_it_is_read() {
        let doc = report_like(false);
        let mut data = Vec::new();
        leb(&mut data, 1 << 40);
        data.push(0);
        let damaged = with_column(&doc, true, spec::ACTION, &data);
        assert_eq!(check(&damaged), Err("too many rows"));
    }

    #[test]
    fn a_chunk_with_bytes_after_it_is_refused() {
        let mut bytes = report_like(false);
        bytes.push(0);
        assert!(check(&bytes).is_err());
    }
}

//! Foreign bytes never panic: the browser build aborts on a panic, so whatever another device
//! sends must end in `Ok` or `Err`. Every path bytes from elsewhere take — `Report::admit`,
//! `Report::from_signed`, `Report::load`, `Report::apply` — gets valid
//! bundles of three honest devices, damaged in every way (flipped, inserted, deleted bytes,
//! truncated, spliced, duplicated, attestations changed), arbitrary bytes, and changes a
//! member made up and signed with their own key (they pass the signature check and reach
//! Automerge's decoding and `apply_changes`). What must hold is `foreign::Fixture::check`.
//!
//! Bounded to run in seconds in a debug build; `cargo xtask fuzz` runs the same check for
//! longer (`crates/model/fuzz`).

mod common;
mod foreign;

use automerge::legacy::{Key, ObjectId, OpId, OpType, SortedVec};
use automerge::{ActorId, Change, ChangeHash, ExpandedChange, ScalarValue};
use dreieck_model::trust::{Attestation, SignedChanges};
use foreign::*;
use proptest::prelude::*;

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Edit::Flip { at, mask }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Set { at, byte }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Insert { at, byte }),
        (any::<usize>(), 1..16usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        any::<usize>().prop_map(|at| Edit::Truncate { at }),
        (any::<usize>(), 1..64usize, any::<usize>()).prop_map(|(from, len, at)| Edit::Repeat {
            from,
            len,
            at
        }),
    ]
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Damaged Automerge bytes under the original attestations.
    #[test]
    fn damaged_changes(base in 0..BASES, edits in prop::collection::vec(edit(), 1..4)) {
        let fx = fixture();
        let mut bundle = fx.base(base);
        bundle.changes = edited(&bundle.changes, &edits);
        fx.check(&bundle, Origin::Damaged);
    }

    /// The same, with the chunk headers made right again (lengths and checksums), so the
    /// damage reaches the parsers behind the header.
    #[test]
    fn damaged_changes_behind_good_headers(
        base in 0..BASES,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let fx = fixture();
        let mut bundle = fx.base(base);
        let mut out = Vec::new();
        let mut rest = &bundle.changes[..];
        while let Some((kind, data, tail)) = split_chunk(rest) {
            out.extend(chunk(kind, &edited(data, &edits)));
            rest = tail;
        }
        bundle.changes = out;
        fx.check(&bundle, Origin::Damaged);
    }

    /// Damaged bundle encodings (what storage and the relay carry).
    #[test]
    fn damaged_encodings(base in 0..BASES, edits in prop::collection::vec(edit(), 1..4)) {
        let fx = fixture();
        let bytes = edited(&fx.base(base).encode(), &edits);
        fx.check_raw(&bytes);
    }

    /// Attestations damaged, dropped, doubled, moved to other hashes, taken from another
    /// bundle.
    #[test]
    fn damaged_attestations(
        base in 0..BASES,
        other in 0..BASES,
        how in prop::collection::vec((0..6u8, any::<usize>(), any::<u8>()), 1..4),
    ) {
        let fx = fixture();
        let mut bundle = fx.base(base);
        let donor = fx.base(other);
        for (kind, at, byte) in how {
            let n = bundle.attestations.len();
            match kind {
                0 if n > 0 => bundle.attestations[at % n].signature[at % 64] ^= byte | 1,
                1 if n > 0 => bundle.attestations[at % n].hash.0[at % 32] ^= byte | 1,
                2 if n > 0 => { bundle.attestations.remove(at % n); }
                3 if n > 0 => {
                    let a = bundle.attestations[at % n];
                    bundle.attestations.push(a);
                }
                4 => bundle.attestations.extend(donor.attestations.iter().copied()),
                _ => bundle.attestations.push(Attestation {
                    hash: ChangeHash([byte; 32]),
                    signature: [byte; 64],
                }),
            }
        }
        fx.check(&bundle, Origin::Damaged);
    }

    /// Two bundles spliced at any points, duplicated changes, concatenated encodings.
    #[test]
    fn spliced_and_duplicated(
        a in 0..BASES,
        b in 0..BASES,
        cut_a in any::<usize>(),
        cut_b in any::<usize>(),
        how in 0..3u8,
    ) {
        let fx = fixture();
        let (x, y) = (fx.base(a), fx.base(b));
        let changes = match how {
            0 => {
                let i = cut_a % (x.changes.len() + 1);
                let j = cut_b % (y.changes.len() + 1);
                [&x.changes[..i], &y.changes[j..]].concat()
            }
            1 => [&x.changes[..], &x.changes[..], &y.changes[..]].concat(),
            _ => [&y.changes[..], &x.changes[..]].concat(),
        };
        let mut attestations = x.attestations.clone();
        attestations.extend(y.attestations.iter().copied());
        fx.check(&SignedChanges { changes, attestations }, Origin::Damaged);
        let mut stored = x.encode();
        stored.extend(y.encode());
        let cut = cut_a % (stored.len() + 1);
        fx.check_raw(&stored[..cut]);
    }

    /// Arbitrary bytes, bare and behind the headers of a bundle and of a change chunk.
    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512), kind in 0..4u8) {
        let fx = fixture();
        fx.check_raw(&bytes);
        let resealed = chunk(kind, &bytes);
        fx.check(&signed_by_member(fx, resealed), Origin::SignedByMember);
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Changes a member made up (any operation, anywhere, odd numbers and dependencies),
    /// signed with their own key: they reach `Change::decode`, the rules and, where the rules
    /// let them through, `apply_changes`.
    #[test]
    fn changes_a_member_made_up(choices in prop::collection::vec(any::<u8>(), 0..160)) {
        let fx = fixture();
        let bundle = fx.crafted(&mut Source(&choices));
        fx.check_admit(&bundle, Origin::SignedByMember);
        fx.check_join(&bundle, Origin::SignedByMember);
    }

    /// A member's real keystroke, its bytes changed behind a correct header and signed again.
    #[test]
    fn a_members_change_altered_and_signed_again(
        edits in prop::collection::vec(edit(), 1..4),
        typing in any::<bool>(),
    ) {
        let fx = fixture();
        let base = if typing { &fx.typing } else { &fx.keystroke };
        let mut out = Vec::new();
        let mut rest = &base.changes[..];
        while let Some((kind, data, tail)) = split_chunk(rest) {
            out.extend(chunk(kind, &edited(data, &edits)));
            rest = tail;
        }
        let bundle = signed_by_member(fx, out);
        fx.check_admit(&bundle, Origin::SignedByMember);
        fx.check_join(&bundle, Origin::SignedByMember);
    }
}

// ---- found panics, kept as plain tests --------------------------------------------------

/// The member's next change with `ops`, as Automerge encodes it.
fn members_change(ops: Vec<automerge::legacy::Op>) -> Change {
    let fx = fixture();
    Change::from(ExpandedChange {
        operations: ops,
        actor_id: fx.member_actor.clone(),
        hash: None,
        seq: fx.next_seq,
        start_op: std::num::NonZeroU64::new(fx.next_op).unwrap(),
        time: 0,
        message: None,
        deps: fx.settled.clone(),
        extra_bytes: Vec::new(),
        author: None,
    })
}

/// Fields of a change chunk's data, in order: where the list of other actors starts and
/// ends (the actor table the operations' actor indices point into).
fn other_actors_span(data: &[u8]) -> (usize, usize) {
    fn uleb(d: &[u8], i: &mut usize) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = d[*i];
            *i += 1;
            v |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return v;
            }
        }
    }
    let mut i = 0;
    let deps = uleb(data, &mut i) as usize;
    i += 32 * deps;
    let actor = uleb(data, &mut i) as usize;
    i += actor;
    uleb(data, &mut i); // seq
    uleb(data, &mut i); // start op
    uleb(data, &mut i); // time (signed, same length)
    let message = uleb(data, &mut i) as usize;
    i += message;
    let start = i;
    let others = uleb(data, &mut i);
    for _ in 0..others {
        let len = uleb(data, &mut i) as usize;
        i += len;
    }
    (start, i)
}

#[test]
fn an_operation_naming_an_actor_the_change_does_not_list_is_refused_not_a_panic() {
    let fx = fixture();
    // A keystroke into the person's own words: the operation names the text object, made by
    // another actor, so the change lists that actor. Then the list is emptied: the operation
    // points past the change's actor table. Signed by the member, it passes the signature
    // check; `Change::decode` would panic on it.
    let text = fx
        .objects
        .iter()
        .find(|o| matches!(o, ObjectId::Id(OpId(_, a)) if *a != fx.member_actor))
        .unwrap()
        .clone();
    let change = members_change(vec![automerge::legacy::Op {
        action: OpType::Put(ScalarValue::Str("x".into())),
        obj: text,
        key: Key::Map("k".into()),
        pred: SortedVec::new(),
        insert: false,
    }]);
    let (kind, data) = change_data(&SignedChanges {
        changes: change.raw_bytes().to_vec(),
        attestations: vec![],
    });
    let (start, end) = other_actors_span(&data);
    let mut data = data;
    data.splice(start..end, [0u8]);
    let bytes = chunk(kind, &data);
    let parsed = Change::try_from(&bytes[..]).expect("Automerge parses it");
    assert!(parsed.other_actor_ids().is_empty());
    let bundle = signed_by_member(fx, bytes);
    let mut honest = fx.honest();
    assert!(honest.admit(&bundle).is_err());
    fx.check(&bundle, Origin::SignedByMember);
    // The creation of a report sent to a joining device, damaged alike: `from_signed` reads
    // the creation before any signature.
    let root = fixture_root(fx);
    let (kind, data) = split_chunk(&root).map(|(k, d, _)| (k, d.to_vec())).unwrap();
    let (start, end) = other_actors_span(&data);
    let mut data = data;
    data.splice(start..end, [0u8]);
    let bundle = SignedChanges {
        changes: chunk(kind, &data),
        attestations: vec![],
    };
    assert!(dreieck_model::Report::from_signed(&[bundle], &fx.id).is_err());
}

/// A change with no dependencies and an actor table the operations point past (the creation
/// a joining device reads first).
fn fixture_root(fx: &Fixture) -> Vec<u8> {
    let change = Change::from(ExpandedChange {
        operations: vec![automerge::legacy::Op {
            action: OpType::Put(ScalarValue::Str("x".into())),
            obj: ObjectId::Id(OpId(1, ActorId::from(&[0xee; 8][..]))),
            key: Key::Map("k".into()),
            pred: SortedVec::new(),
            insert: false,
        }],
        actor_id: fx.member_actor.clone(),
        hash: None,
        seq: 1,
        start_op: std::num::NonZeroU64::new(1).unwrap(),
        time: 0,
        message: None,
        deps: vec![],
        extra_bytes: Vec::new(),
        author: None,
    });
    change.raw_bytes().to_vec()
}

#[test]
fn the_valid_bundles_pass_the_check_unchanged() {
    let fx = fixture();
    for n in 0..BASES {
        fx.check(&fx.base(n), Origin::Damaged);
    }
    let mut honest = fx.honest();
    let a = honest.admit(&fx.typing).unwrap();
    assert!(a.refused.is_empty() && a.applied == 4, "{a:?}");
}

#[test]
fn a_counter_beyond_32_bits_is_refused_before_automerge_parses_it() {
    // Automerge's column reader unwraps every operation id into 32 bits (`OpId::new`):
    // `Change::try_from` on these bytes panics. The gate reads the columns first.
    let fx = fixture();
    let text = fx.own_text.clone();
    let change = members_change(vec![automerge::legacy::Op {
        action: OpType::Delete,
        obj: text,
        key: Key::Seq(automerge::legacy::ElementId::Id(fx.own_elems[0].clone())),
        pred: SortedVec::from(vec![OpId(u64::from(u32::MAX) + 5, fx.member_actor.clone())]),
        insert: false,
    }]);
    let bundle = signed_by_member(fx, change.raw_bytes().to_vec());
    let mut honest = fx.honest();
    assert!(honest.admit(&bundle).is_err());
    assert!(dreieck_model::Report::load(&bundle.changes).is_err());
    fx.check(&bundle, Origin::SignedByMember);
}

#[test]
fn a_keystroke_preview_of_such_bytes_is_not_shown_and_does_not_panic() {
    // A peer's keystroke is shown ahead of applying it (`Report::previews`): its change is
    // parsed there too, and must go through the same checks first.
    let fx = fixture();
    let change = members_change(vec![automerge::legacy::Op {
        action: OpType::Delete,
        obj: fx.own_text.clone(),
        key: Key::Seq(automerge::legacy::ElementId::Id(fx.own_elems[0].clone())),
        pred: SortedVec::from(vec![OpId(u64::from(u32::MAX) + 5, fx.member_actor.clone())]),
        insert: false,
    }]);
    let bundle = signed_by_member(fx, change.raw_bytes().to_vec());
    let splice = dreieck_model::live::Splice {
        field: "wuensche".into(),
        pos: 0,
        delete: 1,
        insert: String::new(),
    };
    let item = dreieck_model::live::encode_item(&bundle.encode(), Some((0, &splice)));
    let payload = dreieck_model::live::decode(&item).unwrap();
    let mut honest = fx.honest();
    let heads = honest.heads();
    assert!(honest.previews(&heads, &payload).is_none());
}

/// Automerge's document loader panics on about 2 % of single-bit flips of a report's
/// document chunk behind a correct checksum (a hostile member computes it and signs the
/// result): in hexane (`RawColumnIter::take would cross slab boundary`, an unwrapped
/// `InvalidNumber`, a null in a non-nullable column) and in Automerge's change graph and
/// change collector (indices out of bounds, `assert!(self.data[index].is_none())`). Every
/// path that takes a whole document from elsewhere (`from_signed`, `admit`, `load`, `apply`)
/// checks the chunk first (`trust/document_chunk.rs`). Every seventh bit of the report's
/// document, with compressed columns and without, flipped: refused or read, never a panic;
/// what is read is the members' own changes (`Fixture::check` on every 97th).
#[test]
fn a_damaged_whole_document_behind_a_good_checksum_never_panics() {
    let fx = fixture();
    for whole in [&fx.whole, &fx.whole_plain] {
        let (kind, data, _) = split_chunk(&whole.changes).unwrap();
        for bit in (0..data.len() * 8).step_by(7) {
            let mut damaged = data.to_vec();
            damaged[bit / 8] ^= 1 << (bit % 8);
            let bundle = SignedChanges {
                changes: chunk(kind, &damaged),
                attestations: whole.attestations.clone(),
            };
            if bit % 97 == 0 {
                fx.check(&bundle, Origin::Damaged);
            } else if let Ok((mut report, _)) =
                dreieck_model::Report::from_signed(&[bundle], &fx.id)
            {
                // Whatever was read is the members' own changes, nothing made up.
                assert!(report.heads().iter().all(|h| fx.legit.contains(h)));
            }
        }
    }
}

//! Foreign bytes: three honest devices with valid signed bundles between them, ways to damage
//! those bundles or to craft changes a member signs, and the one check every piece of foreign
//! bytes goes through (`Fixture::check`).
//!
//! Shared by `tests/foreign_bytes.rs` (bounded proptests) and the fuzz target
//! `crates/model/fuzz/fuzz_targets/foreign_bytes.rs`, so both hold the same promises:
//! `Report::admit`, `Report::from_signed`, `Report::load` (stored bundles or plain Automerge
//! bytes) and `Report::apply` return `Ok` or `Err` for any bytes and never panic; what they refuse leaves
//! the honest replica as it was; nothing an honest device did not make gets in unless a member
//! signed it and the rules allow it; and the honest replica syncs normally afterwards.

#![allow(dead_code)]

use std::collections::HashSet;
use std::num::NonZeroU64;
use std::sync::OnceLock;

use automerge::legacy::{ElementId, Key, MarkData, ObjectId, Op, OpId, OpType, SortedVec};
use automerge::{ActorId, Change, ChangeHash, ExpandedChange, ObjType, ScalarValue};
use dreieck_model::trust::{
    Admission, Attestation, Grant, MemberKind, MemberRecord, SignedChanges, CHANGE_DOMAIN,
};
use dreieck_model::{Report, Role};
use ed25519_dalek::{Signer, SigningKey};

use crate::common::members::{invite, settle, sorted, three, Three};
pub use crate::common::members::{key, BENEFICIARY, CASEWORKER, OWNER};
use crate::common::{kvjs, snapshot, T0};

const INVITE_MORE: u8 = 14;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// What a member can do with their own key: attest any change hash (the message the gate
/// verifies: domain ‖ u32 length ‖ report id ‖ hash).
pub fn attest(report_id: &str, hash: ChangeHash, seed: u8) -> Attestation {
    let mut message = CHANGE_DOMAIN.to_vec();
    message.extend_from_slice(&(report_id.len() as u32).to_be_bytes());
    message.extend_from_slice(report_id.as_bytes());
    message.extend_from_slice(&hash.0);
    Attestation {
        hash,
        signature: SigningKey::from_bytes(&[seed; 32])
            .sign(&message)
            .to_bytes(),
    }
}

/// Where a bundle comes from, for what the check may expect of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Damaged or recombined bytes of honest devices, attestations as they came (or damaged):
    /// nothing may be applied that no honest device made.
    Damaged,
    /// Changes a member made up and signed with their own key: the rules decide.
    SignedByMember,
}

/// The honest devices' bundles and states, built once.
pub struct Fixture {
    pub id: String,
    /// The caseworker's device, stored after everybody settled: every case starts from it.
    pub honest_stored: Vec<u8>,
    /// A report from before membership (no owner, no gate), stored.
    pub legacy_stored: Vec<u8>,
    /// Valid bundles to damage: one keystroke of the beneficiary, three keystrokes (one
    /// attestation for the chain), a membership record (an invitation the provider grants),
    /// the provider's whole report (`save_signed`).
    pub keystroke: SignedChanges,
    pub typing: SignedChanges,
    pub membership: SignedChanges,
    pub whole: SignedChanges,
    /// The same document saved without compressed columns: damage to it reaches the column
    /// decoders instead of the inflater.
    pub whole_plain: SignedChanges,
    /// The provider's edit made after everybody settled: what an honest device sends next.
    pub after: SignedChanges,
    pub after_text: String,
    pub after_hashes: HashSet<ChangeHash>,
    /// Every change an honest device made.
    pub legit: HashSet<ChangeHash>,
    /// For changes the beneficiary (a member) crafts: its bound actor, its next number, the
    /// next operation counter and the heads of the settled state.
    pub member_actor: ActorId,
    pub next_seq: u64,
    pub next_op: u64,
    pub settled: Vec<ChangeHash>,
    /// Objects and operations of the settled document (ids to aim crafted operations at).
    pub objects: Vec<ObjectId>,
    pub op_ids: Vec<OpId>,
    /// Map keys worth trying.
    pub names: Vec<String>,
    /// The person's own words (a text the member may write) and its elements.
    pub own_text: ObjectId,
    pub own_elems: Vec<OpId>,
    /// A membership record the beneficiary signs (it may not grant).
    pub record: Vec<u8>,
}

pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build)
}

fn hashes(r: &mut Report) -> HashSet<ChangeHash> {
    r.doc_mut()
        .get_changes(&[])
        .iter()
        .map(|c| c.hash())
        .collect()
}

fn build() -> Fixture {
    let mut t = three();
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte")
        .unwrap();
    let goal = t.provider.add_goal(Role::Provider).unwrap();
    t.provider
        .set_goal_text(Role::Provider, &goal, "Einkaufen")
        .unwrap();
    settle(&mut t);
    let Three {
        mut provider,
        mut caseworker,
        mut beneficiary,
    } = t;
    let settled = sorted(caseworker.heads());
    assert_eq!(settled, sorted(provider.heads()));
    assert_eq!(settled, sorted(beneficiary.heads()));
    let id = provider.id();
    let honest_stored = caseworker.save_signed().encode();

    // What the member crafts against: the settled document as the honest replica has it.
    let member_actor = ActorId::from(hex_bytes(&beneficiary.actor_hex()));
    let changes = caseworker.doc_mut().get_changes(&[]);
    let next_seq = changes
        .iter()
        .filter(|c| *c.actor_id() == member_actor)
        .map(|c| c.seq())
        .max()
        .unwrap()
        + 1;
    let next_op = changes.iter().map(|c| c.max_op()).max().unwrap() + 1;
    let mut objects = vec![ObjectId::Root];
    let mut op_ids = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for c in &changes {
        let expanded = c.decode();
        let start = c.start_op().get();
        for (i, op) in expanded.operations.iter().enumerate() {
            let id = OpId(start + i as u64, c.actor_id().clone());
            if let OpType::Make(_) = op.action {
                objects.push(ObjectId::Id(id.clone()));
            }
            if let Key::Map(k) = &op.key {
                if !names.contains(&k.to_string()) && names.len() < 48 {
                    names.push(k.to_string());
                }
            }
            op_ids.push(id);
        }
    }
    let own_text = match caseworker.text_object("wuensche").unwrap() {
        automerge::ObjId::Id(ctr, actor, _) => ObjectId::Id(OpId(ctr, actor)),
        automerge::ObjId::Root => unreachable!(),
    };
    let mut own_elems = Vec::new();
    for c in &changes {
        let start = c.start_op().get();
        for (i, op) in c.decode().operations.iter().enumerate() {
            if op.obj == own_text && op.insert {
                own_elems.push(OpId(start + i as u64, c.actor_id().clone()));
            }
        }
    }
    // Nothing (yet) under these ids.
    objects.push(ObjectId::Id(OpId(next_op + 1000, member_actor.clone())));
    op_ids.push(OpId(next_op + 1000, member_actor.clone()));
    op_ids.push(OpId(1, ActorId::from(&[0xee; 8][..])));
    names.push(member_actor.to_hex_string());
    names.push(hex(&key(BENEFICIARY).public_key()));
    names.push(hex(&key(66).public_key()));
    let record = MemberRecord::sign(
        &id,
        &Grant {
            kind: MemberKind::Member,
            key: key(66).public_key(),
            role: Role::Caseworker,
            name: "Komplize",
            time_ms: T0,
            expires_ms: None,
            max_uses: 0,
        },
        &key(BENEFICIARY),
    )
    .encode();

    // The honest edit after each case: the provider, reloaded (a new session, a new actor).
    let mut later = Report::load(&provider.save_signed().encode()).unwrap();
    later.add_key(Role::Provider, key(OWNER));
    let after_text = "Frau Träger, danach".to_string();
    later
        .set_text(Role::Provider, "erstellt_von", &after_text)
        .unwrap();
    let after = later.save_after_signed(&settled);
    let after_hashes: HashSet<ChangeHash> = hashes(&mut later)
        .difference(&hashes(&mut caseworker))
        .copied()
        .collect();

    // The bundles to damage.
    beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte reisen")
        .unwrap();
    let keystroke = beneficiary.save_after_signed(&settled);
    for word in [" und", " lesen", "."] {
        let now = beneficiary.text("wuensche").unwrap();
        beneficiary
            .set_text(Role::Beneficiary, "wuensche", &format!("{now}{word}"))
            .unwrap();
    }
    let typing = beneficiary.save_after_signed(&settled);
    invite(&mut provider, INVITE_MORE, Role::Beneficiary, "Noch jemand");
    let membership = provider.save_after_signed(&settled);
    let joined = crate::common::members::sync(&mut beneficiary, &mut provider);
    assert!(joined.refused.is_empty(), "{:?}", joined.refused);
    let whole = provider.save_signed();
    let whole_plain = SignedChanges {
        changes: automerge::Automerge::load(&whole.changes)
            .unwrap()
            .save_with_options(automerge::SaveOptions {
                deflate: false,
                retain_orphans: false,
            }),
        attestations: whole.attestations.clone(),
    };

    let mut legit = hashes(&mut provider);
    legit.extend(hashes(&mut beneficiary));
    legit.extend(hashes(&mut later));
    legit.extend(hashes(&mut caseworker));

    let mut legacy = Report::create(&kvjs(), "r1", T0).unwrap();
    legacy
        .set_text(Role::Provider, "erstellt_von", "Frau Alt")
        .unwrap();

    Fixture {
        id,
        honest_stored,
        legacy_stored: legacy.save(),
        keystroke,
        typing,
        membership,
        whole,
        whole_plain,
        after,
        after_text,
        after_hashes,
        legit,
        member_actor,
        next_seq,
        next_op,
        settled,
        objects,
        op_ids,
        names,
        own_text,
        own_elems,
        record,
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// How many valid bundles [`Fixture::base`] gives.
pub const BASES: u8 = 6;

impl Fixture {
    /// The valid bundles, by number (for the proptests and the fuzz target).
    pub fn base(&self, n: u8) -> SignedChanges {
        match n % BASES {
            0 => self.keystroke.clone(),
            1 => self.typing.clone(),
            2 => self.membership.clone(),
            3 => self.whole.clone(),
            4 => SignedChanges::join([self.membership.clone(), self.typing.clone()]),
            _ => self.whole_plain.clone(),
        }
    }

    /// The honest replica every case starts from.
    pub fn honest(&self) -> Report {
        let mut r = Report::load(&self.honest_stored).unwrap();
        r.add_key(Role::Caseworker, key(CASEWORKER));
        r
    }

    /// Everything foreign bytes can be fed to, and what must hold afterwards.
    pub fn check(&self, bundle: &SignedChanges, origin: Origin) {
        self.check_admit(bundle, origin);
        self.check_gate(origin, |r| r.apply(&bundle.encode()).map(|()| None));
        self.check_join(bundle, origin);
        self.check_stored(&bundle.encode());
        self.check_legacy(&bundle.changes);
    }

    /// `admit` on the honest replica.
    pub fn check_admit(&self, bundle: &SignedChanges, origin: Origin) {
        self.check_gate(origin, |r| r.admit(bundle).map(Some));
    }

    /// Bytes through the gate of the honest replica (`feed`): Ok or Err; a refusal or an
    /// error changes nothing; what was applied is honest (or signed by a member and allowed);
    /// the document still saves and loads; syncing goes on.
    pub fn check_gate(
        &self,
        origin: Origin,
        feed: impl FnOnce(&mut Report) -> dreieck_model::Result<Option<Admission>>,
    ) {
        let mut honest = self.honest();
        let before_heads = sorted(honest.heads());
        let before_hashes = hashes(&mut honest);
        let before_view = snapshot(&honest);
        let result = feed(&mut honest);
        let new: Vec<ChangeHash> = hashes(&mut honest)
            .difference(&before_hashes)
            .copied()
            .collect();
        match &result {
            Err(_) => {
                assert_eq!(
                    sorted(honest.heads()),
                    before_heads,
                    "an error left changes"
                );
                assert!(new.is_empty(), "an error left changes");
                assert!(
                    snapshot(&honest) == before_view,
                    "an error changed the report"
                );
            }
            Ok(admission) => {
                if let Some(a) = admission {
                    assert_eq!(new.len(), a.applied, "{a:?}");
                }
                if new.is_empty() {
                    assert_eq!(sorted(honest.heads()), before_heads);
                    assert!(
                        snapshot(&honest) == before_view,
                        "nothing applied, yet changed"
                    );
                }
                if origin == Origin::Damaged {
                    for h in &new {
                        assert!(self.legit.contains(h), "applied a change nobody made: {h}");
                    }
                }
                if !new.is_empty() {
                    // What got in keeps the document whole: it saves and loads again.
                    let view = snapshot(&honest);
                    let reloaded = Report::load(&honest.save()).expect("reload after admit");
                    assert!(snapshot(&reloaded) == view, "reload differs");
                }
            }
        }
        // The honest devices go on: the provider's next edit arrives and is applied.
        // (A change refused for a missing or wrong signature may be named again: the gate
        // keeps it in case a signed copy comes.)
        let a = honest
            .admit(&self.after)
            .expect("honest sync after foreign bytes");
        assert!(
            a.refused
                .iter()
                .all(|r| !self.after_hashes.contains(&r.change)),
            "honest edit refused: {:?}",
            a.refused
        );
        assert!(a.applied > 0, "{a:?}");
        assert_eq!(honest.text("erstellt_von").unwrap(), self.after_text);
    }

    /// A joining device receives the bytes (alone, and after the real report).
    pub fn check_join(&self, bundle: &SignedChanges, origin: Origin) {
        for bundles in [
            vec![bundle.clone()],
            vec![self.whole.clone(), bundle.clone()],
        ] {
            if let Ok((mut joined, _)) = Report::from_signed(&bundles, &self.id) {
                if origin == Origin::Damaged {
                    for h in hashes(&mut joined) {
                        assert!(self.legit.contains(&h), "joined a change nobody made: {h}");
                    }
                }
                let _ = snapshot(&joined);
            }
        }
    }

    /// Stored bytes (trusted, but possibly damaged): Ok or Err.
    pub fn check_stored(&self, bytes: &[u8]) {
        if let Ok(r) = Report::load(bytes) {
            let _ = snapshot(&r);
        }
        let mut both = self.whole.encode();
        both.extend_from_slice(bytes);
        if let Ok(r) = Report::load(&both) {
            let _ = snapshot(&r);
        }
    }

    /// Plain Automerge bytes: `load`, and `apply`/`admit` on a report from before membership
    /// (where damaged bytes must change nothing).
    pub fn check_legacy(&self, bytes: &[u8]) {
        if let Ok(r) = Report::load(bytes) {
            let _ = snapshot(&r);
        }
        let mut legacy = Report::load(&self.legacy_stored).unwrap();
        let before = sorted(legacy.heads());
        let view = snapshot(&legacy);
        if legacy.apply(bytes).is_err() {
            assert_eq!(
                sorted(legacy.heads()),
                before,
                "a refused apply left changes"
            );
            assert!(snapshot(&legacy) == view);
        } else {
            let _ = snapshot(&legacy);
        }
        let mut legacy = Report::load(&self.legacy_stored).unwrap();
        let bundle = SignedChanges {
            changes: bytes.to_vec(),
            attestations: Vec::new(),
        };
        if legacy.admit(&bundle).is_err() {
            assert_eq!(
                sorted(legacy.heads()),
                before,
                "a refused admit left changes"
            );
        }
    }

    /// Raw bytes from anywhere: as stored bytes, as bundles, as Automerge bytes.
    pub fn check_raw(&self, bytes: &[u8]) {
        self.check_stored(bytes);
        if let Ok(bundles) = SignedChanges::decode_all(bytes) {
            for b in bundles.iter().take(4) {
                self.check_admit(b, Origin::Damaged);
                self.check_join(b, Origin::Damaged);
            }
        }
        let bundle = SignedChanges {
            changes: bytes.to_vec(),
            attestations: Vec::new(),
        };
        self.check_admit(&bundle, Origin::Damaged);
        self.check_join(&bundle, Origin::Damaged);
        self.check_legacy(bytes);
    }
}

// ---- damage ---------------------------------------------------------------------------

/// One edit of a byte string; positions are taken modulo the length.
#[derive(Debug, Clone, Copy)]
pub enum Edit {
    Flip {
        at: usize,
        mask: u8,
    },
    Set {
        at: usize,
        byte: u8,
    },
    Insert {
        at: usize,
        byte: u8,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Truncate {
        at: usize,
    },
    /// Copies `len` bytes from `from` to `at` (inserted).
    Repeat {
        from: usize,
        len: usize,
        at: usize,
    },
}

impl Edit {
    /// Five bytes: kind, a 24-bit position, one argument (the fuzz target's encoding).
    pub fn from_bytes(b: &[u8]) -> Option<Edit> {
        let [kind, p0, p1, p2, arg, ..] = *b else {
            return None;
        };
        let at = usize::from(p0) << 16 | usize::from(p1) << 8 | usize::from(p2);
        Some(match kind % 6 {
            0 => Edit::Flip {
                at,
                mask: arg.max(1),
            },
            1 => Edit::Set { at, byte: arg },
            2 => Edit::Insert { at, byte: arg },
            3 => Edit::Delete {
                at,
                len: usize::from(arg % 16) + 1,
            },
            4 => Edit::Truncate { at },
            _ => Edit::Repeat {
                from: at,
                len: usize::from(arg % 64) + 1,
                at: at.wrapping_mul(31).wrapping_add(usize::from(arg)),
            },
        })
    }

    pub fn apply(self, bytes: &mut Vec<u8>) {
        let n = bytes.len();
        match self {
            Edit::Flip { at, mask } if n > 0 => bytes[at % n] ^= mask,
            Edit::Set { at, byte } if n > 0 => bytes[at % n] = byte,
            Edit::Insert { at, byte } => bytes.insert(at % (n + 1), byte),
            Edit::Delete { at, len } if n > 0 => {
                let at = at % n;
                bytes.drain(at..(at + len).min(n));
            }
            Edit::Truncate { at } => bytes.truncate(at % (n + 1)),
            Edit::Repeat { from, len, at } if n > 0 => {
                let from = from % n;
                let piece: Vec<u8> = bytes[from..(from + len).min(n)].to_vec();
                let at = at % (n + 1);
                bytes.splice(at..at, piece);
            }
            _ => {}
        }
    }
}

pub fn edited(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for e in edits {
        e.apply(&mut out);
    }
    out
}

/// Rewrites every chunk header in `bytes` so that lengths and checksums are right again
/// (as far as the bytes still split into chunks), and returns the chunks.
pub fn reseal(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some((kind, data, tail)) = split_chunk(rest) {
        out.extend(chunk(kind, data));
        rest = tail;
    }
    out.extend_from_slice(rest);
    out
}

/// A chunk with a correct header around `data`: its checksum is the first four bytes of its
/// hash.
pub fn chunk(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&chunk_hash(kind, data).0[..4]);
    out.push(kind);
    uleb(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    out
}

/// The hash of a chunk (of a change: the change's hash) as Automerge computes it: SHA-256
/// over type ‖ uLEB128 length ‖ data. Computed here, not by parsing: Automerge's parser
/// panics on some bytes (that is what the tests are about).
pub fn chunk_hash(kind: u8, data: &[u8]) -> ChangeHash {
    use sha2::{Digest, Sha256};
    let mut head = vec![kind];
    uleb(&mut head, data.len() as u64);
    let mut h = Sha256::new();
    h.update(&head);
    h.update(data);
    ChangeHash(h.finalize().into())
}

/// `(type, data, rest)` of the first chunk, if `bytes` start with one that fits.
pub fn split_chunk(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    if bytes.len() < 9 || bytes[..4] != MAGIC {
        return None;
    }
    let mut len: u64 = 0;
    let mut used = 0;
    for (i, b) in bytes[9..].iter().enumerate().take(10) {
        len |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            used = i + 1;
            break;
        }
    }
    if used == 0 {
        return None;
    }
    let start = 9 + used;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    (end <= bytes.len()).then(|| (bytes[8], &bytes[start..end], &bytes[end..]))
}

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// The member signs whatever change chunks `bytes` hold (each change attested on its own).
pub fn signed_by_member(fx: &Fixture, bytes: Vec<u8>) -> SignedChanges {
    let mut attestations = Vec::new();
    let mut rest = &bytes[..];
    while let Some((kind, data, tail)) = split_chunk(rest) {
        attestations.push(attest(&fx.id, chunk_hash(kind, data), BENEFICIARY));
        rest = tail;
    }
    SignedChanges {
        changes: bytes,
        attestations,
    }
}

/// The data of the single change chunk in a one-change bundle.
pub fn change_data(bundle: &SignedChanges) -> (u8, Vec<u8>) {
    let (kind, data, _) = split_chunk(&bundle.changes).expect("a change chunk");
    (kind, data.to_vec())
}

// ---- crafted changes ------------------------------------------------------------------

/// Reads choices from bytes (zeros once they run out).
pub struct Source<'a>(pub &'a [u8]);

impl Source<'_> {
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        for _ in 0..8 {
            v = v << 8 | u64::from(self.byte());
        }
        v
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        let i = usize::from(self.byte()) << 8 | usize::from(self.byte());
        xs[i % xs.len()].clone()
    }

    fn text(&mut self) -> String {
        let n = self.byte() % 8;
        (0..n)
            .map(|_| match self.byte() % 4 {
                0 => 'ä',
                1 => '\u{1F600}',
                2 => '\n',
                _ => char::from(b'a' + self.byte() % 26),
            })
            .collect()
    }
}

impl Fixture {
    fn scalar(&self, s: &mut Source<'_>) -> ScalarValue {
        match s.byte() % 12 {
            0 => ScalarValue::Str(s.text().into()),
            1 => ScalarValue::Int(s.u64() as i64),
            2 => ScalarValue::Uint(s.u64()),
            3 => ScalarValue::F64(f64::from_bits(s.u64())),
            4 => ScalarValue::counter(s.u64() as i64),
            5 => ScalarValue::Timestamp(s.u64() as i64),
            6 => ScalarValue::Boolean(s.byte().is_multiple_of(2)),
            7 => ScalarValue::Null,
            8 => ScalarValue::Bytes(self.record.clone()),
            9 => ScalarValue::Bytes(key(BENEFICIARY).public_key().to_vec()),
            10 => ScalarValue::Unknown {
                type_code: s.byte() % 8 + 8,
                bytes: vec![s.byte(); usize::from(s.byte() % 4)],
            },
            _ => ScalarValue::Str("2026-01-05".into()),
        }
    }

    fn op(&self, s: &mut Source<'_>, own: &[OpId]) -> Op {
        if s.byte().is_multiple_of(2) {
            // Typing in the member's own words, as a device would (mostly): these pass the
            // gate and reach `apply_changes`.
            let mut elems = self.own_elems.clone();
            elems.extend(own.iter().cloned());
            let at = s.pick(&elems);
            return match s.byte() % 4 {
                0 => Op {
                    action: OpType::Delete,
                    obj: self.own_text.clone(),
                    key: Key::Seq(ElementId::Id(at.clone())),
                    pred: SortedVec::from(vec![at]),
                    insert: false,
                },
                1 => Op {
                    action: OpType::Put(ScalarValue::Str(s.text().into())),
                    obj: self.own_text.clone(),
                    key: Key::Seq(ElementId::Head),
                    pred: SortedVec::new(),
                    insert: true,
                },
                _ => Op {
                    action: OpType::Put(ScalarValue::Str(s.text().into())),
                    obj: self.own_text.clone(),
                    key: Key::Seq(ElementId::Id(at)),
                    pred: SortedVec::new(),
                    insert: true,
                },
            };
        }
        let action = match s.byte() % 12 {
            0 => OpType::Make(ObjType::Map),
            1 => OpType::Make(ObjType::List),
            2 => OpType::Make(ObjType::Text),
            3 => OpType::Make(ObjType::Table),
            4 => OpType::Delete,
            5 => OpType::Increment(s.u64() as i64),
            6 => OpType::MarkBegin(MarkData {
                name: s.text().into(),
                value: self.scalar(s),
                expand: s.byte().is_multiple_of(2),
            }),
            7 => OpType::MarkEnd(s.byte().is_multiple_of(2)),
            _ => OpType::Put(self.scalar(s)),
        };
        let mut ids: Vec<OpId> = self.op_ids.clone();
        ids.extend(own.iter().cloned());
        let mut objects = self.objects.clone();
        objects.extend(own.iter().cloned().map(ObjectId::Id));
        let obj = s.pick(&objects);
        let key = match s.byte() % 4 {
            0 => Key::Seq(ElementId::Head),
            1 => Key::Seq(ElementId::Id(s.pick(&ids))),
            2 => Key::Map(s.text().into()),
            _ => Key::Map(s.pick(&self.names).into()),
        };
        let pred: Vec<OpId> = (0..s.byte() % 3).map(|_| s.pick(&ids)).collect();
        Op {
            action,
            obj,
            key,
            pred: SortedVec::from(pred),
            insert: s.byte().is_multiple_of(3),
        }
    }

    /// One to three changes the member makes up from `s` (numbered, built on each other and
    /// on the settled state, mostly), each signed with the member's key.
    pub fn crafted(&self, s: &mut Source<'_>) -> SignedChanges {
        let mut out = SignedChanges::default();
        let mut deps = self.settled.clone();
        let mut seq = self.next_seq;
        let mut start = self.next_op;
        let mut own: Vec<OpId> = Vec::new();
        for _ in 0..(s.byte() % 3 + 1) {
            let actor = match s.byte() % 16 {
                0 => ActorId::from(&[0xee; 8][..]),
                1 => ActorId::from(&[][..]),
                _ => self.member_actor.clone(),
            };
            let seq_here = match s.byte() % 16 {
                0 => 1,
                1 => seq.saturating_add(1),
                2 => u64::MAX,
                3 => seq.saturating_sub(1),
                _ => seq,
            };
            let start_here = match s.byte() % 16 {
                0 => 1,
                1 => start + 7,
                2 => u64::from(u32::MAX),
                3 => start.saturating_sub(3).max(1),
                _ => start,
            };
            let deps_here = match s.byte() % 16 {
                0 => Vec::new(),
                1 => vec![ChangeHash([s.byte(); 32])],
                2 => {
                    let mut d = deps.clone();
                    d.extend(deps.clone());
                    d
                }
                _ => deps.clone(),
            };
            let n_ops = s.byte() % 5;
            let mut ops = Vec::new();
            for i in 0..n_ops {
                ops.push(self.op(s, &own));
                own.push(OpId(start_here + u64::from(i), actor.clone()));
            }
            let expanded = ExpandedChange {
                operations: ops,
                actor_id: actor,
                hash: None,
                seq: seq_here,
                start_op: NonZeroU64::new(start_here).unwrap(),
                time: match s.byte() % 8 {
                    0 => s.u64() as i64,
                    _ => 1_795_428_000 + i64::from(s.byte()),
                },
                message: (s.byte().is_multiple_of(4)).then(|| s.text()),
                deps: deps_here,
                extra_bytes: Vec::new(),
                author: None,
            };
            let change = Change::from(expanded);
            let hash = change.hash();
            out.changes.extend_from_slice(change.raw_bytes());
            if !s.byte().is_multiple_of(8) {
                out.attestations.push(attest(&self.id, hash, BENEFICIARY));
            }
            deps = vec![hash];
            seq = seq_here.saturating_add(1);
            start = start_here + u64::from(n_ops);
        }
        out
    }
}

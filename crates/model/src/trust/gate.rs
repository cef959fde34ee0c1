//! The one gate for bytes from elsewhere: every change is checked before it is applied.
//!
//! For each change not yet in the document, in causal order:
//! 1. its dependencies and its actor's previous change are here (else it waits, bounded);
//!    a change that builds on a refused one is refused too;
//! 2. its actor is bound to a device key (`keys/<actor>`, written by the actor's first change
//!    and never again) and an attestation by that key vouches for it (see `bundle.rs`);
//! 3. that key is a member — judged on the document as the author could know it, at the
//!    change's dependencies — and was not removed before the change was made;
//! 4. every operation is one the member's role may write (`rules.rs`).
//!
//! The decision depends only on the change and its causal past, never on arrival order, so
//! every honest device decides the same and the replicas stay identical. A refused change is
//! not applied, is remembered (a later copy is refused at once) and named in
//! [`crate::Report::refusals`]; everything else goes on.
//!
//! A change made concurrently with its author's removal (not built on the removal) is
//! accepted: the author could not know. A removed device can pretend not to know; what keeps
//! it out is that the remaining devices move to a new room and key it never learns.

use dreieck_texts::{fill_with, plain::PLAIN, standard::STANDARD, Texts};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{
    ActorId, AutoCommit, Automerge, Change, ChangeHash, LoadOptions, OnPartialLoad, Prop, ReadDoc,
    ScalarValue, VerificationMode,
};

use super::bundle::{automerge_chunks, Attestation, AutomergeChunk, SignedChanges};
use super::records::{change_message, report_id_for, verify, MemberKind, MemberRecord};
use super::roster::{Roster, KEYS, MEMBERS, OWNER, OWNER_NONCE};
use super::rules::{self, Author, Context, Step};
// Declared here (not in `trust/mod.rs`) so that the checks live next to their only callers.
#[path = "document_chunk.rs"]
mod document_chunk;
#[path = "validate.rs"]
mod validate;
use crate::recorded_words::{recorded_at, recording_id, Recorded};
use crate::report::{key, TEXT_ENCODING};
use crate::{ModelError, ParticipantKey, Report, Result, Role};

/// Changes held back for missing predecessors, at most (a flood of unconnected changes must
/// not fill the device's memory).
const MAX_WAITING: usize = 20_000;
/// Refusals kept for showing.
const MAX_REFUSALS: usize = 200;

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalReason {
    /// No attestation of the author's key vouches for it.
    Unsigned,
    /// The attestation does not verify with the key the actor is bound to.
    BadSignature,
    /// The actor is bound to no key, or to a key that is not a member.
    NotAMember,
    /// The author's key was removed before the change was made.
    Removed,
    /// An operation the author's role may not write; what it tried.
    NotPermitted(String),
    /// It builds on a refused change.
    BuildsOnRefused,
    /// The actor already wrote another change with this number (a forged history).
    Conflicting,
    /// Automerge refused it.
    Unreadable,
}

impl RefusalReason {
    /// The reason in German, for the person looking at the report.
    pub fn message(&self) -> String {
        self.words(&STANDARD)
    }

    /// The reason in Leichte Sprache: one short sentence (what exactly was tried stays in the
    /// standard text).
    pub fn plain(&self) -> String {
        self.words(&PLAIN)
    }

    fn words(&self, t: &'static Texts) -> String {
        match self {
            RefusalReason::Unsigned => t.refused_unsigned.into(),
            RefusalReason::BadSignature => t.refused_bad_signature.into(),
            RefusalReason::NotAMember => t.refused_not_member.into(),
            RefusalReason::Removed => t.refused_removed.into(),
            RefusalReason::NotPermitted(what) => {
                fill_with(t.refused_not_permitted, &[("what", what)])
            }
            RefusalReason::BuildsOnRefused => t.refused_builds_on_refused.into(),
            RefusalReason::Conflicting => t.refused_conflicting.into(),
            RefusalReason::Unreadable => t.refused_unreadable.into(),
        }
    }
}

/// One refused change, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub change: ChangeHash,
    /// Who wrote it, as far as known: the member's name and role.
    pub author: Option<(String, Role)>,
    pub reason: RefusalReason,
}

impl Refusal {
    /// "Eine Änderung von … wurde abgelehnt: …"
    pub fn message(&self) -> String {
        let who = match &self.author {
            Some((name, role)) if !name.is_empty() => format!("{name} ({})", role.label()),
            Some((_, role)) => role.label().to_string(),
            None => STANDARD.refused_unknown_device.to_string(),
        };
        fill_with(
            STANDARD.refused_change,
            &[("who", &who), ("why", &self.reason.message())],
        )
    }

    /// The same in Leichte Sprache, a sentence a line: who wanted to change something, and
    /// why it is not in the report. Roles as a person says them (no "Leistungsträger", no
    /// slash).
    pub fn plain_lines(&self) -> [String; 2] {
        let who = match &self.author {
            Some((name, role)) if !name.is_empty() => format!("{name} {}", role.plain_from()),
            Some((_, role)) => fill_with(PLAIN.refused_someone, &[("role", role.plain_from())]),
            None => PLAIN.refused_unknown_device.to_string(),
        };
        [
            fill_with(PLAIN.refused_change, &[("who", &who)]),
            self.reason.plain(),
        ]
    }
}

/// What one call of [`Report::admit`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admission {
    /// Changes applied.
    pub applied: usize,
    /// Changes waiting for predecessors that have not arrived.
    pub waiting: usize,
    /// Changes refused by this call.
    pub refused: Vec<Refusal>,
}

#[derive(Debug, Clone, Copy)]
struct ActorInfo {
    key: [u8; 32],
    role: Role,
}

/// The gate's memory for one report on this device.
#[derive(Default)]
pub(crate) struct TrustState {
    /// This device's keys, by the role it writes in.
    pub(crate) keys: BTreeMap<Role, ParticipantKey>,
    /// Per actor, the attestation of its newest change known (to pass on with it).
    pub(crate) tips: HashMap<ActorId, (u64, Attestation)>,
    /// Actors already judged: their key and role.
    actors: HashMap<ActorId, ActorInfo>,
    /// Per actor, the highest change number in the document (built on first use).
    seqs: Option<HashMap<ActorId, u64>>,
    /// Where each object sits (objects never move).
    paths: HashMap<ObjectId, Vec<Step>>,
    waiting: Vec<Change>,
    waiting_attestations: HashMap<ChangeHash, [u8; 64]>,
    /// Changes a dry run let through for showing ahead, not applied yet (the next keystroke
    /// builds on them); cleared by the next admission, which applies them.
    previewed: Vec<Change>,
    /// Signatures (key, attested change, signature) a dry run verified, so that applying
    /// what was shown ahead does not verify them again; emptied by that admission.
    verified: HashSet<([u8; 32], ChangeHash, [u8; 64])>,
    refused: HashSet<ChangeHash>,
    pub(crate) refusals: Vec<Refusal>,
    /// The owner key once read: it never changes in a document that has one (the rules refuse
    /// rewriting it), and nearly everything asks for it, several times a keystroke.
    owner: std::cell::OnceCell<[u8; 32]>,
    /// Keys bound to actors (`keys/<actor>`), once read: a binding never changes either.
    bound: std::cell::RefCell<HashMap<String, [u8; 32]>>,
    /// The report id once read (the rules refuse rewriting it too); the gate asks for it with
    /// every change it judges.
    pub(crate) id: std::cell::OnceCell<String>,
    /// The layout's objects once looked up: `fields` (under "") and each field's own object.
    /// Made at creation and never replaced (the rules refuse it; without an owner, bytes from
    /// elsewhere forget them), they are read by every view and every keystroke, and a map
    /// lookup in the document walks its columns.
    pub(crate) layout: std::cell::RefCell<HashMap<String, automerge::ObjId>>,
}

impl TrustState {
    /// The document changed outside the gate (a plain apply or merge): count again.
    pub(crate) fn forget_seqs(&mut self) {
        self.seqs = None;
        // Bytes applied without the gate (a report from before membership) may have written
        // anything: read again.
        self.owner.take();
        self.bound.get_mut().clear();
        self.id.take();
        self.layout.get_mut().clear();
    }

    /// No change is held back waiting for predecessors.
    pub(crate) fn waiting_is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

/// Splits Automerge bytes (change chunks and whole documents, in any mixture) into changes,
/// refusing anything unreadable — including changes Automerge would parse, decode or apply
/// only by panicking (`validate.rs`).
pub(crate) fn split_changes(bytes: &[u8]) -> Result<Vec<Change>> {
    let unreadable = |what: &str| {
        ModelError::NotAReport(format!("Die Änderungen lassen sich nicht lesen ({what})."))
    };
    let mut out = Vec::new();
    for chunk in automerge_chunks(bytes) {
        let AutomergeChunk { kind, bytes: chunk } = chunk.map_err(unreadable)?;
        match kind {
            // Compressed changes (2) and bundles (3) are refused: no device of ours makes
            // them, and Automerge's parser must not see what `safe_to_parse` cannot check.
            1 => {
                validate::safe_to_parse(chunk).map_err(unreadable)?;
                out.push(Change::try_from(chunk).map_err(|e| unreadable(&e.to_string()))?);
            }
            0 => {
                document_chunk::check(chunk).map_err(unreadable)?;
                let options = LoadOptions::new()
                    .text_encoding(TEXT_ENCODING)
                    .on_partial_load(OnPartialLoad::Error)
                    .verification_mode(VerificationMode::Check);
                let doc = Automerge::load_with_options(chunk, options)
                    .map_err(|e| unreadable(&e.to_string()))?;
                out.extend(doc.get_changes(&[]));
            }
            _ => return Err(unreadable("Art")),
        }
    }
    for c in &out {
        validate::well_formed(c).map_err(unreadable)?;
    }
    Ok(out)
}

impl Report {
    /// Takes in signed changes from elsewhere (a peer, the relay, a file): every change is
    /// checked by the gate (module doc) and only what passes is applied.
    ///
    /// A report from before membership (no owner) has no gate: its bytes are applied as
    /// [`Report::apply`] does.
    pub fn admit(&mut self, bundle: &SignedChanges) -> Result<Admission> {
        if self.owner_key().is_none() {
            self.apply_plain(&bundle.changes)?;
            return Ok(Admission::default());
        }
        self.commit_pending();
        let incoming = split_changes(&bundle.changes)?;
        for a in &bundle.attestations {
            self.trust.waiting_attestations.insert(a.hash, a.signature);
        }
        let mut batch: Vec<Change> = std::mem::take(&mut self.trust.waiting);
        batch.extend(incoming);
        let before = self.doc.get_heads();
        // Whatever was shown ahead is applied now or taken back by the caller.
        self.trust.previewed.clear();
        let outcome = self.judge(batch);
        self.trust.verified.clear();
        match outcome {
            Ok(admission) => {
                self.trust
                    .waiting_attestations
                    .retain(|h, _| self.trust.waiting.iter().any(|c| c.hash() == *h));
                Ok(admission)
            }
            Err(e) => {
                self.restore_to(&before);
                Err(e)
            }
        }
    }

    /// The refused changes known to this replica, newest last.
    pub fn refusals(&self) -> &[Refusal] {
        &self.trust.refusals
    }

    fn judge(&mut self, batch: Vec<Change>) -> Result<Admission> {
        let mut admission = Admission::default();
        // Deduplicate and drop what the document has.
        let mut by_hash: HashMap<ChangeHash, Change> = HashMap::new();
        for c in batch {
            let h = c.hash();
            if self.has_change(&h) {
                continue;
            }
            if self.trust.refused.contains(&h) {
                continue;
            }
            by_hash.entry(h).or_insert(c);
        }
        if by_hash.is_empty() {
            return Ok(admission);
        }
        self.ensure_seqs();
        let vouched = self.vouchers(&by_hash);

        // Kahn's order over dependencies inside the batch (and the actor's previous change).
        let by_actor_seq: HashMap<(ActorId, u64), ChangeHash> = by_hash
            .values()
            .map(|c| ((c.actor_id().clone(), c.seq()), c.hash()))
            .collect();
        let mut blockers: HashMap<ChangeHash, usize> = HashMap::new();
        let mut dependents: HashMap<ChangeHash, Vec<ChangeHash>> = HashMap::new();
        for c in by_hash.values() {
            let mut n = 0;
            let mut preds: Vec<ChangeHash> = c.deps().to_vec();
            if let Some(prev) = by_actor_seq.get(&(c.actor_id().clone(), c.seq().wrapping_sub(1))) {
                preds.push(*prev);
            }
            preds.sort();
            preds.dedup();
            for d in preds {
                if by_hash.contains_key(&d) {
                    n += 1;
                    dependents.entry(d).or_default().push(c.hash());
                }
            }
            blockers.insert(c.hash(), n);
        }
        let mut ready: VecDeque<ChangeHash> = {
            let mut r: Vec<ChangeHash> = blockers
                .iter()
                .filter(|(_, n)| **n == 0)
                .map(|(h, _)| *h)
                .collect();
            r.sort();
            r.into()
        };
        let mut b = Judging {
            vouched,
            ..Judging::default()
        };
        let mut settled: HashSet<ChangeHash> = HashSet::new();

        while let Some(h) = ready.pop_front() {
            settled.insert(h);
            let Some(c) = by_hash.get(&h) else { continue };
            let verdict = self.judge_one(c, &mut b)?;
            match verdict {
                Verdict::Accept(info) => {
                    let actor = c.actor_id().clone();
                    self.trust.actors.entry(actor.clone()).or_insert(info);
                    if let Some(seqs) = self.trust.seqs.as_mut() {
                        let s = seqs.entry(actor.clone()).or_insert(0);
                        *s = (*s).max(c.seq());
                    }
                    if let Some(sig) = self.trust.waiting_attestations.get(&h) {
                        let better = self
                            .trust
                            .tips
                            .get(&actor)
                            .is_none_or(|(seq, _)| c.seq() > *seq);
                        if better {
                            let att = Attestation {
                                hash: h,
                                signature: *sig,
                            };
                            self.trust.tips.insert(actor, (c.seq(), att));
                        }
                    }
                    b.accepted_set.insert(h);
                    b.accepted.push(c.clone());
                    admission.applied += 1;
                }
                Verdict::Refuse(reason, author) => {
                    let refusal = self.refusal(c, reason, author);
                    self.remember_refusal(refusal.clone());
                    admission.refused.push(refusal);
                }
                Verdict::Wait => continue,
            }
            for d in dependents.get(&h).cloned().unwrap_or_default() {
                if let Some(n) = blockers.get_mut(&d) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        ready.push_back(d);
                    }
                }
            }
        }
        self.flush_accepted(&mut b.accepted)?;
        // What was not settled waits for predecessors (bounded).
        let mut waiting: Vec<Change> = by_hash
            .into_iter()
            .filter(|(h, _)| {
                !b.accepted_set.contains(h)
                    && !self.trust.refused.contains(h)
                    && (!settled.contains(h) || !self.has_change(h))
            })
            .map(|(_, c)| c)
            .collect();
        waiting.truncate(MAX_WAITING);
        admission.waiting = waiting.len();
        self.trust.waiting = waiting;
        Ok(admission)
    }

    fn judge_one(&mut self, c: &Change, b: &mut Judging) -> Result<Verdict> {
        // 1. Predecessors.
        for d in c.deps() {
            if self.trust.refused.contains(d) {
                return Ok(Verdict::Refuse(RefusalReason::BuildsOnRefused, None));
            }
            if !b.accepted_set.contains(d) && !self.has_change(d) {
                return Ok(Verdict::Wait);
            }
        }
        let actor = c.actor_id().clone();
        let have = self.seq_of(&actor);
        if c.seq() <= have {
            return Ok(Verdict::Refuse(RefusalReason::Conflicting, None));
        }
        if c.seq() > have + 1 {
            return Ok(Verdict::Wait);
        }
        // Nothing reaches Automerge's decoding or `apply_changes` that would make it panic or
        // leave a document that does not load again (validate.rs): checked against the
        // document and the changes accepted so far (applied in steps of `validate::PENDING`,
        // which bounds the checking work per change). A dry run keeps no accepted changes: it
        // cannot judge a change built on one it has not applied.
        if !b.dry && b.accepted.len() >= validate::PENDING {
            self.flush_accepted(&mut b.accepted)?;
        }
        match validate::readable(self.doc.document(), &b.accepted, c, have) {
            Ok(true) => {}
            Ok(false) => return Ok(Verdict::Wait),
            Err(_) => return Ok(Verdict::Refuse(RefusalReason::Unreadable, None)),
        }
        let expanded = c.decode();
        let actor_hex = actor.to_hex_string();
        // 2. The key the actor writes for.
        let first = c.seq() == 1;
        let key = if first {
            match self
                .keys_object()
                .and_then(|keys| binding_in(&expanded, &actor_hex, &keys))
            {
                Some(k) => k,
                None => return Ok(Verdict::Refuse(RefusalReason::NotAMember, None)),
            }
        } else {
            match self.trust.actors.get(&actor) {
                Some(info) => info.key,
                None => match self.bound_key(&actor_hex) {
                    Some(k) => k,
                    None => return Ok(Verdict::Refuse(RefusalReason::NotAMember, None)),
                },
            }
        };
        let Some(tip) = b.vouched.get(&c.hash()) else {
            return Ok(Verdict::Refuse(RefusalReason::Unsigned, None));
        };
        let ok = match b.sig_ok.get(tip) {
            Some(ok) => *ok,
            None => {
                let sig = self.trust.waiting_attestations.get(tip).copied();
                let ok = sig.is_some_and(|sig| {
                    // A keystroke shown ahead was verified by the dry run; the same key,
                    // change and signature verify the same way when it is applied.
                    let triple = (key, *tip, sig);
                    if self.trust.verified.contains(&triple) {
                        return true;
                    }
                    let ok = verify(&key, &change_message(&self.id(), &tip.0), &sig);
                    if ok && b.dry {
                        self.trust.verified.insert(triple);
                    }
                    ok
                });
                b.sig_ok.insert(*tip, ok);
                ok
            }
        };
        if !ok {
            return Ok(Verdict::Refuse(RefusalReason::BadSignature, None));
        }
        // 3. Membership as the author could know it.
        let needs_roster = first
            || !self.trust.actors.contains_key(&actor)
            || writes_records(&expanded)
            || b.removes_in_batch
            || self.current_roster_removes(&key);
        if needs_roster && b.dry {
            // A dry run cannot read the document at heads it does not have yet, nor apply
            // what it holds to get there.
            return Ok(Verdict::Wait);
        }
        let mut roster = if needs_roster {
            self.flush_accepted(&mut b.accepted)?;
            let at = self.heads_of(c);
            Some(Roster::read(&self.doc, &self.id(), at))
        } else {
            None
        };
        if let Some(r) = roster.as_mut() {
            if let Some(owner) = self.owner_key() {
                r.set_owner(owner);
            }
            if r.is_removed(&key) {
                return Ok(Verdict::Refuse(RefusalReason::Removed, Some(key)));
            }
        }
        let role = match self.trust.actors.get(&actor) {
            Some(info) if info.key == key => info.role,
            _ => {
                let Some(base) = roster.as_ref() else {
                    return Ok(Verdict::Refuse(RefusalReason::NotAMember, None));
                };
                // A first change may carry the device's own enrolment (joining by invitation);
                // the rules below check that record like any other.
                let mut with_own = base.clone();
                if first {
                    for record in member_records_in(&expanded) {
                        if record.key == key {
                            with_own.add_record(record);
                        }
                    }
                }
                match with_own.role_of(&key) {
                    Some(role) => role,
                    None => return Ok(Verdict::Refuse(RefusalReason::NotAMember, None)),
                }
            }
        };
        // 4. Every operation: first where each lands (this may look into the document),
        // then the rules (which only read the template and the roster).
        let start = c.start_op().get();
        let mut local: HashMap<OpId, (ObjectId, Key)> = HashMap::new();
        let mut paths = Vec::with_capacity(expanded.operations.len());
        for (i, op) in expanded.operations.iter().enumerate() {
            let Some(path) = self.path_of(&op.obj, &b.created, &local, 0) else {
                return Ok(Verdict::Refuse(
                    RefusalReason::NotPermitted("an einer unbekannten Stelle schreiben".into()),
                    Some(key),
                ));
            };
            paths.push(path);
            if let OpType::Make(_) = op.action {
                local.insert(
                    OpId(start + i as u64, actor.clone()),
                    (op.obj.clone(), op.key.clone()),
                );
            }
        }
        let recorded = match self.recordings_touched(c, &expanded, &paths, b)? {
            Some(r) => r,
            None => return Ok(Verdict::Wait),
        };
        let mut roster_for_ops = roster.unwrap_or_default();
        let report_id = self.id();
        let author = Author {
            role,
            key,
            actor_hex: &actor_hex,
            first,
        };
        for (op, path) in expanded.operations.iter().zip(&paths) {
            let mut cx = Context {
                template: &self.template,
                report_id: &report_id,
                roster: &mut roster_for_ops,
                recorded: &recorded,
            };
            if let Err(what) =
                rules::check_op(path, &op.key, &op.action, op.insert, &author, &mut cx)
            {
                return Ok(Verdict::Refuse(
                    RefusalReason::NotPermitted(what),
                    Some(key),
                ));
            }
        }
        b.created.extend(local);
        if paths
            .iter()
            .any(|p| p.first() == Some(&Step::Key(super::roster::REMOVED.to_string())))
        {
            // Later changes of this batch may build on the removal: judge them against the
            // document as their authors knew it.
            b.removes_in_batch = true;
        }
        if writes_records(&expanded) {
            // Membership changed: this device's own right to write is checked again.
            self.acting = None;
        }
        Ok(Verdict::Accept(ActorInfo { key, role }))
    }

    /// Whether `chain` (changes each built on the one before, the first on this document's
    /// heads) would all pass the gate with `attestations` — without applying or remembering
    /// anything: a peer's keystroke is shown ahead of applying it only when it will be applied.
    pub(crate) fn would_admit(&mut self, chain: &[Change], attestations: &[Attestation]) -> bool {
        if !self.is_protected() {
            return true;
        }
        self.commit_pending();
        for a in attestations {
            self.trust.waiting_attestations.insert(a.hash, a.signature);
        }
        self.ensure_seqs();
        let by_hash: HashMap<ChangeHash, Change> =
            chain.iter().map(|c| (c.hash(), c.clone())).collect();
        let mut b = Judging {
            vouched: self.vouchers(&by_hash),
            dry: true,
            ..Judging::default()
        };
        let saved_seqs = self.trust.seqs.clone();
        // Keystrokes shown ahead before and not applied yet: this chain builds on them.
        for c in &self.trust.previewed {
            b.accepted_set.insert(c.hash());
            b.accepted.push(c.clone());
            if let Some(seqs) = self.trust.seqs.as_mut() {
                let s = seqs.entry(c.actor_id().clone()).or_insert(0);
                *s = (*s).max(c.seq());
            }
        }
        let mut ok = true;
        for c in chain {
            match self.judge_one(c, &mut b) {
                Ok(Verdict::Accept(_)) => {
                    b.accepted_set.insert(c.hash());
                    b.accepted.push(c.clone());
                    if let Some(seqs) = self.trust.seqs.as_mut() {
                        seqs.insert(c.actor_id().clone(), c.seq());
                    }
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        self.trust.seqs = saved_seqs;
        if ok {
            self.trust.previewed.extend(chain.iter().cloned());
        }
        ok
    }

    /// Applies the changes accepted so far (before reading the document at their heads).
    fn flush_accepted(&mut self, accepted: &mut Vec<Change>) -> Result<()> {
        if accepted.is_empty() {
            return Ok(());
        }
        let changes = std::mem::take(accepted);
        self.doc.apply_changes(changes)?;
        Ok(())
    }

    fn vouchers(&self, by_hash: &HashMap<ChangeHash, Change>) -> HashMap<ChangeHash, ChangeHash> {
        vouchers(by_hash, &self.trust.waiting_attestations)
    }

    fn ensure_seqs(&mut self) {
        if self.trust.seqs.is_some() {
            return;
        }
        let mut seqs: HashMap<ActorId, u64> = HashMap::new();
        for c in self.doc.get_changes(&[]) {
            let s = seqs.entry(c.actor_id().clone()).or_insert(0);
            *s = (*s).max(c.seq());
        }
        self.trust.seqs = Some(seqs);
    }

    fn seq_of(&self, actor: &ActorId) -> u64 {
        self.trust
            .seqs
            .as_ref()
            .and_then(|s| s.get(actor).copied())
            .unwrap_or(0)
    }

    /// The `keys` map as the change graph names it.
    fn keys_object(&self) -> Option<ObjectId> {
        match self.child(&automerge::ROOT, KEYS, automerge::ObjType::Map)? {
            automerge::ObjId::Id(counter, actor, _) => Some(ObjectId::Id(OpId(counter, actor))),
            automerge::ObjId::Root => None,
        }
    }

    /// The device key `keys/<actor>` names in the document.
    pub(crate) fn bound_key(&self, actor_hex: &str) -> Option<[u8; 32]> {
        if let Some(key) = self.trust.bound.borrow().get(actor_hex) {
            return Some(*key);
        }
        let keys = self.child(&automerge::ROOT, KEYS, automerge::ObjType::Map)?;
        let key: [u8; 32] = match self.doc.get(&keys, actor_hex) {
            Ok(Some((v, _))) => super::roster::bytes_of(&v).and_then(|b| b.try_into().ok())?,
            _ => return None,
        };
        self.trust
            .bound
            .borrow_mut()
            .insert(actor_hex.to_string(), key);
        Some(key)
    }

    /// The owner's public key; `None` for a report from before membership.
    pub fn owner_key(&self) -> Option<[u8; 32]> {
        if let Some(key) = self.trust.owner.get() {
            return Some(*key);
        }
        let all = self.doc.get_all(automerge::ROOT, OWNER).ok()?;
        let key: [u8; 32] = match &all[..] {
            [(v, _)] => super::roster::bytes_of(v).and_then(|b| b.try_into().ok())?,
            _ => return None,
        };
        // Bytes that reach the document past the gate forget it (`TrustState::forget_seqs`).
        let _ = self.trust.owner.set(key);
        Some(key)
    }

    fn current_roster_removes(&self, key: &[u8; 32]) -> bool {
        let Some(removed) = self.child(
            &automerge::ROOT,
            super::roster::REMOVED,
            automerge::ObjType::Map,
        ) else {
            return false;
        };
        self.doc
            .get(&removed, crate::bytes::hex(key))
            .ok()
            .flatten()
            .is_some()
    }

    /// Where `obj` sits: from the objects the batch created, or from the document.
    fn path_of(
        &mut self,
        obj: &ObjectId,
        created: &HashMap<OpId, (ObjectId, Key)>,
        local: &HashMap<OpId, (ObjectId, Key)>,
        depth: usize,
    ) -> Option<Vec<Step>> {
        let ObjectId::Id(id) = obj else {
            return Some(Vec::new());
        };
        if depth > 16 {
            return None;
        }
        if let Some(p) = self.trust.paths.get(obj) {
            return Some(p.clone());
        }
        let made = local.get(id).or_else(|| created.get(id)).cloned();
        let path: Vec<Step> = match made {
            // Made by a change not applied yet: not cached (that change may still be refused,
            // and its objects must not become known places).
            Some((parent, k)) => {
                let mut p = self.path_of(&parent, created, local, depth + 1)?;
                p.push(match k {
                    Key::Map(s) => Step::Key(s.to_string()),
                    Key::Seq(_) => Step::Elem,
                });
                return Some(p);
            }
            None => {
                // Only actors the document knows can have made its objects.
                let exid = self
                    .doc
                    .import_obj(&format!("{}@{}", id.0, id.1.to_hex_string()))
                    .ok()?;
                let parents = self.doc.parents(&exid).ok()?;
                parents
                    .path()
                    .into_iter()
                    .map(|(_, prop)| match prop {
                        Prop::Map(k) => Step::Key(k),
                        Prop::Seq(_) => Step::Elem,
                    })
                    .collect()
            }
        };
        self.trust.paths.insert(obj.clone(), path.clone());
        Some(path)
    }

    /// Where to read the document as `c`'s author knew it: `None` (as it is) in the usual
    /// case — the change builds on exactly what this device has — which costs a fraction of
    /// reading at older heads; else at `c`'s dependencies.
    fn heads_of<'c>(&mut self, c: &'c Change) -> Option<&'c [ChangeHash]> {
        let mut deps = c.deps().to_vec();
        deps.sort();
        let mut heads = self.doc.get_heads();
        heads.sort();
        (deps != heads).then(|| c.deps())
    }

    /// The recordings of the person's words (`recorded_words.rs`) that `c` writes in, as they
    /// stood at its dependencies: whether a recording was confirmed, and by whom it was
    /// written, is part of the document, not of the change. `None`: a dry run cannot read the
    /// document at the change's dependencies, so it waits.
    fn recordings_touched(
        &mut self,
        c: &Change,
        expanded: &automerge::ExpandedChange,
        paths: &[Vec<Step>],
        b: &mut Judging,
    ) -> Result<Option<HashMap<(String, String), Recorded>>> {
        let mut touched: BTreeMap<(String, String), bool> = BTreeMap::new();
        for (op, path) in expanded.operations.iter().zip(paths) {
            let mut keys = path.iter().map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Elem => None,
            });
            let op_key = match &op.key {
                Key::Map(k) => Some(k.to_string()),
                Key::Seq(_) => None,
            };
            let (field, item) = match (keys.next(), keys.next(), keys.next()) {
                (Some(Some(key::OWN_WORDS)), Some(Some(f)), Some(Some(item))) => {
                    (f.to_string(), item.to_string())
                }
                (Some(Some(key::OWN_WORDS)), Some(Some(f)), None) if path.len() == 2 => {
                    match &op_key {
                        Some(item) => (f.to_string(), item.clone()),
                        None => continue,
                    }
                }
                _ => continue,
            };
            let Some(id) = recording_id(&item) else {
                continue;
            };
            let made = path.len() == 2 && matches!(op.action, OpType::Make(_));
            *touched.entry((field, id.to_string())).or_default() |= made;
        }
        if touched.is_empty() {
            return Ok(Some(HashMap::new()));
        }
        if b.dry {
            return Ok(None);
        }
        self.flush_accepted(&mut b.accepted)?;
        let at = self.heads_of(c);
        Ok(Some(
            touched
                .into_iter()
                .map(|((field, id), made)| {
                    let state = match recorded_at(&self.doc, &field, &id, at) {
                        Recorded::Absent if made => Recorded::MadeHere,
                        s => s,
                    };
                    ((field, id), state)
                })
                .collect(),
        ))
    }

    fn refusal(&self, c: &Change, reason: RefusalReason, author: Option<[u8; 32]>) -> Refusal {
        let author = author.and_then(|k| {
            self.roster()
                .members()
                .into_iter()
                .find(|m| m.key == k)
                .map(|m| (m.name, m.role))
        });
        Refusal {
            change: c.hash(),
            author,
            reason,
        }
    }

    fn remember_refusal(&mut self, refusal: Refusal) {
        // A missing or wrong signature is a fault of the copy, not of the change: the same
        // change may still come signed (whoever holds the room key can send a stripped copy
        // first), so it is not held against the change. Every other reason is about the
        // change itself and stays.
        if !matches!(
            refusal.reason,
            RefusalReason::Unsigned | RefusalReason::BadSignature
        ) {
            self.trust.refused.insert(refusal.change);
        }
        if self.trust.refusals.len() >= MAX_REFUSALS {
            self.trust.refusals.remove(0);
        }
        self.trust.refusals.push(refusal);
    }

    /// Back to `heads` after a failed admission (nothing of it stays).
    fn restore_to(&mut self, heads: &[ChangeHash]) {
        let actor = self.doc.get_actor().clone();
        if let Ok(restored) = self.doc.fork_at(heads) {
            self.doc = restored.with_actor(actor);
        }
        self.trust.forget_seqs();
    }

    /// Who is in this report (verified), as the document holds it now.
    pub fn roster(&self) -> Roster {
        let mut roster = Roster::read(&self.doc, &self.id(), None);
        if let Some(owner) = self.owner_key() {
            roster.set_owner(owner);
        }
        roster
    }

    /// The attestations that vouch for every change in `changes` (own changes signed now
    /// with this device's keys, others' passed on as they came).
    pub(crate) fn attest(&mut self, changes: &[u8]) -> Vec<Attestation> {
        let Ok(list) = split_changes(changes) else {
            return Vec::new();
        };
        let mut newest: HashMap<ActorId, (u64, ChangeHash)> = HashMap::new();
        for c in &list {
            let e = newest.entry(c.actor_id().clone()).or_insert((0, c.hash()));
            if c.seq() >= e.0 {
                *e = (c.seq(), c.hash());
            }
        }
        self.attest_newest(newest)
    }

    /// [`Report::attest`] for the changes since `heads`, read from the document (what this
    /// device just made needs no parsing and checking again).
    fn attest_since(&mut self, heads: &[ChangeHash]) -> Vec<Attestation> {
        let mut newest: HashMap<ActorId, (u64, ChangeHash)> = HashMap::new();
        for c in self.doc.get_changes_meta(heads) {
            let e = newest.entry(c.actor.into_owned()).or_insert((0, c.hash));
            if c.seq >= e.0 {
                *e = (c.seq, c.hash);
            }
        }
        self.attest_newest(newest)
    }

    /// Attests the current actor's last change with `key` now and keeps the attestation to
    /// pass on with it, as if it had come from elsewhere: for a change made with a key the
    /// device does not keep (a person's own key, used for one signature and dropped).
    pub(crate) fn attest_with(&mut self, key: &ParticipantKey) {
        let Some(change) = self.doc.get_last_local_change() else {
            return;
        };
        let hash = change.hash();
        let attestation = Attestation {
            hash,
            signature: key.sign(&change_message(&self.id(), &hash.0)),
        };
        self.trust
            .tips
            .insert(change.actor_id().clone(), (change.seq(), attestation));
    }

    fn attest_newest(&mut self, newest: HashMap<ActorId, (u64, ChangeHash)>) -> Vec<Attestation> {
        let report_id = self.id();
        let mut out = Vec::new();
        for (actor, (seq, hash)) in newest {
            let own = self
                .bound_key(&actor.to_hex_string())
                .and_then(|k| self.trust.keys.values().find(|key| key.public_key() == k));
            match own {
                Some(key) => out.push(Attestation {
                    hash,
                    signature: key.sign(&change_message(&report_id, &hash.0)),
                }),
                None => {
                    if let Some((tip_seq, att)) = self.trust.tips.get(&actor) {
                        if *tip_seq >= seq {
                            out.push(*att);
                        }
                    }
                }
            }
        }
        out.sort_by_key(|a| a.hash);
        out
    }

    /// The whole report in its own format without marking anything as stored (for a file).
    pub(crate) fn export_bytes(&mut self) -> Vec<u8> {
        self.commit_pending();
        let changes = self.doc.save();
        if !self.is_protected() {
            return changes;
        }
        let attestations = self.attest(&changes);
        SignedChanges {
            changes,
            attestations,
        }
        .encode()
    }

    /// What storage appends after an edit, signed (see [`Report::save_incremental`]).
    pub fn save_incremental_signed(&mut self) -> SignedChanges {
        let since = self.saved.clone();
        let changes = self.save_incremental_plain();
        let attestations = if changes.is_empty() {
            Vec::new()
        } else {
            self.attest_since(&since)
        };
        SignedChanges {
            changes,
            attestations,
        }
    }

    /// Every change not covered by `heads`, signed: what a peer that has `heads` needs.
    pub fn save_after_signed(&mut self, heads: &[ChangeHash]) -> SignedChanges {
        self.commit_pending();
        let changes = self.doc.save_after(heads);
        let attestations = self.attest(&changes);
        SignedChanges {
            changes,
            attestations,
        }
    }

    /// The whole report, signed: for a snapshot, a file or a compaction.
    pub fn save_signed(&mut self) -> SignedChanges {
        let changes = self.save_plain();
        let attestations = self.attest(&changes);
        SignedChanges {
            changes,
            attestations,
        }
    }

    /// Loads what storage holds: signed bundles (or plain Automerge bytes of a report from
    /// before membership). The device's own storage is trusted; attestations in it are kept to
    /// pass on.
    pub(crate) fn load_signed(bytes: &[u8]) -> Result<Report> {
        let bundles = SignedChanges::decode_all(bytes).map_err(|_| {
            ModelError::NotAReport("Die gespeicherten Daten sind beschädigt.".into())
        })?;
        let joined = SignedChanges::join(bundles);
        let mut report = Report::load_plain(&joined.changes)?;
        report.keep_tips(&joined.attestations);
        Ok(report)
    }

    /// Bytes from elsewhere in the report's format (signed bundles, possibly several in a
    /// row) or plain Automerge bytes (then nothing new is signed and the gate refuses it),
    /// through the gate.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Admission> {
        let bundle = if SignedChanges::looks_like(bytes) {
            SignedChanges::join(SignedChanges::decode_all(bytes).map_err(|_| {
                ModelError::NotAReport("Die empfangenen Änderungen sind beschädigt.".into())
            })?)
        } else {
            SignedChanges {
                changes: bytes.to_vec(),
                attestations: Vec::new(),
            }
        };
        self.admit(&bundle)
    }

    /// Remembers attestations of changes the document holds (to pass on).
    fn keep_tips(&mut self, attestations: &[Attestation]) {
        for a in attestations {
            if let Some(c) = self.doc.get_change_by_hash(&a.hash) {
                let actor = c.actor_id().clone();
                let better = self
                    .trust
                    .tips
                    .get(&actor)
                    .is_none_or(|(s, _)| c.seq() > *s);
                if better {
                    self.trust.tips.insert(actor, (c.seq(), *a));
                }
            }
        }
    }

    /// A report received whole by a device that does not have it (joining, or a file): the
    /// creation must be the owner's, the owner's key must give `expected_id`, and every other
    /// change passes the gate.
    pub fn from_signed(
        bundles: &[SignedChanges],
        expected_id: &str,
    ) -> Result<(Report, Admission)> {
        Report::from_signed_for(bundles, Some(expected_id))
    }

    /// [`Report::from_signed`] for a file, whose report is whatever id its owner's key gives.
    pub(crate) fn from_signed_for(
        bundles: &[SignedChanges],
        expected_id: Option<&str>,
    ) -> Result<(Report, Admission)> {
        let joined = SignedChanges::join(bundles.iter().cloned());
        let changes = split_changes(&joined.changes)?;
        // The same change may come several times (a snapshot and full saves after a relay
        // restart all hold the creation): count each once.
        let mut roots: Vec<&Change> = changes.iter().filter(|c| c.deps().is_empty()).collect();
        roots.sort_by_key(|c| c.hash());
        roots.dedup_by_key(|c| c.hash());
        let [root] = roots[..] else {
            return Err(ModelError::NotAReport(
                "Der Anfang des Berichts fehlt oder ist mehrfach da.".into(),
            ));
        };
        let creation = check_creation(root, &changes, expected_id, &joined.attestations)?;
        let mut doc = AutoCommit::new_with_encoding(TEXT_ENCODING);
        doc.apply_changes(vec![root.clone()])?;
        let mut report = Report::from_doc(doc)?;
        report.trust.actors.insert(
            root.actor_id().clone(),
            ActorInfo {
                key: creation,
                role: report.roster().role_of(&creation).ok_or_else(|| {
                    ModelError::NotAReport("Die Besitzerin des Berichts fehlt.".into())
                })?,
            },
        );
        let rest = SignedChanges {
            changes: joined.changes,
            attestations: joined.attestations,
        };
        report.keep_tips(&rest.attestations);
        let admission = report.admit(&rest)?;
        Ok((report, admission))
    }
}

/// For every change of the batch, the attested change that vouches for it: the newest
/// change of the same actor that builds on it and carries an attestation.
fn vouchers(
    by_hash: &HashMap<ChangeHash, Change>,
    attestations: &HashMap<ChangeHash, [u8; 64]>,
) -> HashMap<ChangeHash, ChangeHash> {
    let mut tips: Vec<(&ChangeHash, &Change)> = by_hash
        .iter()
        .filter(|(h, _)| attestations.contains_key(h))
        .collect();
    // Newest first, so a change is credited to the latest attestation that covers it.
    tips.sort_by(|a, b| b.1.seq().cmp(&a.1.seq()).then(a.0.cmp(b.0)));
    let mut vouched: HashMap<ChangeHash, ChangeHash> = HashMap::new();
    for (tip, tip_change) in tips {
        let actor = tip_change.actor_id();
        let mut stack = vec![*tip];
        let mut seen: HashSet<ChangeHash> = HashSet::new();
        while let Some(h) = stack.pop() {
            if !seen.insert(h) {
                continue;
            }
            let Some(c) = by_hash.get(&h) else { continue };
            if c.actor_id() == actor {
                vouched.entry(h).or_insert(*tip);
            }
            stack.extend(c.deps().iter().copied());
        }
    }
    vouched
}

/// The state of judging one batch.
#[derive(Default)]
struct Judging {
    /// Accepted, not yet applied (applied before the document is read at their heads).
    accepted: Vec<Change>,
    accepted_set: HashSet<ChangeHash>,
    /// Objects made by accepted changes: where they sit.
    created: HashMap<OpId, (ObjectId, Key)>,
    /// For each change, the attested change that vouches for it.
    vouched: HashMap<ChangeHash, ChangeHash>,
    /// Attestations checked, by the attested change.
    sig_ok: HashMap<ChangeHash, bool>,
    /// A dry run: nothing is applied (see `would_admit`).
    dry: bool,
    /// An accepted change of this batch removed somebody.
    removes_in_batch: bool,
}

enum Verdict {
    Accept(ActorInfo),
    /// Refused; the author's key once their signature verified (so a refusal never names
    /// somebody on an unproven claim).
    Refuse(RefusalReason, Option<[u8; 32]>),
    Wait,
}

/// The creation change of an owned report: it names the owner key, the id derived from it,
/// the owner's own membership and the binding of its actor to that key, and the owner's key
/// attests it. Returns the owner key.
fn check_creation(
    root: &Change,
    all: &[Change],
    expected_id: Option<&str>,
    attestations: &[Attestation],
) -> Result<[u8; 32]> {
    let refuse = |why: &str| {
        Err(ModelError::NotAReport(format!(
            "Der Bericht ist nicht echt: {why}."
        )))
    };
    let expanded = root.decode();
    // Objects the creation makes, to follow paths.
    let start = root.start_op().get();
    let mut made: HashMap<OpId, (ObjectId, Key)> = HashMap::new();
    for (i, op) in expanded.operations.iter().enumerate() {
        if let OpType::Make(_) = op.action {
            made.insert(
                OpId(start + i as u64, root.actor_id().clone()),
                (op.obj.clone(), op.key.clone()),
            );
        }
    }
    let root_key = |obj: &ObjectId| -> Option<String> {
        match obj {
            ObjectId::Id(id) => match made.get(id) {
                Some((ObjectId::Root, Key::Map(k))) => Some(k.to_string()),
                _ => None,
            },
            ObjectId::Root => None,
        }
    };
    let mut owner: Option<[u8; 32]> = None;
    let mut nonce: Option<[u8; 16]> = None;
    let mut id: Option<String> = None;
    let mut binding: Option<[u8; 32]> = None;
    let mut records: Vec<MemberRecord> = Vec::new();
    let actor_hex = root.actor_id().to_hex_string();
    for op in &expanded.operations {
        let OpType::Put(value) = &op.action else {
            continue;
        };
        let Key::Map(k) = &op.key else { continue };
        match (&op.obj, k.as_str(), value) {
            (ObjectId::Root, OWNER, ScalarValue::Bytes(b)) => owner = b[..].try_into().ok(),
            (ObjectId::Root, OWNER_NONCE, ScalarValue::Bytes(b)) => nonce = b[..].try_into().ok(),
            (ObjectId::Root, key::REPORT_ID, ScalarValue::Str(s)) => id = Some(s.to_string()),
            (obj, k, ScalarValue::Bytes(b)) => match root_key(obj).as_deref() {
                Some(KEYS) if k == actor_hex => binding = b[..].try_into().ok(),
                Some(MEMBERS) => records.extend(MemberRecord::decode(b)),
                _ => {}
            },
            _ => {}
        }
    }
    let Some(owner) = owner else {
        return refuse("er hat keine Besitzerin");
    };
    let Some(nonce) = nonce else {
        return refuse("seine Kennung ist nicht an die Besitzerin gebunden");
    };
    let derived = report_id_for(&owner, &nonce);
    if id.as_deref() != Some(derived.as_str()) || expected_id.is_some_and(|e| e != derived) {
        return refuse("Kennung und Schlüssel passen nicht zusammen");
    }
    if binding != Some(owner) {
        return refuse("er wurde nicht mit dem Schlüssel der Besitzerin angelegt");
    }
    let self_record = records.iter().any(|r| {
        r.key == owner
            && r.granted_by == owner
            && r.kind == MemberKind::Member
            && r.verifies(&derived)
    });
    if !self_record {
        return refuse("die Mitgliedschaft der Besitzerin fehlt");
    }
    // The owner's attestation of the creation or of a later change of theirs built on it.
    let by_hash: HashMap<ChangeHash, Change> = all.iter().map(|c| (c.hash(), c.clone())).collect();
    let signatures: HashMap<ChangeHash, [u8; 64]> =
        attestations.iter().map(|a| (a.hash, a.signature)).collect();
    let attested = vouchers(&by_hash, &signatures)
        .get(&root.hash())
        .and_then(|tip| signatures.get(tip).map(|sig| (tip, sig)))
        .is_some_and(|(tip, sig)| verify(&owner, &change_message(&derived, &tip.0), sig));
    if !attested {
        return refuse("der Anfang ist nicht von der Besitzerin signiert");
    }
    Ok(owner)
}

/// The key a first change binds its actor to (`keys/<actor>`), read from its operations.
fn binding_in(
    expanded: &automerge::ExpandedChange,
    actor_hex: &str,
    keys: &ObjectId,
) -> Option<[u8; 32]> {
    expanded
        .operations
        .iter()
        .find_map(|op| match (&op.action, &op.key) {
            (OpType::Put(ScalarValue::Bytes(b)), Key::Map(k))
                if op.obj == *keys && k.as_str() == actor_hex =>
            {
                b[..].try_into().ok()
            }
            _ => None,
        })
}

/// Membership records a change writes under `members` (any object, checked by the rules).
fn member_records_in(expanded: &automerge::ExpandedChange) -> Vec<MemberRecord> {
    expanded
        .operations
        .iter()
        .filter_map(|op| match &op.action {
            OpType::Put(ScalarValue::Bytes(b)) if matches!(op.key, Key::Map(_)) => {
                MemberRecord::decode(b)
            }
            _ => None,
        })
        .collect()
}

/// Whether a change writes a membership record, a removal or a room move (the rules then need the
/// roster as the author knew it).
fn writes_records(expanded: &automerge::ExpandedChange) -> bool {
    expanded.operations.iter().any(|op| match &op.action {
        OpType::Put(ScalarValue::Bytes(b)) => {
            MemberRecord::decode(b).is_some()
                || super::records::Removal::decode(b).is_some()
                || super::room_move::RoomMove::decode(b).is_some()
        }
        // The map of room moves, made by the first move.
        OpType::Make(_) => matches!(&op.key, Key::Map(k) if k == super::roster::MOVES),
        _ => false,
    })
}

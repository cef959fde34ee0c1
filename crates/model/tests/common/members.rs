//! Three devices in one protected report, and the moves of a hostile participant among them
//! (shared by the tests of trust inside a report).

use automerge::ChangeHash;
use dreieck_model::trust::{
    self, Decision, InvitationSecret, JoinGrant, JoinRequest, Owner, RefusalReason, SignedChanges,
};
use dreieck_model::*;

use super::{kvjs, T0};

pub fn key(n: u8) -> ParticipantKey {
    ParticipantKey::from_seed(&[n; 32])
}

pub const OWNER: u8 = 1;
pub const CASEWORKER: u8 = 2;
pub const BENEFICIARY: u8 = 3;
pub const INVITE_CASEWORKER: u8 = 12;
pub const INVITE_BENEFICIARY: u8 = 13;

/// Three devices: the provider's (owner), the caseworker's and the beneficiary's, each
/// joined by an invitation of its own.
pub struct Three {
    pub provider: Report,
    pub caseworker: Report,
    pub beneficiary: Report,
}

/// The secret of the invitation link number `n`.
pub fn secret(n: u8) -> InvitationSecret {
    InvitationSecret::from_bytes([n; 32])
}

/// The public key an invitation's record names.
pub fn invitation_key(n: u8) -> [u8; 32] {
    secret(n).record_key().public_key()
}

/// Where the report is shared (the rooms themselves play no part in these tests).
pub fn room() -> trust::RoomKeys {
    trust::RoomKeys {
        room: [5; 16],
        key: [6; 32],
    }
}

/// The provider invites one person in `role` (one device, for a year) with link `invitation`.
pub fn invite(owner: &mut Report, invitation: u8, role: Role, name: &str) {
    owner
        .invite(role, name, &secret(invitation), T0, T0 + YEAR_MS)
        .unwrap();
}

pub const YEAR_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// The inviting device's grant for the device `own` asking with link `invitation`, the
/// devices in `admitted` admitted through it before (panics when it is not admitted).
pub fn admitted(inviter: &Report, invitation: u8, own: u8, admitted: &[[u8; 32]]) -> JoinGrant {
    let request = JoinRequest::sign(&inviter.id(), &secret(invitation), &key(own));
    match inviter.decide_join(&secret(invitation), &request, admitted, T0 + 1, &room()) {
        Decision::Admit(grant) => *grant,
        other => panic!("not admitted: {other:?}"),
    }
}

/// Everything `from` has that `to` lacks, signed, and admitted by `to`.
pub fn sync(from: &mut Report, to: &mut Report) -> trust::Admission {
    let heads = to.heads();
    let bundle = from.save_after_signed(&heads);
    to.admit(&bundle).unwrap()
}

/// A device joining with `invitation`: receives the whole report, is admitted by `owner`,
/// and writes its membership.
pub fn join(owner: &mut Report, invitation: u8, own: u8, name: &str) -> Report {
    let id = owner.id();
    let (mut device, admission) = Report::from_signed(&[owner.save_signed()], &id).unwrap();
    assert!(admission.refused.is_empty(), "{:?}", admission.refused);
    let grant = admitted(owner, invitation, own, &[]);
    assert_eq!(grant.record.name, name);
    device.join(&grant, key(own)).unwrap();
    let admission = sync(&mut device, owner);
    assert!(admission.refused.is_empty(), "{:?}", admission.refused);
    device
}

pub fn three() -> Three {
    three_of(&kvjs())
}

/// [`three`] on another form.
pub fn three_of(template: &Template) -> Three {
    let mut provider = Report::create_owned(
        template,
        Owner {
            key: &key(OWNER),
            role: Role::Provider,
            name: "Frau Träger",
            nonce: [9; 16],
        },
        T0,
    )
    .unwrap();
    invite(
        &mut provider,
        INVITE_CASEWORKER,
        Role::Caseworker,
        "Herr Amt",
    );
    invite(
        &mut provider,
        INVITE_BENEFICIARY,
        Role::Beneficiary,
        "Frau K.",
    );
    let caseworker = join(&mut provider, INVITE_CASEWORKER, CASEWORKER, "Herr Amt");
    let beneficiary = join(&mut provider, INVITE_BENEFICIARY, BENEFICIARY, "Frau K.");
    let mut t = Three {
        provider,
        caseworker,
        beneficiary,
    };
    settle(&mut t);
    t
}

/// Everybody exchanges everything with everybody (honest gossip).
pub fn settle(t: &mut Three) {
    for _ in 0..2 {
        sync(&mut t.provider, &mut t.caseworker);
        sync(&mut t.caseworker, &mut t.provider);
        sync(&mut t.provider, &mut t.beneficiary);
        sync(&mut t.beneficiary, &mut t.provider);
        sync(&mut t.caseworker, &mut t.beneficiary);
        sync(&mut t.beneficiary, &mut t.caseworker);
    }
}

pub fn sorted(mut h: Vec<ChangeHash>) -> Vec<ChangeHash> {
    h.sort();
    h
}

/// A hostile write: the beneficiary's device writes `f` with its own bound actor, bypassing
/// every check of its own setters, and signs it with its own key.
pub fn hostile_bundle(
    device: &mut Report,
    f: impl FnOnce(&mut automerge::AutoCommit),
) -> SignedChanges {
    let heads = device.heads();
    f(device.doc_mut());
    device.doc_mut().commit();
    device.save_after_signed(&heads)
}

/// The beneficiary writes something legitimate first, so its actor is bound to its key.
pub fn bind_beneficiary(t: &mut Three) {
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte")
        .unwrap();
}

/// The map of a goal in a replica's document, to write into it past the setters.
pub fn goal_obj(r: &mut Report, goal: &str) -> automerge::ObjId {
    use automerge::ReadDoc;
    let goals = r
        .doc_mut()
        .get(automerge::ROOT, "goals")
        .unwrap()
        .unwrap()
        .1;
    r.doc_mut().get(&goals, goal).unwrap().unwrap().1
}

pub fn text_obj(r: &Report, field: &str) -> automerge::ObjId {
    r.text_object(field).unwrap()
}

pub fn assert_refused_by_both(
    t: &mut Three,
    bundle: &SignedChanges,
    what: fn(&RefusalReason) -> bool,
) {
    assert_refused_by(
        [
            ("provider", &mut t.provider),
            ("caseworker", &mut t.caseworker),
        ],
        bundle,
        what,
    );
}

/// Each honest device refuses the bundle for the reason `what`, names it, applies nothing
/// of it.
pub fn assert_refused_by<const N: usize>(
    honest_devices: [(&str, &mut Report); N],
    bundle: &SignedChanges,
    what: impl Fn(&RefusalReason) -> bool,
) {
    for (name, honest) in honest_devices {
        let admission = honest.admit(bundle).unwrap();
        assert!(
            admission.refused.iter().any(|r| what(&r.reason)),
            "{name} did not refuse as expected: {:?}",
            admission.refused
        );
        let message = admission.refused[0].message();
        assert!(message.starts_with("Eine Änderung von "), "{message}");
        // Nothing of a refused change is applied.
        for r in &admission.refused {
            assert!(honest.doc_mut().get_change_by_hash(&r.change).is_none());
        }
    }
}

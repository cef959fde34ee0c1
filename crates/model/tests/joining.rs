//! Joining by invitation link: the device that made the invitation admits, by its own clock
//! and count, and every device checks the membership it signs. A holder of the link cannot
//! stretch its limits: not by claiming another time, not by asking at the same moment as
//! another device, not by enrolling itself with the invitation's key.

mod common;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ScalarValue, ROOT};
use common::members::*;
use common::*;
use dreieck_model::trust::{
    Decision, Declined, Grant, JoinGrant, JoinMessage, JoinReply, JoinRequest, MemberKind,
    MemberRecord, Removal,
};
use dreieck_model::*;

const LINK: u8 = 40;
const EXPIRES: i64 = T0 + 1_000;

/// The three devices, and an invitation of the provider's for "Frau Neu" (caseworker).
fn invited() -> Three {
    let mut t = three();
    t.provider
        .invite(Role::Caseworker, "Frau Neu", &secret(LINK), T0, EXPIRES)
        .unwrap();
    t
}

/// A device that has the report as the provider has it now (gathered from its room).
fn newcomer(t: &mut Three) -> Report {
    let id = t.provider.id();
    Report::from_signed(&[t.provider.save_signed()], &id)
        .unwrap()
        .0
}

fn decide(t: &Three, own: u8, admitted: &[[u8; 32]], now: i64) -> Decision {
    let request = JoinRequest::sign(&t.provider.id(), &secret(LINK), &key(own));
    t.provider
        .decide_join(&secret(LINK), &request, admitted, now, &room())
}

#[test]
fn the_invited_device_joins_in_its_role_through_the_rendezvous_messages() {
    let mut t = invited();
    let id = t.provider.id();
    assert!(t
        .provider
        .open_invitations(T0 + 10)
        .iter()
        .any(|i| i.name == "Frau Neu"));
    let mut device = newcomer(&mut t);
    // The request as it travels, and the answer as it travels back.
    let request = JoinRequest::sign(&id, &secret(LINK), &key(50));
    let Some(JoinMessage::Request(heard)) = JoinMessage::decode(&request.encode()) else {
        panic!("the request does not read back");
    };
    let Decision::Admit(grant) =
        t.provider
            .decide_join(&secret(LINK), &heard, &[], T0 + 20, &room())
    else {
        panic!("not admitted");
    };
    let reply = JoinReply::grant(&id, &grant, [77; 32]).unwrap();
    let Some(JoinMessage::Reply(reply)) = JoinMessage::decode(&reply.encode()) else {
        panic!("the reply does not read back");
    };
    // Only the device that asked opens it.
    let inviter = key(OWNER).public_key();
    assert!(reply.open(&id, &secret(LINK), &inviter, &key(51)).is_none());
    assert!(reply
        .open("another report", &secret(LINK), &inviter, &key(50))
        .is_none());
    let opened = reply
        .open(&id, &secret(LINK), &inviter, &key(50))
        .expect("the asking device opens it");
    assert_eq!(opened.room, room());
    assert_eq!(opened.record.name, "Frau Neu");

    assert_eq!(device.join(&opened, key(50)).unwrap(), Role::Caseworker);
    device
        .set_text(Role::Caseworker, "einrichtung_telefon", "07071 999")
        .unwrap_err(); // not a caseworker's field: the setter refuses
    device
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 2, 1)))
        .unwrap();
    for honest in [&mut t.provider, &mut t.beneficiary] {
        let a = sync(&mut device, honest);
        assert!(a.refused.is_empty(), "{:?}", a.refused);
        assert_eq!(
            honest.roster().role_of(&key(50).public_key()),
            Some(Role::Caseworker)
        );
        // Used: no longer open, on every device.
        assert!(!honest
            .open_invitations(T0 + 30)
            .iter()
            .any(|i| i.name == "Frau Neu"));
    }
}

#[test]
fn a_second_device_with_the_same_link_is_declined_even_at_the_same_moment() {
    let mut t = invited();
    // Two devices ask before either has written anything: the inviting device answers one
    // after the other and counts.
    let Decision::Admit(first) = decide(&t, 50, &[], T0 + 20) else {
        panic!("the first is admitted");
    };
    let admitted = [key(50).public_key()];
    assert!(matches!(
        decide(&t, 51, &admitted, T0 + 20),
        Decision::Decline(Declined::UsedUp, _)
    ));
    // The first asks again (its answer was lost): admitted again, nothing used twice.
    assert!(matches!(
        decide(&t, 50, &admitted, T0 + 21),
        Decision::Admit(_)
    ));
    // After the first joined, even an inviting device that lost its count admits nobody more.
    let mut device = newcomer(&mut t);
    device.join(&first, key(50)).unwrap();
    sync(&mut device, &mut t.provider);
    assert!(matches!(
        decide(&t, 51, &[], T0 + 30),
        Decision::Decline(Declined::Withdrawn, _)
    ));
}

#[test]
fn an_expired_invitation_admits_nobody_whatever_the_joining_device_claims() {
    let t = invited();
    assert!(matches!(
        decide(&t, 50, &[], EXPIRES + 1),
        Decision::Decline(Declined::Expired, _)
    ));
    // Before the expiry by the inviting device's clock, admitted.
    assert!(matches!(decide(&t, 50, &[], EXPIRES), Decision::Admit(_)));
}

#[test]
fn a_withdrawn_invitation_admits_nobody() {
    let mut t = invited();
    t.provider
        .remove_member(Role::Provider, &invitation_key(LINK), T0 + 5)
        .unwrap();
    assert!(matches!(
        decide(&t, 50, &[], T0 + 6),
        Decision::Decline(Declined::Withdrawn, _)
    ));
}

#[test]
fn only_the_device_that_made_the_invitation_answers_and_only_genuine_requests() {
    let mut t = invited();
    let id = t.provider.id();
    // The caseworker's device may invite too, but did not make this invitation.
    sync(&mut t.provider, &mut t.caseworker);
    let request = JoinRequest::sign(&id, &secret(LINK), &key(50));
    assert_eq!(
        t.caseworker
            .decide_join(&secret(LINK), &request, &[], T0 + 20, &room()),
        Decision::Ignore
    );
    // A request whose device key was swapped for another (to have the answer sealed to a
    // key of one's own) does not verify.
    let mut swapped = request.clone();
    swapped.device = key(51).public_key();
    assert_eq!(
        t.provider
            .decide_join(&secret(LINK), &swapped, &[], T0 + 20, &room()),
        Decision::Ignore
    );
    // A request made for another invitation, or another report, does not count here.
    let other = JoinRequest::sign(&id, &secret(41), &key(50));
    assert_eq!(
        t.provider
            .decide_join(&secret(LINK), &other, &[], T0 + 20, &room()),
        Decision::Ignore
    );
    // Damaged messages read as nothing.
    let bytes = request.encode();
    for n in 0..bytes.len() {
        assert_eq!(JoinMessage::decode(&bytes[..n]), None);
    }
    assert_eq!(JoinMessage::decode(&[9, 1, 2]), None);
}

/// Whoever holds the link derives the invitation key's secret half: every way of enrolling
/// with it, in time or backdated, is refused by every honest device.
#[test]
fn the_link_holder_cannot_enrol_itself_with_the_invitation_key() {
    for claimed in [T0 + 10, EXPIRES + 5_000, T0 - 5_000] {
        let mut t = invited();
        settle(&mut t);
        let id = t.provider.id();
        let mut hostile = newcomer(&mut t);
        // Its own setter says why.
        let err = hostile
            .enrol(&secret(LINK).record_key(), key(52), "", claimed)
            .unwrap_err();
        assert!(err.to_string().contains("nur über ihren Link"), "{err}");
        // Written anyway.
        let record = MemberRecord::sign(
            &id,
            &Grant {
                kind: MemberKind::Member,
                key: key(52).public_key(),
                role: Role::Caseworker,
                name: "Frau Neu",
                time_ms: claimed,
                expires_ms: None,
                max_uses: 0,
            },
            &secret(LINK).record_key(),
        );
        hostile.add_key(Role::Caseworker, key(52));
        let heads = hostile.heads();
        {
            let actor = hostile.actor_hex();
            let doc = hostile.doc_mut();
            let members = doc.get(ROOT, "members").unwrap().unwrap().1;
            doc.put(
                &members,
                key(52).public_hex(),
                ScalarValue::Bytes(record.encode()),
            )
            .unwrap();
            let keys = doc.get(ROOT, "keys").unwrap().unwrap().1;
            doc.put(
                &keys,
                actor.as_str(),
                ScalarValue::Bytes(key(52).public_key().to_vec()),
            )
            .unwrap();
            doc.commit();
        }
        let bundle = hostile.save_after_signed(&heads);
        for honest in [&mut t.provider, &mut t.caseworker, &mut t.beneficiary] {
            let before = honest.heads();
            let a = honest.admit(&bundle).unwrap();
            assert_eq!(a.refused.len(), 1, "{a:?}");
            assert_eq!(honest.heads(), before);
            assert_eq!(honest.roster().role_of(&key(52).public_key()), None);
        }
    }
}

/// A crafted answer (from someone who holds the link but may not invite, or signed for
/// another role) is refused by the joining device itself, and by every honest device when a
/// hostile build writes it anyway.
#[test]
fn a_grant_from_someone_who_may_not_invite_is_refused() {
    let mut t = invited();
    let id = t.provider.id();
    // The person's own device (a member who may not grant) signs a caseworker membership.
    for signer in [key(BENEFICIARY), key(66)] {
        let record = MemberRecord::sign(
            &id,
            &Grant {
                kind: MemberKind::Member,
                key: key(53).public_key(),
                role: Role::Caseworker,
                name: "Komplize",
                time_ms: T0 + 10,
                expires_ms: None,
                max_uses: 0,
            },
            &signer,
        );
        let grant = JoinGrant {
            room: room(),
            used: Removal::sign(&id, invitation_key(LINK), T0 + 10, &signer),
            record,
        };
        let mut device = newcomer(&mut t);
        let err = device.join(&grant, key(53)).unwrap_err();
        assert!(err.to_string().contains("einladen darf"), "{err}");
    }
    // A genuine grant for another device is of no use to this one.
    let Decision::Admit(grant) = decide(&t, 50, &[], T0 + 20) else {
        panic!("admitted");
    };
    let mut device = newcomer(&mut t);
    assert!(device.join(&grant, key(53)).is_err());
}

/// Anybody holding the link can post in the rendezvous room, and reads the asking device's
/// key there. Answers that do not come from the member who made the invitation (named in
/// the link) are not taken: neither a grant into a room of the poster's choosing nor a
/// refusal that would send the person away. The genuine answer after them is.
#[test]
fn answers_posted_by_other_link_holders_are_not_taken() {
    let t = invited();
    let id = t.provider.id();
    let inviter = key(OWNER).public_key();
    let me = key(50).public_key();
    let mut heard = Vec::new();
    // A stranger and the caseworker (a member who may invite, but did not make this
    // invitation) each seal a grant into a room of their own to the asking key.
    for poser in [key(66), key(CASEWORKER)] {
        let grant = JoinGrant {
            room: trust::RoomKeys {
                room: [66; 16],
                key: [66; 32],
            },
            record: MemberRecord::sign(
                &id,
                &Grant {
                    kind: MemberKind::Member,
                    key: me,
                    role: Role::Caseworker,
                    name: "Frau Neu",
                    time_ms: T0 + 10,
                    expires_ms: None,
                    max_uses: 0,
                },
                &poser,
            ),
            used: Removal::sign(&id, invitation_key(LINK), T0 + 10, &poser),
        };
        heard.push(JoinReply::grant(&id, &grant, [78; 32]).unwrap());
        heard.push(JoinReply::decline(
            &id,
            &secret(LINK),
            me,
            Declined::UsedUp,
            &poser,
        ));
    }
    // The genuine grant with its invitation key's withdrawal swapped for another's.
    let Decision::Admit(genuine) = decide(&t, 50, &[], T0 + 20) else {
        panic!("admitted");
    };
    let mut altered = (*genuine).clone();
    altered.used = Removal::sign(&id, invitation_key(41), T0 + 20, &key(OWNER));
    heard.push(JoinReply::grant(&id, &altered, [79; 32]).unwrap());
    for reply in &heard {
        let reply = match JoinMessage::decode(&reply.encode()) {
            Some(JoinMessage::Reply(r)) => r,
            other => panic!("does not read back: {other:?}"),
        };
        assert_eq!(reply.open(&id, &secret(LINK), &inviter, &key(50)), None);
        assert_eq!(reply.declined(&id, &secret(LINK), &inviter, &me), None);
    }
    // The inviting member's own answers are taken: its grant, and its signed refusal.
    let reply = JoinReply::grant(&id, &genuine, [80; 32]).unwrap();
    assert_eq!(
        reply.open(&id, &secret(LINK), &inviter, &key(50)),
        Some(*genuine)
    );
    let admitted = [key(51).public_key()];
    let Decision::Decline(Declined::UsedUp, refusal) = decide(&t, 50, &admitted, T0 + 20) else {
        panic!("declined");
    };
    let Some(JoinMessage::Reply(refusal)) = JoinMessage::decode(&refusal.encode()) else {
        panic!("does not read back");
    };
    assert_eq!(
        refusal.declined(&id, &secret(LINK), &inviter, &me),
        Some(Declined::UsedUp)
    );
    // Not for another device, and not under another link's secret.
    assert_eq!(
        refusal.declined(&id, &secret(LINK), &inviter, &key(51).public_key()),
        None
    );
    assert_eq!(refusal.declined(&id, &secret(41), &inviter, &me), None);
}

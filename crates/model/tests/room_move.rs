//! After a removal the report moves to a new room and key, sealed to the remaining members'
//! device keys: devices that were offline during the removal follow when they catch up, the
//! removed device can open nothing, and nobody but those who may remove can move the report.

mod common;

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue, ROOT};
use common::members::*;
use common::{d, T0};
use dreieck_model::trust::{RefusalReason, RoomKeys, RoomMove};
use dreieck_model::*;

const STAFF: u8 = 4;
const INVITE_STAFF: u8 = 14;

fn target(n: u8) -> RoomKeys {
    RoomKeys {
        room: [n; 16],
        key: [n.wrapping_add(100); 32],
    }
}

/// The three devices and a second one of the provider's staff.
fn four() -> (Three, Report) {
    let mut t = three();
    invite(&mut t.provider, INVITE_STAFF, Role::Provider, "Herr Zwei");
    let mut staff = join(&mut t.provider, INVITE_STAFF, STAFF, "Herr Zwei");
    settle(&mut t);
    sync(&mut t.provider, &mut staff);
    (t, staff)
}

#[test]
fn a_removal_moves_the_report_and_only_the_remaining_devices_follow() {
    let mut t = three();
    assert!(t.provider.room_move().is_none());
    assert!(!t.provider.room_move_due());
    // The caseworker is offline and writes meanwhile.
    let offline = d(2026, 1, 5);
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(offline))
        .unwrap();
    let removed = key(BENEFICIARY).public_key();
    t.provider
        .remove_member(Role::Provider, &removed, T0 + 10)
        .unwrap();
    assert!(t.provider.room_move_due(), "a removal without a move");
    assert_eq!(t.provider.may_move_as(), Some(Role::Provider));
    t.provider
        .move_room(Role::Provider, &target(1), [42; 32], T0 + 10)
        .unwrap();
    assert!(!t.provider.room_move_due());
    assert_eq!(t.provider.room_target(), Some(target(1)));

    // Back online, the caseworker catches up (in the old room) and finds where to go; its
    // offline work is kept and goes along.
    let a = sync(&mut t.provider, &mut t.caseworker);
    assert!(a.refused.is_empty(), "{a:?}");
    assert_eq!(t.caseworker.room_target(), Some(target(1)));
    let a = sync(&mut t.caseworker, &mut t.provider);
    assert!(a.refused.is_empty(), "{a:?}");
    assert_eq!(
        t.provider.value("gesamtplan_vom").unwrap(),
        FieldValue::Date(Some(offline))
    );

    // The removed device receives the move too and can open none of it, yet it can tell that
    // the room it knows is not the report's room any more.
    sync(&mut t.provider, &mut t.beneficiary);
    let current = t.beneficiary.room_move().expect("the move arrived");
    assert_eq!(t.beneficiary.room_target(), None);
    assert!(current.leads_to(&target(1).room));
    assert!(!current.recipients().any(|k| *k == removed));
    assert_eq!(t.beneficiary.may_move_as(), None);
}

#[test]
fn only_those_who_may_remove_can_move_the_report() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let id = t.provider.id();
    let everyone: Vec<[u8; 32]> = [OWNER, CASEWORKER, BENEFICIARY]
        .iter()
        .map(|n| key(*n).public_key())
        .collect();

    // The beneficiary's own setters refuse…
    let err = t
        .beneficiary
        .move_room(Role::Beneficiary, &target(2), [7; 32], T0 + 5)
        .unwrap_err();
    assert!(matches!(err, ModelError::Membership(_)), "{err}");

    // …and a hostile build that writes a move of its own, signed by its own key, is refused
    // by every honest device.
    let own = RoomMove::seal(
        &id,
        &target(2),
        &everyone,
        [7; 32],
        T0 + 5,
        &key(BENEFICIARY),
    );
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let moves = doc.put_object(ROOT, "moves", ObjType::Map).unwrap();
        doc.put(&moves, own.id(), ScalarValue::Bytes(own.encode()))
            .unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(what) if what.contains("umziehen")),
    );

    // A genuine move signed by the provider, written by the beneficiary's device (copied
    // from elsewhere, or made with a stolen signature): the author is not the signer.
    // (Judged apart from the first attempt, which it would build on.)
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let genuine = RoomMove::seal(&id, &target(3), &everyone, [8; 32], T0 + 6, &key(OWNER));
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let moves = doc.put_object(ROOT, "moves", ObjType::Map).unwrap();
        doc.put(&moves, genuine.id(), ScalarValue::Bytes(genuine.encode()))
            .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });

    for honest in [&t.provider, &t.caseworker] {
        assert!(honest.room_move().is_none());
        assert_eq!(honest.room_target(), None);
    }
}

#[test]
fn a_removed_member_cannot_move_the_report() {
    let (mut t, mut staff) = four();
    let id = t.provider.id();
    // Staff writes something so its actor is bound, then is removed by the provider.
    staff
        .set_text(Role::Provider, "anmerkungen_einrichtung", "x")
        .unwrap();
    sync(&mut staff, &mut t.provider);
    t.provider
        .remove_member(Role::Provider, &key(STAFF).public_key(), T0 + 20)
        .unwrap();
    sync(&mut t.provider, &mut staff);
    settle(&mut t);

    // The removed device's setters refuse; a hostile build is refused by every honest device.
    assert!(staff
        .move_room(Role::Provider, &target(4), [9; 32], T0 + 21)
        .is_err());
    let record = RoomMove::seal(
        &id,
        &target(4),
        &[key(STAFF).public_key()],
        [9; 32],
        T0 + 21,
        &key(STAFF),
    );
    let bundle = hostile_bundle(&mut staff, |doc| {
        let moves = doc.put_object(ROOT, "moves", ObjType::Map).unwrap();
        doc.put(&moves, record.id(), ScalarValue::Bytes(record.encode()))
            .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| *r == RefusalReason::Removed);
    assert!(t.provider.room_move().is_none());
}

#[test]
fn a_damaged_or_misfiled_move_is_refused() {
    let id = three().provider.id();
    // The provider's genuine move under the wrong map key, or with a flipped byte.
    let everyone = [key(OWNER).public_key(), key(CASEWORKER).public_key()];
    let genuine = RoomMove::seal(&id, &target(5), &everyone, [10; 32], T0 + 22, &key(OWNER));
    let mut damaged = genuine.encode();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    for (map_key, bytes) in [
        ("0000".to_string(), genuine.encode()),
        (genuine.id(), damaged),
    ] {
        let mut t = three();
        let heads = t.provider.heads();
        let doc = t.provider.doc_mut();
        let moves = doc.put_object(ROOT, "moves", ObjType::Map).unwrap();
        doc.put(&moves, map_key, ScalarValue::Bytes(bytes)).unwrap();
        doc.commit();
        let bundle = t.provider.save_after_signed(&heads);
        let a = t.caseworker.admit(&bundle).unwrap();
        assert!(
            a.refused
                .iter()
                .any(|r| matches!(&r.reason, RefusalReason::NotPermitted(w) if w.contains("unlesbaren Umzug") || w.contains("umziehen"))),
            "{a:?}"
        );
        assert!(t.caseworker.room_move().is_none());
    }
}

#[test]
fn concurrent_removals_leave_a_stale_move_that_the_next_move_replaces() {
    let (mut t, mut staff) = four();
    let staff_key = key(STAFF).public_key();
    let beneficiary = key(BENEFICIARY).public_key();
    // Offline from each other: the provider removes the beneficiary and moves; the
    // caseworker removes the second staff member and moves a moment later.
    t.provider
        .remove_member(Role::Provider, &beneficiary, T0 + 30)
        .unwrap();
    t.provider
        .move_room(Role::Provider, &target(6), [11; 32], T0 + 30)
        .unwrap();
    t.caseworker
        .remove_member(Role::Caseworker, &staff_key, T0 + 31)
        .unwrap();
    t.caseworker
        .move_room(Role::Caseworker, &target(7), [12; 32], T0 + 31)
        .unwrap();
    settle(&mut t);
    // Both devices pick the same move, the later one; it was sealed to the beneficiary, who
    // is removed by now: stale.
    for r in [&t.provider, &t.caseworker] {
        assert!(r.room_move().unwrap().leads_to(&target(7).room));
        assert!(r.room_move_due());
    }
    t.provider
        .move_room(Role::Provider, &target(8), [13; 32], T0 + 40)
        .unwrap();
    settle(&mut t);
    sync(&mut t.provider, &mut staff);
    assert!(!t.provider.room_move_due());
    assert_eq!(t.provider.room_target(), Some(target(8)));
    assert_eq!(t.caseworker.room_target(), Some(target(8)));
    assert_eq!(t.beneficiary.room_target(), None);
    assert_eq!(staff.room_target(), None);
}

/// A move, once written, stays: a member who may move the report (the caseworker) can neither
/// delete the current move nor the map of moves, nor write another record under its key, to
/// send the remaining devices back to a room the removed device still reads.
#[test]
fn nobody_deletes_or_overwrites_a_move() {
    let moved = || {
        let (mut t, mut staff) = four();
        t.provider
            .remove_member(Role::Provider, &key(BENEFICIARY).public_key(), T0 + 30)
            .unwrap();
        t.provider
            .move_room(Role::Provider, &target(6), [11; 32], T0 + 30)
            .unwrap();
        settle(&mut t);
        sync(&mut t.provider, &mut staff);
        (t, staff)
    };
    let (t, _) = moved();
    let genuine_id = t.provider.room_move().unwrap().id();
    let everyone = [key(OWNER).public_key(), key(CASEWORKER).public_key()];
    let other = RoomMove::seal(
        &t.provider.id(),
        &target(9),
        &everyone,
        [12; 32],
        T0 + 31,
        &key(CASEWORKER),
    );
    type Attack = Box<dyn Fn(&mut automerge::AutoCommit, &automerge::ObjId)>;
    let attacks: [(&str, Attack, &str); 3] = [
        (
            "the move deleted",
            Box::new({
                let k = genuine_id.clone();
                move |doc, moves| doc.delete(moves, k.as_str()).unwrap()
            }),
            "Umzug des Berichts löschen",
        ),
        (
            "the map of moves deleted",
            Box::new(|doc, _| doc.delete(ROOT, "moves").unwrap()),
            "",
        ),
        (
            "another record under the move's key",
            Box::new({
                let k = genuine_id.clone();
                let bytes = other.encode();
                move |doc, moves| {
                    doc.put(moves, k.as_str(), ScalarValue::Bytes(bytes.clone()))
                        .unwrap()
                }
            }),
            "unlesbaren Umzug",
        ),
    ];
    for (what, attack, why) in attacks {
        let (mut t, mut staff) = moved();
        let bundle = hostile_bundle(&mut t.caseworker, |doc| {
            let moves = doc.get(ROOT, "moves").unwrap().unwrap().1;
            attack(doc, &moves)
        });
        assert_refused_by(
            [("provider", &mut t.provider), ("staff", &mut staff)],
            &bundle,
            |r| matches!(r, RefusalReason::NotPermitted(m) if m.contains(why)),
        );
        for honest in [&t.provider, &staff] {
            assert_eq!(honest.room_target(), Some(target(6)), "{what}");
        }
    }
}

/// Two devices move the report at the same time, each before it has seen the other's move.
/// The provider's device follows its own move; the caseworker's, which has both, follows the
/// later one and leaves that move in the room of the other: from there the provider's device
/// follows it too, and every device ends in one room.
#[test]
fn concurrent_moves_end_in_one_room_through_the_move_left_behind() {
    let (mut t, mut staff) = four();
    let beneficiary = key(BENEFICIARY).public_key();
    // Both remove the person, each with a move of its own (the provider a moment earlier).
    t.provider
        .remove_member(Role::Provider, &beneficiary, T0 + 30)
        .unwrap();
    t.provider
        .move_room(Role::Provider, &target(6), [11; 32], T0 + 30)
        .unwrap();
    t.caseworker
        .remove_member(Role::Caseworker, &beneficiary, T0 + 31)
        .unwrap();
    t.caseworker
        .move_room(Role::Caseworker, &target(7), [12; 32], T0 + 31)
        .unwrap();
    // The old room gets the provider's move first; the provider's device leaves it with only
    // its own move known, and the second staff device follows it there.
    sync(&mut t.provider, &mut staff);
    assert_eq!(t.provider.room_target(), Some(target(6)));
    assert_eq!(staff.room_target(), Some(target(6)));
    // The caseworker's device, still in the old room, has both: its own is the later one.
    sync(&mut t.provider, &mut t.caseworker);
    assert_eq!(t.caseworker.room_target(), Some(target(7)));
    assert_eq!(t.caseworker.rooms_left_behind(&[]), vec![target(6)]);
    let left = t.caseworker.room_move().unwrap().encode();

    // In room 6, the move left behind reaches the provider's and the staff device.
    for device in [&mut t.provider, &mut staff] {
        let pointer = device.check_move(&left).expect("a genuine move counts");
        assert_eq!(
            device.room_target_with(std::slice::from_ref(&pointer)),
            Some(target(7))
        );
        // Once there, the document brings the move itself, and nothing points back.
        sync(&mut t.caseworker, device);
        assert_eq!(device.room_target(), Some(target(7)));
        assert_eq!(device.room_target_with(&[pointer]), Some(target(7)));
    }
    // The removed person's device can open neither.
    sync(&mut t.provider, &mut t.beneficiary);
    assert_eq!(t.beneficiary.room_target_with(&[]), None);
    assert_eq!(
        t.beneficiary
            .check_move(&left)
            .and_then(|m| t.beneficiary.room_target_with(&[m])),
        None
    );
}

/// A pointer is bytes from elsewhere: only a genuine move of this report, signed by someone
/// who may move it, counts; a damaged one, one of another report, or one signed by a member
/// who may not move the report does not.
#[test]
fn a_move_left_behind_counts_only_when_genuine() {
    let mut t = three();
    let id = t.provider.id();
    let everyone = [key(OWNER).public_key(), key(CASEWORKER).public_key()];
    let genuine = RoomMove::seal(&id, &target(5), &everyone, [10; 32], T0 + 22, &key(OWNER));
    assert!(t.caseworker.check_move(&genuine.encode()).is_some());
    let mut damaged = genuine.encode();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    let elsewhere = RoomMove::seal(
        "anderer",
        &target(5),
        &everyone,
        [10; 32],
        T0 + 22,
        &key(OWNER),
    );
    let by_the_person = RoomMove::seal(
        &id,
        &target(5),
        &everyone,
        [10; 32],
        T0 + 22,
        &key(BENEFICIARY),
    );
    for (what, bytes) in [
        ("damaged", damaged),
        ("another report's", elsewhere.encode()),
        ("signed by the person", by_the_person.encode()),
        ("not a move at all", b"hallo".to_vec()),
    ] {
        assert!(t.caseworker.check_move(&bytes).is_none(), "{what}");
    }
    // And a genuine one that is not the latest does not win.
    t.provider
        .remove_member(Role::Provider, &key(BENEFICIARY).public_key(), T0 + 30)
        .unwrap();
    t.provider
        .move_room(Role::Provider, &target(6), [11; 32], T0 + 30)
        .unwrap();
    sync(&mut t.provider, &mut t.caseworker);
    assert_eq!(t.caseworker.room_target_with(&[genuine]), Some(target(6)));
}

//! Trust inside a report: membership from the owner, every change verified on every device,
//! and a hostile participant who tries everything an attacker with a valid invitation (and
//! full control of their own device) could. Each honest replica refuses, names it, keeps
//! syncing, and the honest replicas stay identical.

mod common;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjType, ReadDoc, ScalarValue, ROOT};
use common::members::*;
use common::*;
use dreieck_model::trust::{
    report_id_for, Grant, MemberKind, MemberRecord, Owner, RefusalReason, Removal, SignedChanges,
};
use dreieck_model::*;

#[test]
fn invitations_enrol_devices_in_their_role_and_honest_edits_travel() {
    let mut t = three();
    let roster = t.provider.roster();
    let members = roster.members();
    assert_eq!(members.len(), 3, "{members:?}");
    assert_eq!(
        roster.role_of(&key(CASEWORKER).public_key()),
        Some(Role::Caseworker)
    );
    assert_eq!(
        roster.role_of(&key(BENEFICIARY).public_key()),
        Some(Role::Beneficiary)
    );
    assert!(roster.is_owner(&key(OWNER).public_key()));
    assert_eq!(t.beneficiary.my_roles(), vec![Role::Beneficiary]);
    assert_eq!(
        t.provider.id(),
        report_id_for(&key(OWNER).public_key(), &[9; 16])
    );

    t.beneficiary
        .set_text(
            Role::Beneficiary,
            "wuensche",
            "Ich möchte allein einkaufen.",
        )
        .unwrap();
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 5)))
        .unwrap();
    t.provider
        .set_text(Role::Provider, "lb_name", "Kleinschmidt, Hannelore")
        .unwrap();
    let goal = t.provider.add_goal(Role::Provider).unwrap();
    t.provider
        .set_goal_text(Role::Provider, &goal, "Einkaufen")
        .unwrap();
    settle(&mut t);
    t.beneficiary
        .set_goal_self_rating(Role::Beneficiary, &goal, Some("2"))
        .unwrap();
    settle(&mut t);
    for r in [&t.provider, &t.caseworker, &t.beneficiary] {
        assert!(r.refusals().is_empty(), "{:?}", r.refusals());
        assert_eq!(r.text("wuensche").unwrap(), "Ich möchte allein einkaufen.");
        assert_eq!(r.text("lb_name").unwrap(), "Kleinschmidt, Hannelore");
    }
    assert_eq!(snapshot(&t.provider), snapshot(&t.caseworker));
    assert_eq!(snapshot(&t.provider), snapshot(&t.beneficiary));
    assert_eq!(sorted(t.provider.heads()), sorted(t.beneficiary.heads()));
}

#[test]
fn a_device_cannot_write_in_a_role_it_holds_no_membership_for() {
    let mut t = three();
    // "Meine Rolle" set to the provider on the beneficiary's device: the model refuses.
    let err = t
        .beneficiary
        .set_text(Role::Provider, "einrichtung_telefon", "0711")
        .unwrap_err();
    assert!(
        matches!(err, ModelError::NotAMember(Role::Provider)),
        "{err}"
    );
    assert_eq!(t.beneficiary.text("einrichtung_telefon").unwrap(), "");
}

#[test]
fn writes_outside_the_role_are_refused_by_every_honest_device() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let obj = text_obj(&t.beneficiary, "einrichtung_telefon");
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        doc.splice_text(&obj, 0, 0, "0900 666").unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
    assert_eq!(t.provider.text("einrichtung_telefon").unwrap(), "");
    assert_eq!(t.caseworker.text("einrichtung_telefon").unwrap(), "");
    // The provider writes the person's own words: refused too (own words are theirs only).
    let own = text_obj(&t.provider, "wuensche");
    let heads = t.provider.heads();
    t.provider
        .doc_mut()
        .splice_text(&own, 0, 0, "Gefälscht: ")
        .unwrap();
    t.provider.doc_mut().commit();
    let forged = t.provider.save_after_signed(&heads);
    let admission = t.beneficiary.admit(&forged).unwrap();
    assert!(matches!(
        admission.refused[0].reason,
        RefusalReason::NotPermitted(_)
    ));
    assert_eq!(t.beneficiary.text("wuensche").unwrap(), "Ich möchte");
}

#[test]
fn the_caseworker_cannot_record_the_persons_self_rating_or_sign_their_line() {
    let mut t = three();
    let goal = t.provider.add_goal(Role::Provider).unwrap();
    settle(&mut t);
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 5)))
        .unwrap();
    sync(&mut t.caseworker, &mut t.provider);
    let goals = t
        .caseworker
        .doc_mut()
        .get(ROOT, "goals")
        .unwrap()
        .unwrap()
        .1;
    let goal_obj = t
        .caseworker
        .doc_mut()
        .get(&goals, goal.as_str())
        .unwrap()
        .unwrap()
        .1;
    let heads = t.caseworker.heads();
    t.caseworker
        .doc_mut()
        .put(&goal_obj, "self_rating", "1")
        .unwrap();
    t.caseworker.doc_mut().commit();
    let bundle = t.caseworker.save_after_signed(&heads);
    let admission = t.provider.admit(&bundle).unwrap();
    assert_eq!(admission.refused.len(), 1, "{admission:?}");
    assert!(t.provider.goals()[0].self_rating.is_none());
}

#[test]
fn template_schema_and_layout_cannot_be_rewritten() {
    for attack in 0..4 {
        let mut t = three();
        bind_beneficiary(&mut t);
        settle(&mut t);
        let bundle = hostile_bundle(&mut t.beneficiary, |doc| match attack {
            0 => {
                doc.put(ROOT, "template", "{\"id\":\"evil\"}").unwrap();
            }
            1 => {
                doc.put(ROOT, "schema", 99u64).unwrap();
            }
            2 => {
                doc.put_object(ROOT, "fields", ObjType::Map).unwrap();
            }
            _ => {
                doc.put(
                    ROOT,
                    "owner",
                    ScalarValue::Bytes(key(BENEFICIARY).public_key().to_vec()),
                )
                .unwrap();
            }
        });
        assert_refused_by_both(&mut t, &bundle, |r| {
            matches!(r, RefusalReason::NotPermitted(_))
        });
        assert_eq!(t.provider.template().id, "kvjs-ergebnisbericht");
        let reloaded = Report::load(&t.provider.save()).unwrap();
        assert_eq!(reloaded.template().id, "kvjs-ergebnisbericht");
        assert_eq!(reloaded.owner_key(), Some(key(OWNER).public_key()));
    }
}

#[test]
fn forged_and_deleted_memberships_are_refused() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let id = t.beneficiary.id();
    let evil = key(66);
    // (a) The beneficiary grants an accomplice the caseworker role (may not grant at all).
    let forged = MemberRecord::sign(
        &id,
        &Grant {
            kind: MemberKind::Member,
            key: evil.public_key(),
            role: Role::Caseworker,
            name: "Komplize",
            time_ms: T0,
            expires_ms: None,
            max_uses: 0,
        },
        &key(BENEFICIARY),
    );
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let members = doc.get(ROOT, "members").unwrap().unwrap().1;
        doc.put(
            &members,
            hex(&evil.public_key()),
            ScalarValue::Bytes(forged.encode()),
        )
        .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
    assert_eq!(t.provider.roster().role_of(&evil.public_key()), None);

    // (b) A record claiming the owner granted it, with a made-up signature.
    let mut fake = forged.clone();
    fake.granted_by = key(OWNER).public_key();
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let members = doc.get(ROOT, "members").unwrap().unwrap().1;
        doc.put(
            &members,
            hex(&evil.public_key()),
            ScalarValue::Bytes(fake.encode()),
        )
        .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });

    // (c) Deleting the caseworker's membership (to invalidate their signature).
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let cw = hex(&key(CASEWORKER).public_key());
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let members = doc.get(ROOT, "members").unwrap().unwrap().1;
        doc.delete(&members, cw.as_str()).unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
    assert_eq!(
        t.provider.roster().role_of(&key(CASEWORKER).public_key()),
        Some(Role::Caseworker)
    );

    // (d) Removing the caseworker without the right to.
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let removal = Removal::sign(&id, key(CASEWORKER).public_key(), T0, &key(BENEFICIARY));
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let removed = doc.get(ROOT, "removed").unwrap().unwrap().1;
        doc.put(&removed, cw.as_str(), ScalarValue::Bytes(removal.encode()))
            .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
}

#[test]
fn nobody_signs_a_line_for_somebody_else() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let record = |k: u8, role: Role, heads: Vec<ChangeHash>| SignatureRecord {
        public_key: key(k).public_key(),
        // The key check comes before the signature; any bytes will do for the attack.
        signature: [3; 64],
        time_ms: T0,
        role,
        name: "Frau Träger".into(),
        date: d(2026, 11, 23),
        heads,
        strokes: Strokes::default(),
    };
    let line = |doc: &mut automerge::AutoCommit, field: &str| {
        let fields = doc.get(ROOT, "fields").unwrap().unwrap().1;
        doc.get(&fields, field).unwrap().unwrap().1
    };
    // The beneficiary puts a record with the provider's key on the provider's line.
    let forged = record(OWNER, Role::Provider, t.beneficiary.heads());
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let l = line(doc, "unterschrift_leistungserbringer");
        doc.put(&l, "signed", ScalarValue::Bytes(forged.encode()))
            .unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
    // The provider (allowed on that line) stores a record naming somebody else's key.
    let mut t = three();
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    settle(&mut t);
    let heads = t.provider.heads();
    let other = record(CASEWORKER, Role::Provider, heads.clone());
    {
        let doc = t.provider.doc_mut();
        let l = line(doc, "unterschrift_leitung");
        doc.put(&l, "signed", ScalarValue::Bytes(other.encode()))
            .unwrap();
        doc.commit();
    }
    let bundle = t.provider.save_after_signed(&heads);
    let admission = t.caseworker.admit(&bundle).unwrap();
    assert!(
        admission.refused.iter().any(
            |r| matches!(&r.reason, RefusalReason::NotPermitted(w) if w.contains("anderen Person"))
        ),
        "{admission:?}"
    );
    assert_eq!(
        t.caseworker
            .verify_signature("unterschrift_leitung")
            .unwrap(),
        Verification::Unsigned
    );
}

#[test]
fn unsigned_wrongly_signed_and_misbound_changes_are_refused() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    // Unsigned: the beneficiary's legitimate edit without its attestation.
    let heads = t.provider.heads();
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte reisen")
        .unwrap();
    let mut bundle = t.beneficiary.save_after_signed(&heads);
    let signed = bundle.clone();
    bundle.attestations.clear();
    assert_refused_by_both(&mut t, &bundle, |r| *r == RefusalReason::Unsigned);
    // A stripped copy is not held against the change: the signed copy that follows is taken,
    // so a device that saw the stripped copy first ends up like one that did not.
    let again = t.provider.admit(&signed).unwrap();
    assert_eq!(again.applied, 1, "{again:?}");
    assert_eq!(t.provider.text("wuensche").unwrap(), "Ich möchte reisen");
    sync(&mut t.provider, &mut t.caseworker);
    let again = t.caseworker.admit(&signed).unwrap();
    assert!(again.refused.is_empty());
    assert_eq!(sorted(t.provider.heads()), sorted(t.caseworker.heads()));

    // Signed with the wrong key (the caseworker's key over the beneficiary's change).
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let heads = t.provider.heads();
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte reisen")
        .unwrap();
    let mut bundle = t.beneficiary.save_after_signed(&heads);
    for a in &mut bundle.attestations {
        a.signature = [7; 64];
    }
    assert_refused_by_both(&mut t, &bundle, |r| *r == RefusalReason::BadSignature);

    // A new actor bound to the caseworker's key, attested by the beneficiary's own key.
    let mut t = three();
    settle(&mut t);
    let cw_key = key(CASEWORKER).public_key();
    let mut hostile = t.beneficiary.fork();
    hostile.add_key(Role::Beneficiary, key(BENEFICIARY));
    let heads = hostile.heads();
    let actor = hostile.actor_hex();
    let obj = hostile.text_object("gesamtplan_vom").ok();
    assert!(obj.is_none(), "a date field has no text");
    {
        let doc = hostile.doc_mut();
        let keys = doc.get(ROOT, "keys").unwrap().unwrap().1;
        doc.put(&keys, actor.as_str(), ScalarValue::Bytes(cw_key.to_vec()))
            .unwrap();
        let actors = doc.get(ROOT, "actors").unwrap().unwrap().1;
        doc.put(&actors, actor.as_str(), "caseworker").unwrap();
        let fields = doc.get(ROOT, "fields").unwrap().unwrap().1;
        doc.put(&fields, "gesamtplan_vom", "2020-01-01").unwrap();
        doc.commit();
    }
    // Its own attestations are signed with whatever it holds: not the caseworker's key.
    let mut bundle = hostile.save_after_signed(&heads);
    assert!(
        bundle.attestations.is_empty(),
        "it holds no key for that actor"
    );
    let change = bundle_changes(&bundle.changes);
    bundle.attestations.push(trust::Attestation {
        hash: change,
        signature: [1; 64],
    });
    assert_refused_by_both(&mut t, &bundle, |r| *r == RefusalReason::BadSignature);
    assert_eq!(
        t.provider.value("gesamtplan_vom").unwrap(),
        FieldValue::Date(None)
    );
}

/// A bundle names the attested change by its position among the bundle's changes; an
/// attacker who points the signature at another change of the bundle gains nothing.
#[test]
fn an_attestation_moved_to_another_change_is_refused() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let _ = t.beneficiary.save_incremental();
    let mut typed = Vec::new();
    let before = t.provider.text("wuensche").unwrap();
    for text in ["Ich möchte allein", "Ich möchte allein reisen"] {
        t.beneficiary
            .set_text(Role::Beneficiary, "wuensche", text)
            .unwrap();
        typed.push(t.beneficiary.save_incremental_signed());
    }
    // Both changes, vouched for by the newest one's attestation (it builds on the first).
    let bundle = trust::SignedChanges {
        changes: [typed[0].changes.clone(), typed[1].changes.clone()].concat(),
        attestations: typed[1].attestations.clone(),
    };
    let bytes = bundle.encode();
    // `… ‖ count 1 ‖ form 1 (by position) ‖ position 1 ‖ signature`: the newest of two changes.
    let at = bytes.len() - 64 - 2;
    assert_eq!(
        bytes[at..at + 2],
        [1, 1],
        "{} changes?",
        bundle.changes.len()
    );
    let mut moved = bytes.clone();
    moved[at + 1] = 0;
    let moved = trust::SignedChanges::decode(&moved).unwrap();
    assert_ne!(moved.attestations[0].hash, bundle.attestations[0].hash);
    assert_refused_by_both(&mut t, &moved, |r| {
        matches!(r, RefusalReason::BadSignature | RefusalReason::Unsigned)
    });
    assert_eq!(t.provider.text("wuensche").unwrap(), before);
    // The bundle as it was sent is taken.
    let taken = t.provider.admit(&bundle).unwrap();
    assert!(taken.refused.is_empty(), "{taken:?}");
    assert_eq!(
        t.provider.text("wuensche").unwrap(),
        "Ich möchte allein reisen"
    );
}

/// The hash of the single change in `bytes`.
fn bundle_changes(bytes: &[u8]) -> ChangeHash {
    let c = automerge::Change::try_from(bytes).expect("one change");
    c.hash()
}

#[test]
fn replayed_reordered_and_descendant_changes() {
    let mut t = three();
    let mut bundles = Vec::new();
    for word in ["Ich", " möchte", " reisen", "."] {
        let before = t.beneficiary.heads();
        let now = t.beneficiary.text("wuensche").unwrap();
        t.beneficiary
            .set_text(Role::Beneficiary, "wuensche", &format!("{now}{word}"))
            .unwrap();
        bundles.push(t.beneficiary.save_after_signed(&before));
    }
    // Reordered: the last first; the early ones release the rest.
    let mut applied = 0;
    for b in bundles.iter().rev() {
        let a = t.provider.admit(b).unwrap();
        assert!(a.refused.is_empty(), "{a:?}");
        applied += a.applied;
    }
    assert_eq!(applied, 4);
    assert_eq!(t.provider.text("wuensche").unwrap(), "Ich möchte reisen.");
    // Replayed: nothing happens twice.
    for b in &bundles {
        let a = t.provider.admit(b).unwrap();
        assert_eq!((a.applied, a.refused.len()), (0, 0));
    }

    // A refused change's descendants are refused, everything else goes on.
    let obj = text_obj(&t.beneficiary, "einrichtung_telefon");
    let before = t.caseworker.heads();
    t.beneficiary
        .doc_mut()
        .splice_text(&obj, 0, 0, "666")
        .unwrap();
    t.beneficiary.doc_mut().commit();
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte reisen. Bald.")
        .unwrap();
    let bundle = t.beneficiary.save_after_signed(&before);
    let a = t.caseworker.admit(&bundle).unwrap();
    assert_eq!(a.refused.len(), 2, "{a:?}");
    assert!(a
        .refused
        .iter()
        .any(|r| r.reason == RefusalReason::BuildsOnRefused));
    assert_eq!(t.caseworker.text("wuensche").unwrap(), "Ich möchte reisen.");
    // The provider keeps working with the caseworker.
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    let a = sync(&mut t.provider, &mut t.caseworker);
    assert!(a.refused.is_empty());
    assert_eq!(t.caseworker.text("erstellt_von").unwrap(), "Frau Träger");
}

#[test]
fn a_crafted_report_under_a_known_id_is_refused() {
    let t = three();
    let id = t.provider.id();
    // An attacker lays out their own report under the victim's id (their own key as owner).
    let mut crafted = Report::create_owned(
        &kvjs(),
        Owner {
            key: &key(99),
            role: Role::Provider,
            name: "Angreifer",
            nonce: [9; 16],
        },
        T0,
    )
    .unwrap();
    let err = Report::from_signed(&[crafted.save_signed()], &id).unwrap_err();
    assert!(err.to_string().contains("nicht echt"), "{err}");
    // Its changes offered to a device that has the real report: all refused.
    let mut provider = t.provider;
    let a = provider.admit(&crafted.save_signed()).unwrap();
    assert!(!a.refused.is_empty());
    assert_eq!(a.applied, 0);
    assert_eq!(provider.id(), id);
    // A plain (unsigned) report cannot be joined either.
    let mut plain = new_report();
    assert!(Report::from_signed(&[plain.save_signed()], "r1").is_err());
}

#[test]
fn an_invitation_enrols_one_device_and_cannot_be_reused_or_escalated() {
    let mut t = three();
    let id = t.provider.id();
    // A second device uses the caseworker invitation again (max one use).
    let (mut second, _) = Report::from_signed(&[t.provider.save_signed()], &id).unwrap();
    let err = second
        .enrol(
            &secret(INVITE_CASEWORKER).record_key(),
            key(77),
            "Noch jemand",
            T0 + 2,
        )
        .unwrap_err();
    assert!(err.to_string().contains("gilt nicht"), "{err}");
    // Forcing it (a hostile device skips its own check): every honest device refuses.
    let record = MemberRecord::sign(
        &id,
        &Grant {
            kind: MemberKind::Member,
            key: key(77).public_key(),
            role: Role::Caseworker,
            name: "Noch jemand",
            time_ms: T0 + 2,
            expires_ms: None,
            max_uses: 0,
        },
        &secret(INVITE_CASEWORKER).record_key(),
    );
    second.add_key(Role::Caseworker, key(77));
    let heads = second.heads();
    let rec = record.encode();
    second.set_now_ms(T0 + 2);
    {
        let actor = second.actor_hex();
        let doc = second.doc_mut();
        let members = doc.get(ROOT, "members").unwrap().unwrap().1;
        doc.put(
            &members,
            hex(&key(77).public_key()),
            ScalarValue::Bytes(rec),
        )
        .unwrap();
        let keys = doc.get(ROOT, "keys").unwrap().unwrap().1;
        doc.put(
            &keys,
            actor.as_str(),
            ScalarValue::Bytes(key(77).public_key().to_vec()),
        )
        .unwrap();
        doc.commit();
    }
    let bundle = second.save_after_signed(&heads);
    let a = t.provider.admit(&bundle).unwrap();
    assert_eq!(a.refused.len(), 1, "{a:?}");
    assert_eq!(t.provider.roster().role_of(&key(77).public_key()), None);
    // An invitation for the beneficiary cannot enrol a provider.
    let (mut third, _) = Report::from_signed(&[t.provider.save_signed()], &id).unwrap();
    let escalated = MemberRecord::sign(
        &id,
        &Grant {
            kind: MemberKind::Member,
            key: key(78).public_key(),
            role: Role::Provider,
            name: "",
            time_ms: T0 + 3,
            expires_ms: None,
            max_uses: 0,
        },
        &secret(INVITE_BENEFICIARY).record_key(),
    );
    let heads = third.heads();
    {
        let actor = third.actor_hex();
        let doc = third.doc_mut();
        let members = doc.get(ROOT, "members").unwrap().unwrap().1;
        doc.put(
            &members,
            hex(&key(78).public_key()),
            ScalarValue::Bytes(escalated.encode()),
        )
        .unwrap();
        let keys = doc.get(ROOT, "keys").unwrap().unwrap().1;
        doc.put(
            &keys,
            actor.as_str(),
            ScalarValue::Bytes(key(78).public_key().to_vec()),
        )
        .unwrap();
        doc.commit();
    }
    third.add_key(Role::Provider, key(78));
    let bundle = third.save_after_signed(&heads);
    let a = t.provider.admit(&bundle).unwrap();
    assert_eq!(a.refused.len(), 1, "{a:?}");
}

#[test]
fn a_removed_member_writes_nothing_new_but_concurrent_work_is_kept() {
    let mut t = three();
    // Offline, the beneficiary writes; meanwhile the provider removes them.
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Vorher geschrieben")
        .unwrap();
    t.provider
        .remove_member(Role::Provider, &key(BENEFICIARY).public_key(), T0 + 10)
        .unwrap();
    assert!(t
        .provider
        .roster()
        .is_removed(&key(BENEFICIARY).public_key()));
    // The concurrent edit did not build on the removal: accepted (the rule for concurrency).
    let a = sync(&mut t.beneficiary, &mut t.provider);
    assert!(a.refused.is_empty(), "{a:?}");
    assert_eq!(t.provider.text("wuensche").unwrap(), "Vorher geschrieben");
    // Once the removal reached the device, its own setters refuse…
    sync(&mut t.provider, &mut t.beneficiary);
    let err = t
        .beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Nachher")
        .unwrap_err();
    assert!(
        matches!(err, ModelError::NotAMember(Role::Beneficiary)),
        "{err}"
    );
    // …and a hostile build that writes anyway is refused by every honest device.
    let obj = text_obj(&t.beneficiary, "wuensche");
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        doc.splice_text(&obj, 0, 0, "Nachher ").unwrap();
    });
    sync(&mut t.provider, &mut t.caseworker);
    assert_refused_by_both(&mut t, &bundle, |r| *r == RefusalReason::Removed);
    assert_eq!(t.caseworker.text("wuensche").unwrap(), "Vorher geschrieben");
    assert_eq!(sorted(t.provider.heads()), sorted(t.caseworker.heads()));
}

#[test]
fn honest_replicas_stay_identical_whatever_order_the_hostile_changes_arrive_in() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let obj = text_obj(&t.beneficiary, "anmerkungen_einrichtung");
    let own = text_obj(&t.beneficiary, "wuensche");
    let mut bundles = Vec::new();
    for i in 0..6 {
        let before = t.beneficiary.heads();
        if i % 2 == 0 {
            t.beneficiary
                .doc_mut()
                .splice_text(&obj, 0, 0, "x")
                .unwrap();
        } else {
            t.beneficiary
                .doc_mut()
                .splice_text(&own, 0, 0, "y")
                .unwrap();
        }
        t.beneficiary.doc_mut().commit();
        bundles.push(t.beneficiary.save_after_signed(&before));
    }
    for b in &bundles {
        t.provider.admit(b).unwrap();
    }
    for b in bundles.iter().rev() {
        t.caseworker.admit(b).unwrap();
    }
    assert_eq!(sorted(t.provider.heads()), sorted(t.caseworker.heads()));
    assert_eq!(snapshot(&t.provider), snapshot(&t.caseworker));
    // The first hostile change is refused and everything after it builds on it.
    assert_eq!(t.provider.text("anmerkungen_einrichtung").unwrap(), "");
}

#[test]
fn storage_keeps_attestations_so_a_reloaded_device_can_pass_changes_on() {
    let mut t = three();
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Von der Person")
        .unwrap();
    sync(&mut t.beneficiary, &mut t.provider);
    // The provider stores its state and reloads (the app: a full save, then increments).
    let mut stored = t.provider.save_signed().encode();
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    stored.extend(t.provider.save_incremental_signed().encode());
    let mut reloaded = Report::load(&stored).unwrap();
    reloaded.add_key(Role::Provider, key(OWNER));
    // The caseworker, which has not seen the person's words, gets them from the reloaded
    // provider: the beneficiary's attestation travelled through storage.
    let a = sync(&mut reloaded, &mut t.caseworker);
    assert!(a.refused.is_empty(), "{a:?}");
    assert_eq!(t.caseworker.text("wuensche").unwrap(), "Von der Person");
    assert_eq!(t.caseworker.text("erstellt_von").unwrap(), "Frau Träger");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sign_line(r: &mut Report, field: &str, role: Role, name: &str, k: u8) {
    let strokes = Strokes::from_points(&[vec![(0.1, 0.5), (0.4, 0.2)]]);
    r.sign(
        &SignRequest {
            field,
            role,
            name,
            strokes: &strokes,
            time_ms: T0 + 5,
            date: d(2026, 11, 23),
        },
        &key(k),
    )
    .unwrap();
}

#[test]
fn signatures_count_by_membership_and_cover_every_part_of_the_content() {
    let mut t = three();
    let goal = t.provider.add_goal(Role::Provider).unwrap();
    t.provider
        .set_own_words_remark(Role::Provider, "wuensche", "Im Gespräch gesagt")
        .unwrap();
    settle(&mut t);
    sign_line(
        &mut t.beneficiary,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        "Frau K.",
        BENEFICIARY,
    );
    sign_line(
        &mut t.provider,
        "unterschrift_leistungserbringer",
        Role::Provider,
        "Frau Träger",
        OWNER,
    );
    settle(&mut t);
    for r in [&t.provider, &t.caseworker, &t.beneficiary] {
        assert_eq!(
            r.verify_signature("unterschrift_leistungsberechtigter")
                .unwrap(),
            Verification::Valid
        );
    }
    // Signing with a key that is not this device's member key for the role: refused.
    let err = t
        .provider
        .sign(
            &SignRequest {
                field: "unterschrift_leitung",
                role: Role::Provider,
                name: "Chef",
                strokes: &Strokes::default(),
                time_ms: T0,
                date: d(2026, 11, 23),
            },
            &key(55),
        )
        .unwrap_err();
    assert!(
        matches!(err, ModelError::NotAMember(Role::Provider)),
        "{err}"
    );

    // The person's self-rating after signing: the provider's signature is for an earlier
    // version (the goals changed).
    t.beneficiary
        .set_goal_self_rating(Role::Beneficiary, &goal, Some("1"))
        .unwrap();
    settle(&mut t);
    assert_eq!(
        t.caseworker
            .verify_signature("unterschrift_leistungserbringer")
            .unwrap(),
        Verification::ValidForEarlierVersion {
            changed_fields: vec!["ziele".into()]
        }
    );
    // The remark beside the person's words changed: that field counts as changed.
    t.provider
        .set_own_words_remark(Role::Provider, "wuensche", "Später ergänzt")
        .unwrap();
    settle(&mut t);
    let v = t
        .caseworker
        .verify_signature("unterschrift_leistungsberechtigter")
        .unwrap();
    assert_eq!(
        v,
        Verification::ValidForEarlierVersion {
            changed_fields: vec!["wuensche".into(), "ziele".into()]
        }
    );
}

#[test]
fn a_submission_changed_after_signing_outdates_the_signature_but_recording_it_does_not() {
    let mut t = three();
    sign_line(
        &mut t.provider,
        "unterschrift_leistungserbringer",
        Role::Provider,
        "Frau Träger",
        OWNER,
    );
    t.provider
        .mark_submitted(Role::Provider, d(2026, 11, 24))
        .unwrap();
    assert_eq!(
        t.provider
            .verify_signature("unterschrift_leistungserbringer")
            .unwrap(),
        Verification::Valid
    );
    // Signed again after submission, then the submission is taken back.
    sign_line(
        &mut t.provider,
        "unterschrift_leistungserbringer",
        Role::Provider,
        "Frau Träger",
        OWNER,
    );
    t.provider.withdraw_submission(Role::Provider).unwrap();
    match t
        .provider
        .verify_signature("unterschrift_leistungserbringer")
        .unwrap()
    {
        Verification::ValidForEarlierVersion { changed_fields } => {
            assert_eq!(changed_fields, vec![CHANGED_SUBMISSION.to_string()]);
            assert_eq!(t.provider.changed_label(&changed_fields[0]), "Übermittlung");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_participants_list_no_longer_vouches_for_a_signer() {
    let mut t = three();
    // A tampered replica (bypassing the gate: its own storage edited) lists a stranger as
    // provider and stores the stranger's signature on the provider's line.
    let stranger = key(90);
    let mut tampered = t.provider.fork();
    let strokes = Strokes::default();
    {
        let heads = {
            let mut h = tampered.heads();
            h.sort();
            h
        };
        let mut record = SignatureRecord {
            public_key: stranger.public_key(),
            signature: [0; 64],
            time_ms: T0,
            role: Role::Provider,
            name: "Fremd".into(),
            date: d(2026, 11, 23),
            heads,
            strokes,
        };
        // A made-up signature is enough: the membership check comes first.
        record.signature = [3; 64];
        let doc = tampered.doc_mut();
        let participants = doc.get(ROOT, "participants").unwrap().unwrap().1;
        doc.put(
            &participants,
            hex(&stranger.public_key()),
            "{\"role\":\"provider\",\"name\":\"Fremd\"}",
        )
        .unwrap();
        let fields = doc.get(ROOT, "fields").unwrap().unwrap().1;
        let line = doc
            .get(&fields, "unterschrift_leistungserbringer")
            .unwrap()
            .unwrap()
            .1;
        doc.put(&line, "signed", ScalarValue::Bytes(record.encode()))
            .unwrap();
        doc.commit();
    }
    assert_eq!(
        tampered
            .verify_signature("unterschrift_leistungserbringer")
            .unwrap(),
        Verification::Invalid(InvalidSignature::UnknownKey)
    );
}

#[test]
fn a_peers_keystroke_is_shown_ahead_only_when_the_gate_will_take_it() {
    let mut t = three();
    // Everything so far is stored (as the app's storage does after each sync).
    t.beneficiary.save_incremental();
    // An honest keystroke, as the app sends it: the signed increment with its splice.
    let (index, splice) = t
        .beneficiary
        .set_text_spliced(Role::Beneficiary, "wuensche", "Hallo")
        .unwrap()
        .unwrap();
    let bytes = t.beneficiary.save_incremental();
    let payload = live::decode(&live::encode_item(&bytes, Some((index, &splice)))).unwrap();
    let heads = t.provider.heads();
    let (shown, _) = t.provider.previews(&heads, &payload).expect("shown ahead");
    assert_eq!(shown[0].insert, "Hallo");
    t.provider.apply(&payload.automerge_bytes()).unwrap();
    assert_eq!(t.provider.text("wuensche").unwrap(), "Hallo");
    // A hostile "keystroke" into a provider field with a made-up splice: not shown, refused.
    let obj = text_obj(&t.beneficiary, "einrichtung_telefon");
    let heads = t.provider.heads();
    t.beneficiary
        .doc_mut()
        .splice_text(&obj, 0, 0, "0900")
        .unwrap();
    t.beneficiary.doc_mut().commit();
    let bytes = t.beneficiary.save_incremental();
    let fake = live::Splice {
        field: "einrichtung_telefon".into(),
        pos: 0,
        delete: 0,
        insert: "0900".into(),
    };
    let field_index = t
        .provider
        .template()
        .fields()
        .position(|f| f.id == "einrichtung_telefon")
        .unwrap();
    let payload = live::decode(&live::encode_item(&bytes, Some((field_index, &fake)))).unwrap();
    assert!(t.provider.previews(&heads, &payload).is_none());
    t.provider.apply(&payload.automerge_bytes()).unwrap();
    assert_eq!(t.provider.text("einrichtung_telefon").unwrap(), "");
    assert_eq!(t.provider.refusals().len(), 1);
}

#[test]
fn the_person_writes_on_the_staff_tablet_under_a_membership_the_tablet_grants() {
    let mut t = three();
    // The provider's tablet holds a key per role (as the app does); the person supported
    // takes the tablet and writes their wishes.
    t.provider.add_key(Role::Beneficiary, key(40));
    t.provider.set_now_ms(T0 + 100);
    t.provider
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte malen.")
        .unwrap();
    let roster = t.provider.roster();
    assert_eq!(
        roster.role_of(&key(40).public_key()),
        Some(Role::Beneficiary)
    );
    let member = roster
        .members()
        .into_iter()
        .find(|m| m.key == key(40).public_key())
        .unwrap();
    assert_eq!(
        member.name,
        "Leistungsberechtigte Person (am Gerät von Frau Träger)"
    );
    let a = sync(&mut t.provider, &mut t.caseworker);
    assert!(a.refused.is_empty(), "{a:?}");
    assert_eq!(t.caseworker.text("wuensche").unwrap(), "Ich möchte malen.");
    // The history credits the words to the beneficiary's role.
    let history = t.caseworker.field_history("wuensche").unwrap();
    assert_eq!(history[0].role, Some(Role::Beneficiary));
    // The beneficiary's own device cannot grant itself the provider's role.
    t.beneficiary.add_key(Role::Provider, key(41));
    let err = t
        .beneficiary
        .set_text(Role::Provider, "erstellt_von", "Ich")
        .unwrap_err();
    assert!(
        matches!(err, ModelError::NotAMember(Role::Provider)),
        "{err}"
    );
}

#[test]
fn a_removal_and_a_change_built_on_it_arriving_together_are_judged_like_apart() {
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    t.provider
        .remove_member(Role::Provider, &key(BENEFICIARY).public_key(), T0 + 10)
        .unwrap();
    // The beneficiary's device learns of the removal and writes anyway (a hostile build).
    sync(&mut t.provider, &mut t.beneficiary);
    let obj = text_obj(&t.beneficiary, "wuensche");
    t.beneficiary
        .doc_mut()
        .splice_text(&obj, 0, 0, "Danach ")
        .unwrap();
    t.beneficiary.doc_mut().commit();
    // The caseworker has seen neither: one bundle brings the removal and the change on it.
    let heads = t.caseworker.heads();
    let both = t.beneficiary.save_after_signed(&heads);
    let a = t.caseworker.admit(&both).unwrap();
    assert!(
        a.refused.iter().any(|r| r.reason == RefusalReason::Removed),
        "{a:?}"
    );
    assert!(t
        .caseworker
        .roster()
        .is_removed(&key(BENEFICIARY).public_key()));
    assert_eq!(t.caseworker.text("wuensche").unwrap(), "Ich möchte");
    // The provider, which had the removal before, decides the same: identical replicas.
    sync(&mut t.beneficiary, &mut t.provider);
    assert_eq!(sorted(t.provider.heads()), sorted(t.caseworker.heads()));
    // A device joining afterwards from the provider's whole report agrees too.
    let id = t.provider.id();
    let (joiner, _) =
        Report::from_signed(&[SignedChanges::decode(&t.provider.save()).unwrap()], &id).unwrap();
    assert_eq!(joiner.text("wuensche").unwrap(), "Ich möchte");
}

#[test]
fn a_file_invitation_is_made_once_per_role_and_only_where_the_device_may_invite() {
    let mut t = three();
    let link_key = key(60);
    assert!(t
        .provider
        .ensure_invitation(Role::Guardian, &link_key, T0)
        .unwrap());
    assert!(!t
        .provider
        .ensure_invitation(Role::Guardian, &link_key, T0)
        .unwrap());
    // The person supported's device invites nobody.
    let err = t
        .beneficiary
        .ensure_invitation(Role::Guardian, &key(61), T0)
        .unwrap_err();
    assert!(err.to_string().contains("eingeladen"), "{err}");
    // A guardian joins with it; joining twice with the same device writes nothing new.
    sync(&mut t.provider, &mut t.caseworker);
    let id = t.provider.id();
    let (mut guardian, _) = Report::from_signed(&[t.provider.save_signed()], &id).unwrap();
    guardian.enrol(&link_key, key(62), "", T0 + 8).unwrap();
    let a = sync(&mut guardian, &mut t.provider);
    assert!(a.refused.is_empty(), "{a:?}");
    assert_eq!(guardian.my_roles(), vec![Role::Guardian]);
    let heads = guardian.heads();
    let role = guardian.enrol(&link_key, key(62), "", T0 + 9).unwrap();
    assert_eq!(role, Role::Guardian);
    assert_eq!(guardian.heads(), heads);
}

#[test]
fn a_sealed_file_hands_the_report_to_another_device_of_the_team_in_one_role() {
    use dreieck_model::sealed_file::{self, KdfParams};
    let params = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };
    let mut t = three();
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    // The provider's device grants a file invitation for its own role and seals it in.
    let secret = [70; 32];
    t.provider
        .ensure_invitation(Role::Provider, &ParticipantKey::from_seed(&secret), T0)
        .unwrap();
    let document = file_document(
        t.provider.file_bytes(),
        Some(&FileInvitation {
            role: Role::Provider,
            secret,
        }),
    );
    let file =
        sealed_file::seal(&document, "Ein gutes Passwort", [1; 16], [2; 24], params).unwrap();
    // Another office computer opens it and enrols its own key in the provider's role.
    let (mut office, invitation) =
        read_report_file_inviting(&file, Some("Ein gutes Passwort")).unwrap();
    let invitation = invitation.expect("the file carries an invitation");
    assert_eq!(invitation.role, Role::Provider);
    office
        .enrol(
            &ParticipantKey::from_seed(&invitation.secret),
            key(71),
            "",
            T0 + 20,
        )
        .unwrap();
    office
        .set_text(Role::Provider, "einrichtung_telefon", "07071 111")
        .unwrap();
    // Its work comes back by file and is taken in through the gate.
    let back = sealed_file::seal(
        &office.file_bytes(),
        "Zurück ins Büro",
        [3; 16],
        [4; 24],
        params,
    )
    .unwrap();
    let mut incoming = read_report_file(&back, Some("Zurück ins Büro")).unwrap();
    assert!(t.provider.import(&mut incoming).unwrap() > 0);
    assert!(
        t.provider.refusals().is_empty(),
        "{:?}",
        t.provider.refusals()
    );
    assert_eq!(t.provider.text("einrichtung_telefon").unwrap(), "07071 111");
    // A plain .automerge of a protected report carries no signatures: refused on a fresh device.
    let plain = t.provider.to_automerge_file();
    let err = read_report_file(&plain, None).unwrap_err();
    assert!(err.to_string().contains(".dreieck"), "{err}");
}

#[test]
fn one_device_key_owns_many_reports_each_with_its_own_id() {
    let device = key(OWNER);
    let owner = |nonce| Owner {
        key: &device,
        role: Role::Provider,
        name: "",
        nonce,
    };
    let a = Report::create_owned(&kvjs(), owner([1; 16]), T0).unwrap();
    let b = Report::create_owned(&kvjs(), owner([2; 16]), T0).unwrap();
    assert_ne!(a.id(), b.id());
    assert_eq!(a.owner_key(), b.owner_key());
}

#[test]
fn a_device_joins_from_several_whole_copies_of_the_report() {
    // After a relay restart every device uploads its whole report again: a newcomer gathers
    // the old snapshot and several full copies, each holding the creation.
    let mut t = three();
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 5)))
        .unwrap();
    let id = t.provider.id();
    let copies: Vec<SignedChanges> = [&mut t.provider, &mut t.caseworker, &mut t.beneficiary]
        .into_iter()
        .map(|r| SignedChanges::decode(&r.save()).unwrap())
        .collect();
    let (joiner, admission) = Report::from_signed(&copies, &id).unwrap();
    assert!(admission.refused.is_empty(), "{admission:?}");
    assert_eq!(
        joiner.value("gesamtplan_vom").unwrap(),
        FieldValue::Date(Some(d(2026, 1, 5)))
    );
}

#[test]
fn keystrokes_follow_each_other_ahead_of_being_applied() {
    // Typing fast: the second keystroke arrives while the first is shown but not applied yet;
    // it is shown at once too, and both are applied together later.
    let mut t = three();
    t.beneficiary.save_incremental();
    let mut heads = t.provider.heads();
    let mut deferred = Vec::new();
    for word in ["Ha", "Hal", "Hall", "Hallo"] {
        let (index, splice) = t
            .beneficiary
            .set_text_spliced(Role::Beneficiary, "wuensche", word)
            .unwrap()
            .unwrap();
        let bytes = t.beneficiary.save_incremental();
        let payload = live::decode(&live::encode_item(&bytes, Some((index, &splice)))).unwrap();
        let (shown, after) = t
            .provider
            .previews(&heads, &payload)
            .expect("each keystroke is shown ahead");
        assert_eq!(shown.len(), 1);
        heads = after;
        deferred.extend(payload.automerge_bytes());
    }
    t.provider.apply(&deferred).unwrap();
    assert!(t.provider.refusals().is_empty());
    assert_eq!(t.provider.text("wuensche").unwrap(), "Hallo");
}

/// A hostile write by the caseworker's device (a case-keeping member, bound first by a
/// legitimate edit), judged by the provider's and the beneficiary's devices.
fn caseworker_writes(
    t: &mut Three,
    f: impl FnOnce(&mut automerge::AutoCommit),
) -> Vec<dreieck_model::trust::Admission> {
    t.caseworker
        .set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 1, 5)))
        .unwrap();
    settle(t);
    let heads = t.caseworker.heads();
    f(t.caseworker.doc_mut());
    t.caseworker.doc_mut().commit();
    let bundle = t.caseworker.save_after_signed(&heads);
    vec![
        t.provider.admit(&bundle).unwrap(),
        t.beneficiary.admit(&bundle).unwrap(),
    ]
}

#[test]
fn nobody_removes_the_owner_or_takes_a_removal_back() {
    // The owner: the caseworker's setters refuse, and a removal it signs and writes anyway is
    // refused by every honest device; the owner keeps writing.
    let mut t = three();
    let owner = key(OWNER).public_key();
    assert!(t
        .caseworker
        .remove_member(Role::Caseworker, &owner, T0 + 5)
        .is_err());
    let id = t.provider.id();
    let removal = Removal::sign(&id, owner, T0 + 5, &key(CASEWORKER));
    let verdicts = caseworker_writes(&mut t, |doc| {
        let removed = doc.get(ROOT, "removed").unwrap().unwrap().1;
        doc.put(&removed, hex(&owner), ScalarValue::Bytes(removal.encode()))
            .unwrap();
    });
    for a in &verdicts {
        assert!(
            a.refused.iter().any(
                |r| matches!(&r.reason, RefusalReason::NotPermitted(w) if w.contains("entfernen"))
            ),
            "{a:?}"
        );
    }
    assert!(!t.provider.roster().is_removed(&owner));
    t.provider
        .set_text(Role::Provider, "anmerkungen_einrichtung", "Weiter.")
        .unwrap();

    // A removal cannot be taken back: the provider removes the beneficiary; the caseworker's
    // device deletes the removal record, or overwrites it with bytes that are no removal.
    for undo in [0, 1] {
        let mut t = three();
        let person = key(BENEFICIARY).public_key();
        t.provider
            .remove_member(Role::Provider, &person, T0 + 10)
            .unwrap();
        settle(&mut t);
        let verdicts = caseworker_writes(&mut t, |doc| {
            let removed = doc.get(ROOT, "removed").unwrap().unwrap().1;
            if undo == 0 {
                doc.delete(&removed, hex(&person)).unwrap();
            } else {
                doc.put(&removed, hex(&person), ScalarValue::Bytes(vec![1, 2, 3]))
                    .unwrap();
            }
        });
        for a in &verdicts {
            assert!(
                a.refused
                    .iter()
                    .any(|r| matches!(&r.reason, RefusalReason::NotPermitted(w) if w.contains("Entfernung"))),
                "{a:?}"
            );
        }
        assert!(t.provider.roster().is_removed(&person));
        assert!(t.beneficiary.roster().is_removed(&person));
    }
}

/// The honest set-up the case-record attacks start from: a submission recorded by the
/// caseworker, a missing-help flag by the provider, the person's own words with a remark by the
/// provider; everybody in step.
fn with_case_records() -> Three {
    let mut t = three();
    bind_beneficiary(&mut t);
    t.caseworker
        .mark_submitted(Role::Caseworker, d(2026, 2, 1))
        .unwrap();
    t.provider
        .add_missing_help(
            Role::Provider,
            "wohnen",
            "Ein Platz im Wohnheim fehlt.",
            d(2026, 2, 1),
        )
        .unwrap();
    t.provider
        .set_own_words_remark(Role::Provider, "wuensche", "So gesagt im Gespräch.")
        .unwrap();
    settle(&mut t);
    t
}

fn child(doc: &automerge::AutoCommit, parent: &automerge::ObjId, key: &str) -> automerge::ObjId {
    doc.get(parent, key).unwrap().unwrap().1
}

#[test]
fn case_records_and_the_marks_of_own_words_follow_their_roles() {
    // The person records a submission date (only provider and caseworker may).
    let mut t = with_case_records();
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let s = child(doc, &ROOT, "submission");
        doc.put(&s, "date", "2026-03-03").unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("Übermittlung")),
    );

    // The person deletes the provider's missing-help flag.
    let mut t = with_case_records();
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let list = child(doc, &ROOT, "missing_help");
        doc.delete(&list, 0).unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("Hilfebaustein")),
    );
    assert_eq!(t.provider.missing_help().len(), 1);

    // The person writes into the remark beside their own words (staff's note, not theirs).
    let mut t = with_case_records();
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let words = child(doc, &ROOT, "own_words");
        let field = child(doc, &words, "wuensche");
        let remark = child(doc, &field, "remark");
        doc.splice_text(&remark, 0, 0, "Nicht so gesagt. ").unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("Anmerkung")),
    );

    // The caseworker records the submission in the provider's name, or marks text as the
    // person's own dictated words.
    for attack in [0, 1] {
        let mut t = with_case_records();
        let verdicts = caseworker_writes(&mut t, |doc| {
            if attack == 0 {
                let s = child(doc, &ROOT, "submission");
                doc.put(&s, "role", "provider").unwrap();
            } else {
                let words = child(doc, &ROOT, "own_words");
                let field = child(doc, &words, "wuensche");
                doc.put(&field, "dictated", true).unwrap();
            }
        });
        for a in &verdicts {
            assert!(
                a.refused.iter().any(|r| matches!(&r.reason,
                    RefusalReason::NotPermitted(w) if w.contains("anderen Rolle") || w.contains("eigene Worte"))),
                "attack {attack}: {a:?}"
            );
        }
        assert_eq!(
            t.provider.submission().map(|s| s.role),
            Some(Role::Caseworker)
        );
    }
}

#[test]
fn nobody_registers_another_role_or_another_persons_key() {
    // The person's device records its own actor as the provider's.
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let actors = doc.get(ROOT, "actors").unwrap().unwrap().1;
        let me = doc.get_actor().to_hex_string();
        doc.put(&actors, me, "provider").unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("andere Rolle")),
    );

    // The person's device lists the provider's key among the signers (as the provider).
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let provider_key = hex(&key(OWNER).public_key());
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        let participants = match doc.get(ROOT, "participants").unwrap() {
            Some((_, obj)) => obj,
            None => doc.put_object(ROOT, "participants", ObjType::Map).unwrap(),
        };
        doc.put(
            &participants,
            provider_key.as_str(),
            r#"{"role":"provider","name":"Frau Träger"}"#,
        )
        .unwrap();
    });
    assert_refused_by_both(
        &mut t,
        &bundle,
        |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("Unterschreibenden")),
    );
}

#[test]
fn the_conversation_takes_only_roles_and_short_names() {
    // Any member may record who is present, but only under a role and with a name of at
    // most 200 characters; anything else there is refused by every honest device.
    for attack in [0, 1] {
        let mut t = three();
        bind_beneficiary(&mut t);
        t.provider
            .set_present(Role::Provider, Role::Provider, Some("Frau Träger"))
            .unwrap();
        settle(&mut t);
        let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
            let conversation = doc.get(ROOT, "conversation").unwrap().unwrap().1;
            let present = doc.get(&conversation, "present").unwrap().unwrap().1;
            if attack == 0 {
                doc.put(&present, "hausmeister", "Herr X").unwrap();
            } else {
                doc.put(&present, "beneficiary", "x".repeat(201)).unwrap();
            }
        });
        assert_refused_by_both(
            &mut t,
            &bundle,
            |r| matches!(r, RefusalReason::NotPermitted(w) if w.contains("Aufbau")),
        );
    }
}

/// Counters and marks are no part of a report: a member who writes them into a field of its
/// own (where its role may write text) is refused by every honest device, and the field stays
/// as it was.
#[test]
fn counters_and_marks_are_refused_even_in_a_field_of_ones_own() {
    use automerge::marks::{ExpandMark, Mark};
    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let obj = text_obj(&t.beneficiary, "wuensche");
    let marked = hostile_bundle(&mut t.beneficiary, |doc| {
        doc.mark(&obj, Mark::new("bold".into(), true, 0, 3), ExpandMark::None)
            .unwrap();
    });
    assert_refused_by_both(&mut t, &marked, |r| *r == RefusalReason::Unreadable);

    let mut t = three();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let fields = t
        .beneficiary
        .doc_mut()
        .get(ROOT, "fields")
        .unwrap()
        .unwrap()
        .1;
    let counted = hostile_bundle(&mut t.beneficiary, |doc| {
        doc.put(&fields, "wuensche", ScalarValue::Counter(7.into()))
            .unwrap();
    });
    assert_refused_by_both(&mut t, &counted, |r| {
        matches!(
            r,
            RefusalReason::Unreadable | RefusalReason::NotPermitted(_)
        )
    });
    for honest in [&t.provider, &t.caseworker] {
        assert_eq!(honest.text("wuensche").unwrap(), "Ich möchte");
    }
}

/// A removed member's signature made while it was a member still counts: removing somebody
/// takes away what they may do from now on, not what they signed.
#[test]
fn a_removed_members_earlier_signature_stays_valid() {
    let mut t = three();
    settle(&mut t);
    sign_line(
        &mut t.beneficiary,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        "Frau K.",
        BENEFICIARY,
    );
    settle(&mut t);
    t.provider
        .remove_member(Role::Provider, &key(BENEFICIARY).public_key(), T0 + 10)
        .unwrap();
    settle(&mut t);
    for r in [&t.provider, &t.caseworker] {
        assert!(r.roster().is_removed(&key(BENEFICIARY).public_key()));
        assert_eq!(
            r.verify_signature("unterschrift_leistungsberechtigter")
                .unwrap(),
            Verification::Valid
        );
    }
}

/// The caseworker may grant roles, but never by a record for a key the report already lists
/// (a member, an invitation, the owner), nor by one its subject signed itself: each would turn
/// a key into something it was not granted.
#[test]
fn records_for_listed_keys_the_owner_or_self_signed_are_refused() {
    let evil = key(66);
    let caseworker = key(CASEWORKER);
    let cases: [(&str, [u8; 32], Role, &ParticipantKey, &str); 4] = [
        // The person's key made a caseworker (an accomplice, or the person's words rewritten
        // by staff under the person's key).
        (
            "a member's key in another role",
            key(BENEFICIARY).public_key(),
            Role::Caseworker,
            &caseworker,
            "schon eingetragen",
        ),
        // An invitation's key turned into a member of another role.
        (
            "an invitation's key",
            invitation_key(INVITE_BENEFICIARY),
            Role::Provider,
            &caseworker,
            "schon eingetragen",
        ),
        // The owner's key given a second role.
        (
            "the owner's key",
            key(OWNER).public_key(),
            Role::Beneficiary,
            &caseworker,
            "nur beim Anlegen",
        ),
        // A key vouching for itself.
        (
            "a self-signed record",
            evil.public_key(),
            Role::Provider,
            &evil,
            "nur beim Anlegen",
        ),
    ];
    for (what, subject, role, signer, why) in cases {
        let mut t = three();
        let id = t.caseworker.id();
        let record = MemberRecord::sign(
            &id,
            &Grant {
                kind: MemberKind::Member,
                key: subject,
                role,
                name: "Komplize",
                time_ms: T0 + 5,
                expires_ms: None,
                max_uses: 0,
            },
            signer,
        );
        let roles_before = |r: &Report| {
            (
                r.roster().role_of(&subject),
                r.roster().role_of(&evil.public_key()),
            )
        };
        let before = roles_before(&t.provider);
        let bundle = hostile_bundle(&mut t.caseworker, |doc| {
            let members = doc.get(ROOT, "members").unwrap().unwrap().1;
            doc.put(&members, hex(&subject), ScalarValue::Bytes(record.encode()))
                .unwrap();
        });
        assert_refused_by(
            [
                ("provider", &mut t.provider),
                ("beneficiary", &mut t.beneficiary),
            ],
            &bundle,
            |r| matches!(r, RefusalReason::NotPermitted(m) if m.contains(why)),
        );
        for honest in [&t.provider, &t.beneficiary] {
            assert_eq!(roles_before(honest), before, "{what}: the roster changed");
        }
        // Syncing goes on between the honest devices.
        t.beneficiary
            .set_text(Role::Beneficiary, "wuensche", "Weiter so")
            .unwrap();
        let a = sync(&mut t.beneficiary, &mut t.provider);
        assert!(a.refused.is_empty(), "{what}: {a:?}");
        assert_eq!(t.provider.text("wuensche").unwrap(), "Weiter so");
    }
}

/// A file is bytes from elsewhere like any other: the person's device writes into the
/// provider's field behind its own app's back and hands the report on as a `.dreieck` file.
/// Importing it, and opening it on a device without the report, take everything else and
/// refuse that change, by name.
#[test]
fn a_file_with_a_change_beyond_its_authors_role_is_refused_when_opened_and_imported() {
    use dreieck_model::sealed_file::{self, KdfParams};
    let params = KdfParams {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };
    let mut t = three();
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    settle(&mut t);
    t.beneficiary
        .set_text(Role::Beneficiary, "wuensche", "Ich möchte kochen lernen")
        .unwrap();
    // (Sent to the caseworker, which closes the change: the hostile write is one of its own.)
    sync(&mut t.beneficiary, &mut t.caseworker);
    let provider_field = text_obj(&t.beneficiary, "erstellt_von");
    hostile_bundle(&mut t.beneficiary, |doc| {
        let n = doc.length(&provider_field);
        doc.splice_text(&provider_field, 0, n as isize, "Jemand anderes")
            .unwrap();
    });
    let file = sealed_file::seal(
        &t.beneficiary.file_bytes(),
        "Ein gutes Passwort",
        [5; 16],
        [6; 24],
        params,
    )
    .unwrap();

    // Opened, the file holds the person's words and refuses the rest, by name.
    let mut incoming = read_report_file(&file, Some("Ein gutes Passwort")).unwrap();
    assert_eq!(incoming.text("erstellt_von").unwrap(), "Frau Träger");
    assert_eq!(
        incoming.text("wuensche").unwrap(),
        "Ich möchte kochen lernen"
    );
    assert!(
        incoming
            .refusals()
            .iter()
            .any(|r| matches!(r.reason, RefusalReason::NotPermitted(_))
                && r.message().starts_with("Eine Änderung von ")),
        "{:?}",
        incoming.refusals()
    );
    // Imported into the provider's report, the provider's field stays as it was. (The
    // person's words were vouched for only by the refused change's signature, which the
    // opened copy does not pass on: they come with the person's device's next sync, which
    // carries it, and the refused change is named there.)
    t.provider.import(&mut incoming).unwrap();
    assert_eq!(t.provider.text("erstellt_von").unwrap(), "Frau Träger");
    let a = sync(&mut t.beneficiary, &mut t.provider);
    assert!(
        a.refused
            .iter()
            .any(|r| matches!(r.reason, RefusalReason::NotPermitted(_))),
        "{a:?}"
    );
    assert_eq!(t.provider.text("erstellt_von").unwrap(), "Frau Träger");
    assert_eq!(
        t.provider.text("wuensche").unwrap(),
        "Ich möchte kochen lernen"
    );
}

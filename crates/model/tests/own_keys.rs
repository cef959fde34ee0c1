//! Each person's own key on a shared tablet: a signature made there is the signer's, not the
//! tablet's, every device verifies it, and a tablet cannot sign with a key it does not hold.

mod common;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ScalarValue, ROOT};
use common::members::*;
use common::{d, new_report, T0};
use dreieck_model::trust::RefusalReason;
use dreieck_model::*;

const STAFF_LINE: &str = "unterschrift_leistungserbringer";
const HEAD_LINE: &str = "unterschrift_leitung";
const PERSON_LINE: &str = "unterschrift_leistungsberechtigter";

const ANNA: u8 = 40;
const BEN: u8 = 41;
const FOR_THE_SIGNATURE: u8 = 42;

fn request<'a>(field: &'a str, role: Role, name: &'a str, strokes: &'a Strokes) -> SignRequest<'a> {
    SignRequest {
        field,
        role,
        name,
        strokes,
        time_ms: T0 + 50,
        date: d(2026, 12, 6),
    }
}

fn drawn() -> Strokes {
    Strokes::from_points(&[vec![(0.1, 0.5), (0.4, 0.2), (0.7, 0.6)]])
}

fn signer(r: &Report, field: &str) -> [u8; 32] {
    r.signature_record(field)
        .unwrap()
        .expect("signed")
        .public_key
}

fn member_name(r: &Report, k: &[u8; 32]) -> String {
    let m = r.roster().members().into_iter().find(|m| m.key == *k);
    m.expect("a member").name
}

#[test]
fn two_staff_on_one_tablet_sign_with_their_own_keys_and_every_device_verifies() {
    let mut t = three();
    let strokes = drawn();
    assert!(t.provider.may_vouch_for(Role::Provider));
    t.provider
        .sign_in_person(
            &request(STAFF_LINE, Role::Provider, "Anna Berger", &strokes),
            &key(ANNA),
        )
        .unwrap();
    t.provider
        .sign_in_person(
            &request(HEAD_LINE, Role::Provider, "Ben Leitung", &strokes),
            &key(BEN),
        )
        .unwrap();
    // The tablet goes on writing with its own key after the signatures.
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    for other in [&mut t.caseworker, &mut t.beneficiary] {
        let admission = sync(&mut t.provider, other);
        assert!(admission.refused.is_empty(), "{:?}", admission.refused);
    }
    for device in [&t.provider, &t.caseworker, &t.beneficiary] {
        assert_eq!(signer(device, STAFF_LINE), key(ANNA).public_key());
        assert_eq!(signer(device, HEAD_LINE), key(BEN).public_key());
        // Two different people, neither of them the tablet's own key.
        assert_ne!(signer(device, STAFF_LINE), key(OWNER).public_key());
        for line in [STAFF_LINE, HEAD_LINE] {
            assert!(
                matches!(
                    device.verify_signature(line).unwrap(),
                    Verification::ValidForEarlierVersion { .. }
                ),
                "{line}: {:?}",
                device.verify_signature(line)
            );
        }
        // Everybody sees at whose glass the keys were vouched for.
        assert_eq!(
            member_name(device, &key(ANNA).public_key()),
            "Anna Berger (am Gerät von Frau Träger)"
        );
        assert_eq!(
            device.text("erstellt_von").unwrap(),
            "Frau Träger",
            "the tablet's later edit arrived"
        );
    }
    // The later edit is the tablet's, not Anna's or Ben's: it is still signed by a member who
    // may write it, and the tablet's own key is what it writes with.
    assert_eq!(
        t.provider.key_for(Role::Provider),
        Some(key(OWNER).public_key())
    );
}

#[test]
fn the_person_supported_signs_at_the_staff_tablet_with_a_key_drawn_for_the_signature() {
    let mut t = three();
    let strokes = drawn();
    assert!(t.provider.may_vouch_for(Role::Beneficiary));
    t.provider
        .sign_in_person(
            &request(PERSON_LINE, Role::Beneficiary, "Hannelore K.", &strokes),
            &key(FOR_THE_SIGNATURE),
        )
        .unwrap();
    for other in [&mut t.caseworker, &mut t.beneficiary] {
        let admission = sync(&mut t.provider, other);
        assert!(admission.refused.is_empty(), "{:?}", admission.refused);
    }
    // The tablet no longer holds the key, yet its stored copy still carries the signature's
    // attestation: a reload (and every later upload) is accepted whole.
    let (reloaded, admission) =
        Report::from_signed(&[t.provider.save_signed()], &t.provider.id()).unwrap();
    assert!(admission.refused.is_empty(), "{:?}", admission.refused);
    assert!(!t
        .provider
        .my_keys()
        .contains(&key(FOR_THE_SIGNATURE).public_key()));
    for device in [&t.provider, &t.caseworker, &t.beneficiary, &reloaded] {
        assert_eq!(
            device.verify_signature(PERSON_LINE).unwrap(),
            Verification::Valid
        );
        assert_eq!(
            signer(device, PERSON_LINE),
            key(FOR_THE_SIGNATURE).public_key()
        );
        assert_eq!(
            device
                .roster()
                .role_of(&key(FOR_THE_SIGNATURE).public_key()),
            Some(Role::Beneficiary)
        );
        assert_eq!(
            member_name(device, &key(FOR_THE_SIGNATURE).public_key()),
            "Hannelore K. (am Gerät von Frau Träger)"
        );
    }
}

#[test]
fn a_device_that_may_grant_nothing_signs_nothing_with_a_strangers_key() {
    let mut t = three();
    assert!(!t.beneficiary.may_vouch_for(Role::Beneficiary));
    let before = t.beneficiary.heads();
    let strokes = drawn();
    let err = t
        .beneficiary
        .sign_in_person(
            &request(PERSON_LINE, Role::Beneficiary, "Hannelore K.", &strokes),
            &key(FOR_THE_SIGNATURE),
        )
        .unwrap_err();
    assert!(matches!(err, ModelError::Membership(_)), "{err}");
    assert_eq!(t.beneficiary.heads(), before, "nothing written");
    // Its own member key still signs: that device is the person's.
    t.beneficiary
        .sign(
            &request(PERSON_LINE, Role::Beneficiary, "Hannelore K.", &strokes),
            &key(BENEFICIARY),
        )
        .unwrap();
    let admission = sync(&mut t.beneficiary, &mut t.provider);
    assert!(admission.refused.is_empty(), "{:?}", admission.refused);
}

#[test]
fn a_key_of_one_role_cannot_sign_in_another_and_bad_requests_write_nothing() {
    let mut t = three();
    let strokes = drawn();
    t.provider
        .sign_in_person(
            &request(STAFF_LINE, Role::Provider, "Anna Berger", &strokes),
            &key(ANNA),
        )
        .unwrap();
    let before = t.provider.heads();
    let err = t
        .provider
        .sign_in_person(
            &request(PERSON_LINE, Role::Beneficiary, "Anna Berger", &strokes),
            &key(ANNA),
        )
        .unwrap_err();
    assert!(matches!(err, ModelError::Membership(_)), "{err}");
    // No name; a line the role may not sign; a field that is no signature line.
    let nameless = t
        .provider
        .sign_in_person(
            &request(HEAD_LINE, Role::Provider, "  ", &strokes),
            &key(BEN),
        )
        .unwrap_err();
    assert!(matches!(nameless, ModelError::Signature(_)), "{nameless}");
    assert!(t
        .provider
        .sign_in_person(
            &request(PERSON_LINE, Role::Provider, "Ben", &strokes),
            &key(BEN)
        )
        .is_err());
    assert!(t
        .provider
        .sign_in_person(
            &request("lb_name", Role::Provider, "Ben", &strokes),
            &key(BEN)
        )
        .is_err());
    assert_eq!(t.provider.heads(), before, "nothing written");
    assert_eq!(t.provider.roster().role_of(&key(BEN).public_key()), None);
}

#[test]
fn a_hostile_tablet_cannot_sign_with_a_persons_key_it_does_not_hold() {
    let mut t = three();
    let strokes = drawn();
    t.provider
        .sign_in_person(
            &request(STAFF_LINE, Role::Provider, "Anna Berger", &strokes),
            &key(ANNA),
        )
        .unwrap();
    settle(&mut t);
    // Later, without Anna's PIN, a hostile build on the tablet puts her signature record on
    // the head's line too (the tablet writes with its own key; Anna's seed is gone).
    let anna_record = {
        let doc = t.provider.doc_mut();
        let (_, fields) = doc.get(ROOT, "fields").unwrap().unwrap();
        let (_, line) = doc.get(&fields, STAFF_LINE).unwrap().unwrap();
        match doc.get(&line, "signed").unwrap().unwrap().0 {
            automerge::Value::Scalar(s) => match s.as_ref() {
                ScalarValue::Bytes(b) => b.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    };
    t.provider
        .set_text(Role::Provider, "erstellt_von", "Frau Träger")
        .unwrap();
    settle(&mut t);
    let bundle = hostile_bundle(&mut t.provider, |doc| {
        let (_, fields) = doc.get(ROOT, "fields").unwrap().unwrap();
        let (_, line) = doc.get(&fields, HEAD_LINE).unwrap().unwrap();
        doc.put(&line, "signed", ScalarValue::Bytes(anna_record))
            .unwrap();
    });
    for device in [&mut t.caseworker, &mut t.beneficiary] {
        let admission = device.admit(&bundle).unwrap();
        assert_eq!(admission.refused.len(), 1, "{:?}", admission.refused);
        assert!(
            matches!(
                &admission.refused[0].reason,
                RefusalReason::NotPermitted(what) if what.starts_with("im Namen einer anderen Person unterschreiben")
            ),
            "{:?}",
            admission.refused[0].reason
        );
        assert!(device.signature_record(HEAD_LINE).unwrap().is_none());
    }
}

#[test]
fn on_a_report_from_before_membership_a_person_signs_without_a_grant() {
    let mut r = new_report();
    assert!(r.may_vouch_for(Role::Provider));
    let strokes = drawn();
    r.sign_in_person(
        &request(STAFF_LINE, Role::Provider, "Anna Berger", &strokes),
        &key(ANNA),
    )
    .unwrap();
    assert_eq!(r.verify_signature(STAFF_LINE).unwrap(), Verification::Valid);
    assert_eq!(signer(&r, STAFF_LINE), key(ANNA).public_key());
    assert_eq!(
        r.participants()[&key(ANNA).public_hex()],
        Participant {
            role: Role::Provider,
            name: "Anna Berger".into()
        }
    );
}

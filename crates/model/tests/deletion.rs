//! "Für alle löschen": a deletion reaches devices as a standalone signed record (the relay
//! purges the history it would otherwise travel in), and each device checks it against its own
//! roster before dropping its copy. Only the owner and those who keep the case may delete;
//! every honest device refuses anything else, whoever hands it over.

mod common;

use common::members::*;
use common::T0;
use dreieck_model::trust::Deletion;
use dreieck_model::*;

#[test]
fn a_deletion_by_the_caseworker_is_accepted_by_every_device_and_names_who_and_when() {
    let t = three();
    assert_eq!(t.caseworker.may_delete_as(), Some(Role::Caseworker));
    assert_eq!(t.provider.may_delete_as(), Some(Role::Provider));
    let record = t
        .caseworker
        .sign_deletion(Role::Caseworker, T0 + 500)
        .unwrap();
    for device in [&t.provider, &t.caseworker, &t.beneficiary] {
        let notice = device.check_deletion(&record).expect("accepted");
        assert_eq!(notice.by_name, "Herr Amt");
        assert_eq!(notice.by_role, Role::Caseworker);
        assert_eq!(notice.time_ms, T0 + 500);
    }
}

#[test]
fn the_person_supported_cannot_delete_for_everyone_and_a_forged_record_is_refused() {
    let t = three();
    assert_eq!(t.beneficiary.may_delete_as(), None);
    let err = t
        .beneficiary
        .sign_deletion(Role::Beneficiary, T0 + 5)
        .unwrap_err();
    assert!(matches!(err, ModelError::Membership(_)), "{err}");

    // A hostile build signs one anyway, with its own member key: every device refuses it.
    let id = t.provider.id();
    let own = Deletion::sign(&id, T0 + 5, &key(BENEFICIARY)).encode();
    // A stranger's key (no member at all), and a caseworker's record with its time changed.
    let stranger = Deletion::sign(&id, T0 + 5, &key(77)).encode();
    let mut altered = Deletion::sign(&id, T0 + 5, &key(CASEWORKER));
    altered.time_ms += 1;
    // A valid record of another report.
    let other = Deletion::sign("another-report", T0 + 5, &key(CASEWORKER)).encode();
    for device in [&t.provider, &t.caseworker, &t.beneficiary] {
        assert_eq!(device.check_deletion(&own), None);
        assert_eq!(device.check_deletion(&stranger), None);
        assert_eq!(device.check_deletion(&altered.encode()), None);
        assert_eq!(device.check_deletion(&other), None);
        assert_eq!(device.check_deletion(b"not a record"), None);
        assert_eq!(device.check_deletion(&[]), None);
    }
}

#[test]
fn a_removed_caseworker_can_no_longer_delete() {
    let mut t = three();
    let removed = key(CASEWORKER).public_key();
    t.provider
        .remove_member(Role::Provider, &removed, T0 + 10)
        .unwrap();
    sync(&mut t.provider, &mut t.beneficiary);
    let record = Deletion::sign(&t.provider.id(), T0 + 20, &key(CASEWORKER)).encode();
    assert_eq!(t.provider.check_deletion(&record), None);
    assert_eq!(t.beneficiary.check_deletion(&record), None);
}

#[test]
fn records_round_trip_and_trailing_bytes_are_refused() {
    let record = Deletion::sign("r1", 7, &key(1));
    let bytes = record.encode();
    assert_eq!(Deletion::decode(&bytes), Some(record.clone()));
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(Deletion::decode(&longer), None);
    assert_eq!(Deletion::decode(&bytes[..bytes.len() - 1]), None);
    assert!(record.verifies("r1"));
    assert!(!record.verifies("r2"));
}

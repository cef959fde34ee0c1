//! "Für alle löschen": a deletion reaches devices as a standalone signed record (the relay
//! purges the history it would otherwise travel in), and each device checks it against its own
//! roster before dropping its copy. Only the owner and those who keep the case may delete;
//! every honest device refuses anything else, whoever hands it over.

mod common;

use common::members::*;
use common::{d, kvjs, T0};
use dreieck_model::trust::Deletion;
use dreieck_model::*;

/// The clock of the devices that check a deletion made now (it holds whenever it arrives).
const NOW: i64 = T0 + 1_000;

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
        let notice = device.check_deletion(&record, NOW).expect("accepted");
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
        assert_eq!(device.check_deletion(&own, NOW), None);
        assert_eq!(device.check_deletion(&stranger, NOW), None);
        assert_eq!(device.check_deletion(&altered.encode(), NOW), None);
        assert_eq!(device.check_deletion(&other, NOW), None);
        assert_eq!(device.check_deletion(b"not a record", NOW), None);
        assert_eq!(device.check_deletion(&[], NOW), None);
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
    assert_eq!(t.provider.check_deletion(&record, NOW), None);
    assert_eq!(t.beneficiary.check_deletion(&record, NOW), None);
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

/// The end of a submitted report's retention period, 30 November 2036 (10 years after the
/// submission): the deletion signed in advance takes effect at the start of the next day.
const RETENTION_OVER_MS: i64 = 2_111_702_400_000; // 2036-12-01T00:00:00Z

fn kept_ten_years() -> Three {
    let mut form = kvjs();
    form.retention_years = Some(10);
    three_of(&form)
}

#[test]
fn a_deletion_signed_in_advance_holds_only_once_each_devices_own_copy_and_clock_say_the_period_ended(
) {
    let mut t = kept_ten_years();
    assert!(
        t.caseworker
            .sign_retention_deletion(Role::Caseworker)
            .is_err(),
        "not submitted: no end to sign for"
    );
    t.caseworker
        .mark_submitted(Role::Caseworker, d(2026, 11, 30))
        .unwrap();
    settle(&mut t);
    let (until, record) = t
        .caseworker
        .sign_retention_deletion(Role::Caseworker)
        .unwrap();
    assert_eq!(until as i64 * 1000, RETENTION_OVER_MS);
    assert!(
        t.beneficiary
            .sign_retention_deletion(Role::Beneficiary)
            .is_err(),
        "the person supported cannot delete for everyone, in advance neither"
    );
    for device in [&t.provider, &t.caseworker, &t.beneficiary] {
        assert_eq!(
            device.check_deletion(&record, RETENTION_OVER_MS - 1),
            None,
            "a relay that purges before the end makes nobody drop a copy"
        );
        let notice = device
            .check_deletion(&record, RETENTION_OVER_MS)
            .expect("accepted once the period is over");
        assert!(notice.at_retention_end);
        assert_eq!(notice.by_name, "Herr Amt");
        assert_eq!(notice.time_ms, RETENTION_OVER_MS);
    }
    // The same record passed off as a deletion made now does not verify.
    let mut relabelled = record.clone();
    relabelled[0] = 1;
    assert_eq!(
        t.provider.check_deletion(&relabelled, RETENTION_OVER_MS),
        None
    );
    // Signed in advance by a stranger: refused like any deletion of theirs.
    let stranger =
        Deletion::sign_for_retention_end(&t.provider.id(), RETENTION_OVER_MS, &key(99)).encode();
    assert_eq!(
        t.provider.check_deletion(&stranger, RETENTION_OVER_MS),
        None
    );
    // Signed in advance by the person supported's own key, past the API that refuses it: no
    // honest device takes it.
    let person =
        Deletion::sign_for_retention_end(&t.provider.id(), RETENTION_OVER_MS, &key(BENEFICIARY))
            .encode();
    for device in [&t.provider, &t.caseworker, &t.beneficiary] {
        assert_eq!(device.check_deletion(&person, RETENTION_OVER_MS), None);
    }

    // The submission is withdrawn on the provider's device: it refuses the record; submitted
    // again later, its period ends later than the record says, and it refuses it still.
    t.provider.withdraw_submission(Role::Provider).unwrap();
    assert_eq!(
        t.provider
            .check_deletion(&record, RETENTION_OVER_MS + YEAR_MS),
        None
    );
    t.provider
        .mark_submitted(Role::Provider, d(2027, 3, 1))
        .unwrap();
    assert_eq!(
        t.provider
            .check_deletion(&record, RETENTION_OVER_MS + YEAR_MS),
        None
    );
    // A form without a retention period cannot have one signed for it.
    let mut plain = three();
    plain
        .caseworker
        .mark_submitted(Role::Caseworker, d(2026, 11, 30))
        .unwrap();
    assert!(plain
        .caseworker
        .sign_retention_deletion(Role::Caseworker)
        .is_err());
}

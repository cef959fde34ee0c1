//! A report's place in the case process: its status (Entwurf → im Gespräch → unterschrieben →
//! übermittelt) and the "fehlender Hilfebaustein" flags.

mod common;

use common::*;
use dreieck_model::*;

fn sign(r: &mut Report, field: &str, role: Role, seed: u8) {
    let strokes = Strokes::from_points(&[vec![(0.1, 0.5), (0.3, 0.4), (0.6, 0.6)]]);
    r.sign(
        &SignRequest {
            field,
            role,
            name: "Anna Berger",
            strokes: &strokes,
            time_ms: T0 + 1_000,
            date: d(2026, 11, 23),
        },
        &ParticipantKey::from_seed(&[seed; 32]),
    )
    .unwrap();
}

/// The three lines the KVJS form requires (the guardian's is optional).
fn sign_required(r: &mut Report) {
    sign(r, "unterschrift_leistungserbringer", Role::Provider, 1);
    sign(r, "unterschrift_leitung", Role::Provider, 2);
    sign(
        r,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        3,
    );
}

#[test]
fn a_new_report_is_a_draft_and_editing_keeps_it_one() {
    let mut r = new_report();
    assert_eq!(r.status(), Status::Draft);
    r.set_text(Role::Provider, "lb_name", "Müller, Anna")
        .unwrap();
    assert_eq!(r.status(), Status::Draft);
}

#[test]
fn the_conversation_beginning_makes_it_im_gespraech() {
    let mut r = new_report();
    r.set_present(Role::Provider, Role::Beneficiary, Some("Anna"))
        .unwrap();
    assert_eq!(r.status(), Status::InConversation);

    let mut s = new_report();
    s.set_conversation_step(Role::Provider, "1").unwrap();
    assert_eq!(s.status(), Status::InConversation);
    // Survives a save and load, as on another device.
    assert_eq!(reload(&mut s).status(), Status::InConversation);
}

#[test]
fn signed_needs_every_required_line_valid_for_the_report_as_it_is() {
    let mut r = new_report();
    sign(&mut r, "unterschrift_leistungserbringer", Role::Provider, 1);
    // One of three: signing has begun, the report is not signed.
    assert_eq!(r.status(), Status::InConversation);
    sign(&mut r, "unterschrift_leitung", Role::Provider, 2);
    sign(
        &mut r,
        "unterschrift_leistungsberechtigter",
        Role::Beneficiary,
        3,
    );
    // The guardian's line is optional and stays empty.
    assert_eq!(r.status(), Status::Signed);
    // An edit afterwards: the signatures cover an earlier version.
    r.set_text(Role::Beneficiary, "wuensche", "Noch ein Satz.")
        .unwrap();
    assert_eq!(r.status(), Status::InConversation);
}

#[test]
fn forms_without_signature_lines_are_never_signed() {
    let erwartung = builtin_templates()
        .into_iter()
        .find(|t| t.id == "goettingen-erwartungsbogen")
        .unwrap();
    let r = Report::create(&erwartung, "e1", T0).unwrap();
    assert_eq!(r.status(), Status::Draft);
}

#[test]
fn submission_is_recorded_by_provider_or_caseworker_and_can_be_withdrawn() {
    let mut r = new_report();
    sign_required(&mut r);
    let e = r
        .mark_submitted(Role::Beneficiary, d(2026, 11, 30))
        .unwrap_err();
    assert!(e.to_string().contains("Übermittlung"), "{e}");
    assert_eq!(r.status(), Status::Signed);

    r.mark_submitted(Role::Provider, d(2026, 11, 30)).unwrap();
    assert_eq!(r.status(), Status::Submitted);
    assert_eq!(
        r.submission(),
        Some(Submission {
            date: d(2026, 11, 30),
            role: Role::Provider
        })
    );
    let mut other = reload(&mut r);
    assert_eq!(other.status(), Status::Submitted);

    other.withdraw_submission(Role::Caseworker).unwrap();
    assert_eq!(other.submission(), None);
    assert_eq!(other.status(), Status::Signed);
}

#[test]
fn status_codes_round_trip() {
    for s in Status::ALL {
        assert_eq!(Status::from_code(s.code()), Some(s));
    }
    assert_eq!(Status::from_code("fertig"), None);
    assert_eq!(Status::Submitted.label(), "übermittelt");
}

#[test]
fn a_missing_help_flag_keeps_area_text_role_and_date() {
    let mut r = new_report();
    assert!(r.missing_help().is_empty());
    let id = r
        .add_missing_help(
            Role::Caseworker,
            "mobilitaet",
            "  Kein Fahrdienst am Wochenende. ",
            d(2026, 11, 23),
        )
        .unwrap();
    let flags = reload(&mut r).missing_help();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].id, id);
    assert_eq!(flags[0].area, "mobilitaet");
    assert_eq!(flags[0].area_label(), "Mobilität");
    assert_eq!(flags[0].text, "Kein Fahrdienst am Wochenende.");
    assert_eq!(flags[0].role, Role::Caseworker);
    assert_eq!(flags[0].date, Some(d(2026, 11, 23)));
}

#[test]
fn bad_missing_help_input_is_refused_and_writes_nothing() {
    let mut r = new_report();
    let before = r.heads();
    let day = d(2026, 11, 23);
    let cases = [
        (Role::Provider, "mond", "Text", "kein bekannter Bereich"),
        (Role::Provider, "wohnen", "   ", "Bitte beschreiben"),
        (Role::Beneficiary, "wohnen", "Text", "kann keinen"),
    ];
    for (role, area, text, message) in cases {
        let e = r.add_missing_help(role, area, text, day).unwrap_err();
        assert!(e.to_string().contains(message), "{e}");
    }
    let long = "x".repeat(MAX_MISSING_HELP_CHARS + 1);
    let e = r
        .add_missing_help(Role::Provider, "wohnen", &long, day)
        .unwrap_err();
    assert!(e.to_string().contains("höchstens"), "{e}");
    assert_eq!(r.heads(), before);
    assert!(r.missing_help().is_empty());
}

#[test]
fn flags_added_on_two_devices_both_survive_and_removal_reaches_the_other() {
    let mut a = new_report();
    let mut b = reload(&mut a);
    let day = d(2026, 11, 23);
    let on_a = a
        .add_missing_help(Role::Provider, "wohnen", "Keine betreute WG im Ort.", day)
        .unwrap();
    b.add_missing_help(Role::Caseworker, "arbeit", "Kein Zuverdienst-Platz.", day)
        .unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    assert_eq!(a.missing_help(), b.missing_help());
    assert_eq!(a.missing_help().len(), 2);

    b.remove_missing_help(Role::Caseworker, &on_a).unwrap();
    a.merge(&mut b).unwrap();
    let left: Vec<String> = a.missing_help().into_iter().map(|f| f.area).collect();
    assert_eq!(left, ["arbeit"]);
    let e = a.remove_missing_help(Role::Provider, &on_a).unwrap_err();
    assert!(e.to_string().contains("nicht mehr"), "{e}");
}

#[test]
fn the_areas_have_unique_codes_and_plain_labels() {
    let mut codes: Vec<&str> = HELP_AREAS.iter().map(|a| a.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), HELP_AREAS.len());
    assert!(HELP_AREAS.iter().all(|a| !a.plain_label.is_empty()));
    assert_eq!(help_area("wohnen").map(|a| a.label), Some("Wohnen"));
}

#[test]
fn a_submitted_report_is_kept_for_the_forms_retention_period() {
    let mut kvjs = kvjs();
    kvjs.retention_years = Some(10);
    let mut r = Report::create(&kvjs, "k1", T0).unwrap();
    assert_eq!(r.retention_end(), None, "not submitted: no end yet");
    r.mark_submitted(Role::Caseworker, d(2026, 11, 30)).unwrap();
    let end = r.retention_end().expect("submitted");
    assert_eq!(end, d(2036, 11, 30));
    assert_eq!(Retention::on(end, d(2036, 9, 1)), Retention::EndsSoon(end));
    assert_eq!(Retention::on(end, d(2036, 12, 1)), Retention::Ended(end));
    // It travels with the report's template.
    assert_eq!(reload(&mut r).retention_end(), Some(end));
    // A form without a period: no end, no reminder.
    let mut plain = Report::create(&common::kvjs(), "k2", T0).unwrap();
    plain
        .mark_submitted(Role::Provider, d(2026, 11, 30))
        .unwrap();
    assert_eq!(plain.retention_end(), None);
}

//! Every field kind: write, read, save/load, permissions, unknown fields, wrong kinds, bad codes.

mod common;

use common::*;
use dreieck_model::*;

#[test]
fn short_text_roundtrip() {
    let mut r = all_kinds();
    assert_eq!(r.text("kurz").unwrap(), "");
    r.set_text(Role::Provider, "kurz", "Muster, Maria").unwrap();
    assert_eq!(r.text("kurz").unwrap(), "Muster, Maria");
    assert_eq!(
        r.value("kurz").unwrap(),
        FieldValue::Text("Muster, Maria".into())
    );
    let loaded = reload(&mut r);
    assert_eq!(loaded.text("kurz").unwrap(), "Muster, Maria");
    assert_eq!(loaded.id(), "alle");
    assert_eq!(loaded.created_at_ms(), T0);
    assert_eq!(loaded.template(), r.template());
}

#[test]
fn long_text_roundtrip_and_splice_counts_scalar_values() {
    let mut r = all_kinds();
    r.set_text(Role::Beneficiary, "lang", "Grüße 😀 aus Tübingen")
        .unwrap();
    // Position 8 is after "Grüße 😀 " in scalar values (the emoji is one, not two or four).
    r.splice_text(Role::Provider, "lang", 8, 0, "und 👋 ")
        .unwrap();
    assert_eq!(r.text("lang").unwrap(), "Grüße 😀 und 👋 aus Tübingen");
    r.splice_text(Role::Provider, "lang", 6, 2, "").unwrap();
    assert_eq!(r.text("lang").unwrap(), "Grüße und 👋 aus Tübingen");
    let loaded = reload(&mut r);
    assert_eq!(loaded.text("lang").unwrap(), "Grüße und 👋 aus Tübingen");
}

#[test]
fn splice_past_the_end_is_clamped() {
    let mut r = all_kinds();
    r.set_text(Role::Provider, "kurz", "abc").unwrap();
    r.splice_text(Role::Provider, "kurz", 99, 5, "d").unwrap();
    assert_eq!(r.text("kurz").unwrap(), "abcd");
    r.splice_text(Role::Provider, "kurz", 2, 99, "").unwrap();
    assert_eq!(r.text("kurz").unwrap(), "ab");
}

#[test]
fn set_text_splices_only_the_difference() {
    let mut a = all_kinds();
    a.set_text(Role::Provider, "lang", "Sie kocht.").unwrap();
    let mut b = a.fork();
    // A edits the end, B the beginning, each by handing over the whole new value.
    a.set_text(Role::Provider, "lang", "Sie kocht gern.")
        .unwrap();
    b.set_text(Role::Provider, "lang", "Heute: Sie kocht.")
        .unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(a.text("lang").unwrap(), "Heute: Sie kocht gern.");
}

#[test]
fn unchanged_writes_make_no_change() {
    let mut r = all_kinds();
    r.set_text(Role::Provider, "kurz", "x").unwrap();
    r.set_date(Role::Caseworker, "tag", Some(d(2026, 1, 2)))
        .unwrap();
    let heads = r.heads_hex();
    r.set_text(Role::Provider, "kurz", "x").unwrap();
    r.set_date(Role::Caseworker, "tag", Some(d(2026, 1, 2)))
        .unwrap();
    r.splice_text(Role::Provider, "kurz", 0, 0, "").unwrap();
    r.set_choice(Role::Beneficiary, "farbe", None).unwrap();
    assert_eq!(r.heads_hex(), heads);
}

#[test]
fn date_roundtrip_and_clear() {
    let mut r = all_kinds();
    assert_eq!(r.value("tag").unwrap(), FieldValue::Date(None));
    r.set_date(Role::Caseworker, "tag", Some(d(2026, 2, 28)))
        .unwrap();
    assert_eq!(
        r.value("tag").unwrap(),
        FieldValue::Date(Some(d(2026, 2, 28)))
    );
    assert_eq!(
        reload(&mut r).value("tag").unwrap(),
        FieldValue::Date(Some(d(2026, 2, 28)))
    );
    r.set_date(Role::Caseworker, "tag", None).unwrap();
    assert_eq!(reload(&mut r).value("tag").unwrap(), FieldValue::Date(None));
}

#[test]
fn date_range_roundtrip() {
    let mut r = all_kinds();
    assert_eq!(
        r.value("zeit").unwrap(),
        FieldValue::DateRange(DateRange::default())
    );
    let range = DateRange {
        from: Some(d(2025, 11, 1)),
        to: Some(d(2026, 10, 31)),
    };
    r.set_date_range(Role::Provider, "zeit", range).unwrap();
    assert_eq!(
        reload(&mut r).value("zeit").unwrap(),
        FieldValue::DateRange(range)
    );
    let half = DateRange {
        from: None,
        to: Some(d(2026, 10, 31)),
    };
    r.set_date_range(Role::Provider, "zeit", half).unwrap();
    assert_eq!(
        reload(&mut r).value("zeit").unwrap(),
        FieldValue::DateRange(half)
    );
}

#[test]
fn choice_roundtrip_and_bad_code() {
    let mut r = all_kinds();
    assert_eq!(r.value("farbe").unwrap(), FieldValue::Choice(None));
    r.set_choice(Role::Beneficiary, "farbe", Some("blau"))
        .unwrap();
    assert_eq!(
        reload(&mut r).value("farbe").unwrap(),
        FieldValue::Choice(Some("blau".into()))
    );
    let err = r
        .set_choice(Role::Beneficiary, "farbe", Some("grün"))
        .unwrap_err();
    assert!(matches!(err, ModelError::UnknownCode { ref code, .. } if code == "grün"));
    assert_eq!(
        err.to_string(),
        "„grün“ ist kein gültiger Wert für „Farbe“."
    );
    assert_eq!(
        r.value("farbe").unwrap(),
        FieldValue::Choice(Some("blau".into()))
    );
    r.set_choice(Role::Beneficiary, "farbe", None).unwrap();
    assert_eq!(
        reload(&mut r).value("farbe").unwrap(),
        FieldValue::Choice(None)
    );
}

#[test]
fn signature_roundtrip() {
    let mut r = all_kinds();
    assert_eq!(
        r.value("sig").unwrap(),
        FieldValue::Signature(SignatureLine::default())
    );
    r.set_signature_name(Role::Guardian, "sig", "Petra Huber")
        .unwrap();
    r.set_signature_date(Role::Guardian, "sig", Some(d(2026, 11, 23)))
        .unwrap();
    let want = SignatureLine {
        name: "Petra Huber".into(),
        date: Some(d(2026, 11, 23)),
    };
    assert_eq!(
        reload(&mut r).value("sig").unwrap(),
        FieldValue::Signature(want)
    );
}

#[test]
fn goals_field_value_is_a_marker() {
    let r = all_kinds();
    assert_eq!(r.value("ziele").unwrap(), FieldValue::Goals);
}

#[test]
fn permission_refused_for_every_kind() {
    let mut r = all_kinds();
    let heads = r.heads_hex();
    let denied = |e: ModelError| matches!(e, ModelError::NotPermitted { .. });
    assert!(denied(
        r.set_text(Role::Beneficiary, "kurz", "x").unwrap_err()
    ));
    assert!(denied(
        r.splice_text(Role::Caseworker, "lang", 0, 0, "x")
            .unwrap_err()
    ));
    assert!(denied(
        r.set_date(Role::Provider, "tag", Some(d(2026, 1, 1)))
            .unwrap_err()
    ));
    assert!(denied(
        r.set_date_range(Role::Beneficiary, "zeit", DateRange::default())
            .unwrap_err()
    ));
    assert!(denied(
        r.set_choice(Role::Provider, "farbe", Some("rot"))
            .unwrap_err()
    ));
    assert!(denied(
        r.set_signature_name(Role::Provider, "sig", "x")
            .unwrap_err()
    ));
    assert!(denied(
        r.set_signature_date(Role::Beneficiary, "sig", None)
            .unwrap_err()
    ));
    assert!(denied(r.add_goal(Role::Beneficiary).unwrap_err()));
    assert_eq!(r.heads_hex(), heads, "a refused write changes nothing");
    let msg = r
        .set_text(Role::Beneficiary, "kurz", "x")
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        "Die Rolle „Leistungsberechtigte Person“ darf das Feld „Kurz“ nicht ändern."
    );
}

#[test]
fn kvjs_signature_lines_belong_to_their_signers() {
    let mut r = new_report();
    for (field, signer) in [
        ("unterschrift_leistungserbringer", Role::Provider),
        ("unterschrift_leitung", Role::Provider),
        ("unterschrift_leistungsberechtigter", Role::Beneficiary),
        ("unterschrift_betreuer", Role::Guardian),
    ] {
        for role in Role::ALL {
            let result = r.set_signature_name(role, field, &format!("{role:?}"));
            assert_eq!(result.is_ok(), role == signer, "{field} by {role:?}");
        }
    }
    // The beneficiary writes their own data and wishes, not the provider's details.
    assert!(r.set_text(Role::Beneficiary, "lb_anschrift", "x").is_ok());
    assert!(r.set_text(Role::Beneficiary, "wuensche", "x").is_ok());
    assert!(r
        .set_text(Role::Beneficiary, "einrichtung_email", "x")
        .is_err());
    assert!(r
        .set_text(Role::Caseworker, "entwicklung_mobilitaet", "x")
        .is_err());
}

#[test]
fn unknown_field() {
    let mut r = all_kinds();
    let unknown =
        |e: ModelError| matches!(e, ModelError::UnknownField(ref f) if f.starts_with("gibtsnicht"));
    assert!(unknown(r.text("gibtsnicht").unwrap_err()));
    assert!(unknown(r.value("gibtsnicht").unwrap_err()));
    assert!(unknown(
        r.set_text(Role::Provider, "gibtsnicht", "x").unwrap_err()
    ));
    assert!(unknown(
        r.set_date(Role::Provider, "gibtsnicht", None).unwrap_err()
    ));
    assert!(unknown(r.conflicts("gibtsnicht").unwrap_err()));
    assert!(matches!(
        r.conflicts("zeit/mitte").unwrap_err(),
        ModelError::UnknownField(_)
    ));
}

#[test]
fn wrong_kind() {
    let mut r = all_kinds();
    let wrong = |e: ModelError| matches!(e, ModelError::WrongKind { .. });
    assert!(wrong(r.text("tag").unwrap_err()));
    assert!(wrong(
        r.splice_text(Role::Provider, "zeit", 0, 0, "x")
            .unwrap_err()
    ));
    assert!(wrong(r.set_date(Role::Provider, "zeit", None).unwrap_err()));
    assert!(wrong(
        r.set_date_range(Role::Provider, "kurz", DateRange::default())
            .unwrap_err()
    ));
    assert!(wrong(
        r.set_choice(Role::Caseworker, "tag", None).unwrap_err()
    ));
    assert!(wrong(
        r.set_signature_date(Role::Provider, "kurz", None)
            .unwrap_err()
    ));
    assert!(wrong(r.conflicts("zeit").unwrap_err()));
    assert!(wrong(r.conflicts("sig").unwrap_err()));
    assert_eq!(r.conflicts("kurz").unwrap(), Vec::<String>::new());
}

#[test]
fn concurrent_scalar_conflict_is_surfaced_and_resolved_by_setting_again() {
    let mut a = all_kinds();
    let mut b = a.fork();
    a.set_date(Role::Caseworker, "tag", Some(d(2026, 1, 1)))
        .unwrap();
    b.set_date(Role::Caseworker, "tag", Some(d(2026, 2, 2)))
        .unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    let conflicts = a.conflicts("tag").unwrap();
    assert_eq!(conflicts.len(), 2);
    assert_eq!(
        conflicts,
        b.conflicts("tag").unwrap(),
        "same order everywhere"
    );
    // Winner first: the value `value` shows.
    let FieldValue::Date(Some(shown)) = a.value("tag").unwrap() else {
        panic!("date expected")
    };
    assert_eq!(conflicts[0], shown.iso());
    assert!(a.has_conflict("tag").unwrap());
    // Setting the loser again resolves it, on every replica.
    let loser = Date::parse_iso(&conflicts[1]).unwrap();
    b.set_date(Role::Caseworker, "tag", Some(loser)).unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(a.conflicts("tag").unwrap(), vec![loser.iso()]);
    assert!(!a.has_conflict("tag").unwrap());
    assert_eq!(a.value("tag").unwrap(), FieldValue::Date(Some(loser)));
}

#[test]
fn conflicts_of_choice_range_ends_and_signature_dates() {
    let mut a = all_kinds();
    let mut b = a.fork();
    a.set_choice(Role::Beneficiary, "farbe", Some("rot"))
        .unwrap();
    b.set_choice(Role::Beneficiary, "farbe", Some("blau"))
        .unwrap();
    a.set_date_range(
        Role::Provider,
        "zeit",
        DateRange {
            from: Some(d(2025, 1, 1)),
            to: None,
        },
    )
    .unwrap();
    b.set_date_range(
        Role::Provider,
        "zeit",
        DateRange {
            from: None,
            to: Some(d(2025, 12, 31)),
        },
    )
    .unwrap();
    a.set_signature_date(Role::Guardian, "sig", Some(d(2026, 1, 1)))
        .unwrap();
    b.set_signature_date(Role::Guardian, "sig", Some(d(2026, 1, 2)))
        .unwrap();
    a.merge(&mut b).unwrap();
    let mut farbe = a.conflicts("farbe").unwrap();
    farbe.sort();
    assert_eq!(farbe, vec!["blau", "rot"]);
    assert_eq!(a.conflicts("sig/date").unwrap().len(), 2);
    assert!(a.has_conflict("sig").unwrap());
    // A sets only "von", B only "bis": both survive, no conflict.
    assert_eq!(
        a.value("zeit").unwrap(),
        FieldValue::DateRange(DateRange {
            from: Some(d(2025, 1, 1)),
            to: Some(d(2025, 12, 31)),
        })
    );
    assert_eq!(a.conflicts("zeit/from").unwrap().len(), 1);
    assert!(!a.has_conflict("zeit").unwrap());
}

#[test]
fn concurrent_first_words_in_an_empty_field_are_both_kept() {
    // The Text exists from creation on, so two replicas typing into the empty field write into
    // the same object and the merge keeps both.
    let mut a = new_report();
    let mut b = a.fork();
    a.set_text(Role::Provider, "entwicklung_freizeit", "Chor.")
        .unwrap();
    b.set_text(Role::Provider, "entwicklung_freizeit", "Schwimmen.")
        .unwrap();
    a.apply(&b.save()).unwrap();
    let text = a.text("entwicklung_freizeit").unwrap();
    assert!(
        text.contains("Chor.") && text.contains("Schwimmen."),
        "{text}"
    );
}

#[test]
fn title_is_the_name() {
    let mut r = new_report();
    assert_eq!(r.title(), "");
    r.set_text(Role::Provider, "lb_name", " Muster, Maria ")
        .unwrap();
    assert_eq!(r.title(), "Muster, Maria");
}

#[test]
fn create_refuses_a_broken_template() {
    let mut t = kvjs();
    t.sections[0].fields[0].plain_label = " ".into();
    assert!(matches!(
        Report::create(&t, "x", T0).unwrap_err(),
        ModelError::Template(TemplateError::Invalid { .. })
    ));
}

#[test]
fn changes_carry_the_time_the_caller_gives() {
    let mut r = new_report();
    r.set_now_ms(T0 + 61_000);
    r.set_text(Role::Provider, "lb_name", "x").unwrap();
    let change = r.doc_mut().get_last_local_change().unwrap();
    assert_eq!(change.timestamp(), (T0 + 61_000) / 1000);
}

#[test]
fn text_objects_exist_for_every_text_field_and_goal() {
    let mut r = new_report();
    let t = r.template().clone();
    for f in t.fields() {
        if matches!(f.kind, FieldKind::ShortText | FieldKind::LongText) {
            assert!(r.text_object(&f.id).is_ok(), "{}", f.id);
        }
    }
    let g = r.add_goal(Role::Provider).unwrap();
    assert!(r.goal_text_object(&g, &GoalText::Text).is_ok());
    assert!(r.goal_text_object(&g, &GoalText::main_measure()).is_ok());
    assert!(r.text_object("ziele").is_err());
}

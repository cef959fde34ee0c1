//! What validation reports, in German, and when.

mod common;

use common::*;
use dreieck_model::*;

const P: Role = Role::Provider;

fn messages(r: &Report, today: Date) -> Vec<String> {
    validate(r, today).into_iter().map(|p| p.message).collect()
}

fn today() -> Date {
    d(2026, 11, 23)
}

#[test]
fn an_empty_report_lists_every_required_field() {
    let r = new_report();
    let problems = validate(&r, today());
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "lb_name",
            "lb_geburtsdatum",
            "einrichtung_name_anschrift",
            "berichtszeitraum",
            "erstellt_von",
            "ziele",
            "unterschrift_leistungserbringer",
            "unterschrift_leitung",
            "unterschrift_leistungsberechtigter",
        ]
    );
    assert_eq!(problems[0].message, "Bitte „Name, Vorname“ ausfüllen.");
    assert_eq!(problems[1].message, "Bitte „Geburtsdatum“ ausfüllen.");
    assert_eq!(
        problems[5].message,
        "Bitte bei „Ziele und Maßnahmen“ mindestens ein Ziel eintragen."
    );
    assert!(problems.iter().all(|p| p.goal.is_none()));
}

#[test]
fn blanks_do_not_count_as_filled() {
    let mut r = new_report();
    r.set_text(P, "lb_name", "   \n").unwrap();
    assert!(messages(&r, today()).contains(&"Bitte „Name, Vorname“ ausfüllen.".to_string()));
}

#[test]
fn the_demo_report_only_lacks_signatures() {
    let mut r = sample::demo_report("demo", T0).unwrap();
    assert_eq!(validate_before_signing(&r, today()), vec![]);
    assert_eq!(validate(&r, today()).len(), 3);
    for (field, role) in [
        ("unterschrift_leistungserbringer", Role::Provider),
        ("unterschrift_leitung", Role::Provider),
        ("unterschrift_leistungsberechtigter", Role::Beneficiary),
    ] {
        // A typed name and date are not a signature.
        r.set_signature_name(role, field, "Name").unwrap();
        r.set_signature_date(role, field, Some(today())).unwrap();
    }
    assert_eq!(validate(&r, today()).len(), 3);
    for (n, (field, role)) in [
        ("unterschrift_leistungserbringer", Role::Provider),
        ("unterschrift_leitung", Role::Provider),
        ("unterschrift_leistungsberechtigter", Role::Beneficiary),
    ]
    .into_iter()
    .enumerate()
    {
        sign(&mut r, field, role, "Name", n as u8);
    }
    // The guardian's line is optional.
    assert_eq!(validate(&r, today()), vec![]);
}

fn sign(r: &mut Report, field: &str, role: Role, name: &str, seed: u8) {
    let strokes = Strokes::from_points(&[vec![(0.1, 0.1), (0.9, 0.9)]]);
    r.sign(
        &SignRequest {
            field,
            role,
            name,
            strokes: &strokes,
            time_ms: T0,
            date: today(),
        },
        &ParticipantKey::from_seed(&[seed; 32]),
    )
    .unwrap();
}

#[test]
fn required_signature_lines_must_be_signed() {
    let r = sample::demo_report("demo", T0).unwrap();
    assert_eq!(
        messages(&r, today()),
        [
            "Bitte „Unterschrift/Datum Leistungserbringer“ unterschreiben.",
            "Bitte „Unterschrift/Datum des/der Leiter/in“ unterschreiben.",
            "Bitte „Unterschrift/Datum des Leistungsberechtigten“ unterschreiben.",
        ]
    );
    assert!(validate(&r, today()).iter().all(|p| !p.note));
}

#[test]
fn a_signature_for_an_earlier_version_is_a_note_naming_what_changed() {
    let mut r = sample::demo_report("demo", T0).unwrap();
    sign(
        &mut r,
        "unterschrift_leistungserbringer",
        P,
        "Anna Berger",
        1,
    );
    r.set_text(P, "erstellt_von", "Jemand anders").unwrap();
    let problems = validate(&r, today());
    let note: Vec<&Problem> = problems.iter().filter(|p| p.note).collect();
    assert_eq!(note.len(), 1);
    assert_eq!(note[0].field, "unterschrift_leistungserbringer");
    assert_eq!(
        note[0].message,
        "„Unterschrift/Datum Leistungserbringer“ gilt für eine frühere Fassung. Seitdem geändert: „Der Ergebnisbericht wurde erstellt von“. Bitte erneut unterschreiben."
    );
}

#[test]
fn an_invalid_signature_is_a_problem() {
    use automerge::transaction::Transactable;
    use automerge::ReadDoc;
    let mut r = sample::demo_report("demo", T0).unwrap();
    sign(
        &mut r,
        "unterschrift_leistungserbringer",
        P,
        "Anna Berger",
        1,
    );
    let doc = r.doc_mut();
    let (_, participants) = doc.get(automerge::ROOT, "participants").unwrap().unwrap();
    let key = ParticipantKey::from_seed(&[1; 32]).public_hex();
    doc.delete(&participants, key.as_str()).unwrap();
    doc.commit();
    let problems = validate(&r, today());
    let p = problems
        .iter()
        .find(|p| p.field == "unterschrift_leistungserbringer")
        .unwrap();
    assert!(!p.note);
    assert!(p.message.contains("ist ungültig"), "{}", p.message);
}

#[test]
fn period_in_order() {
    let mut r = sample::demo_report("demo", T0).unwrap();
    let range = |from, to| DateRange { from, to };
    r.set_date_range(
        P,
        "berichtszeitraum",
        range(Some(d(2026, 2, 1)), Some(d(2026, 1, 31))),
    )
    .unwrap();
    assert_eq!(
        messages(&r, today())[0],
        "„Berichtszeitraum des Ergebnisberichts“: „von“ (01.02.2026) liegt nach „bis“ (31.01.2026)."
    );
    r.set_date_range(
        P,
        "berichtszeitraum",
        range(Some(d(2026, 1, 1)), Some(d(2026, 1, 1))),
    )
    .unwrap();
    assert_eq!(validate_before_signing(&r, today()), vec![]);
    r.set_date_range(P, "berichtszeitraum", range(None, Some(d(2026, 1, 1))))
        .unwrap();
    assert_eq!(
        validate_before_signing(&r, today())[0].message,
        "Bitte bei „Berichtszeitraum des Ergebnisberichts“ auch „von“ angeben."
    );
}

#[test]
fn birth_date_plausible() {
    let mut r = sample::demo_report("demo", T0).unwrap();
    let check = |r: &mut Report, date: Date| {
        r.set_date(P, "lb_geburtsdatum", Some(date)).unwrap();
        validate_before_signing(r, today())
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        check(&mut r, d(2026, 11, 24)),
        ["„Geburtsdatum“ darf nicht in der Zukunft liegen."]
    );
    assert!(check(&mut r, today()).is_empty());
    assert!(
        check(&mut r, d(1906, 11, 23)).is_empty(),
        "exactly 120 years"
    );
    assert_eq!(
        check(&mut r, d(1906, 11, 22)),
        ["„Geburtsdatum“ liegt mehr als 120 Jahre zurück. Bitte prüfen."]
    );
    // Other dates may lie in the future (no birth-date check).
    r.set_date(P, "lb_geburtsdatum", Some(d(1980, 1, 1)))
        .unwrap();
    r.set_date(P, "gesamtplan_vom", Some(d(2030, 1, 1)))
        .unwrap();
    assert!(validate_before_signing(&r, today()).is_empty());
}

#[test]
fn each_goal_must_be_complete() {
    let mut r = sample::demo_report("demo", T0).unwrap();
    let id = r.add_goal(P).unwrap();
    let goal_problems = |r: &Report| {
        validate_before_signing(r, today())
            .into_iter()
            .filter(|p| p.goal.as_deref() == Some(id.as_str()))
            .map(|p| p.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        goal_problems(&r),
        [
            "Ziel 6: Bitte das Ziel eintragen.",
            "Ziel 6: Bitte die Zielerreichung angeben.",
        ]
    );
    r.set_goal_text(P, &id, "Frau M. kocht einmal pro Woche.")
        .unwrap();
    r.set_goal_achievement(P, &id, Some("3")).unwrap();
    assert_eq!(
        goal_problems(&r),
        ["Ziel 6: Bitte den Grund angeben, warum das Ziel nicht (ganz) erreicht wurde."]
    );
    r.set_goal_reason(P, &id, Some("2")).unwrap();
    assert!(goal_problems(&r).is_empty());
    r.set_goal_reason(P, &id, None).unwrap();
    r.set_goal_achievement(P, &id, Some("4")).unwrap();
    assert!(goal_problems(&r).is_empty(), "4 needs no reason");
    let problems = validate_before_signing(&r, today());
    assert!(problems
        .iter()
        .all(|p| p.field == "ziele" || p.goal.is_none()));
}

#[test]
fn half_filled_signature_lines() {
    let mut r = sample::demo_report("demo", T0).unwrap();
    r.set_signature_name(Role::Guardian, "unterschrift_betreuer", "Petra Huber")
        .unwrap();
    assert!(messages(&r, today()).contains(
        &"Bitte bei „Unterschrift/Datum des rechtlichen Betreuers“ auch das Datum eintragen."
            .to_string()
    ));
    r.set_signature_date(Role::Guardian, "unterschrift_betreuer", Some(today()))
        .unwrap();
    assert!(!messages(&r, today())
        .iter()
        .any(|m| m.contains("rechtlichen Betreuers")));
}

#[test]
fn unresolved_conflicts_block_signing() {
    let mut a = sample::demo_report("demo", T0).unwrap();
    let mut b = a.fork();
    a.set_date(P, "gesamtplan_vom", Some(d(2025, 1, 1)))
        .unwrap();
    b.set_date(P, "gesamtplan_vom", Some(d(2025, 1, 2)))
        .unwrap();
    // Goal 2 of the demo is rated 3 with a reason; 1 and 2 keep the reason valid.
    let goal = a.goals()[1].id.clone();
    a.set_goal_achievement(P, &goal, Some("1")).unwrap();
    b.set_goal_achievement(P, &goal, Some("2")).unwrap();
    a.merge(&mut b).unwrap();
    let m = validate_before_signing(&a, today())
        .into_iter()
        .map(|p| p.message)
        .collect::<Vec<_>>();
    assert_eq!(
        m,
        [
            "„Gesamtplan des Leistungsträgers vom“ wurde gleichzeitig verschieden ausgefüllt. Bitte einen Wert auswählen.",
            "Ziel 2: die Zielerreichung wurde gleichzeitig verschieden angegeben. Bitte einen Wert auswählen.",
        ]
    );
}

#[test]
fn goals_not_required_in_a_template_that_says_so() {
    let mut r = all_kinds();
    let fields: Vec<String> = validate(&r, today()).into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["farbe"], "only the required choice");
    assert_eq!(
        validate(&r, today())[0].message,
        "Bitte bei „Farbe“ eine Antwort auswählen."
    );
    r.set_choice(Role::Beneficiary, "farbe", Some("rot"))
        .unwrap();
    assert!(validate(&r, today()).is_empty());
}

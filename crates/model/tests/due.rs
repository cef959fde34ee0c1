//! Due dates from the forms' own rules (seeds 000 and 002), as of a given "today".

mod common;

use common::*;
use dreieck_model::*;

fn template(id: &str) -> Template {
    builtin_templates()
        .into_iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("{id} is shipped"))
}

fn feedback(anlass: Option<&str>) -> Report {
    let mut r = Report::create(&template("goettingen-feedbackbogen"), "f", T0).unwrap();
    r.set_choice(Role::Provider, "anlass", anlass).unwrap();
    r
}

fn teilnahme(r: &mut Report, from: Option<Date>, to: Option<Date>) {
    r.set_date_range(Role::Provider, "teilnahme", DateRange { from, to })
        .unwrap();
}

fn kvjs_until(to: Option<Date>) -> Report {
    let mut r = new_report();
    r.set_date_range(
        Role::Provider,
        "berichtszeitraum",
        DateRange {
            from: Some(d(2025, 1, 1)),
            to,
        },
    )
    .unwrap();
    r
}

// ---- Feedbackbogen --------------------------------------------------------------------------

#[test]
fn nichtantritt_is_due_one_week_after_the_planned_start() {
    let mut r = feedback(Some("nichtantritt"));
    teilnahme(&mut r, Some(d(2026, 3, 2)), Some(d(2026, 6, 30)));
    let due = due(&r, d(2026, 3, 2));
    assert_eq!(due.date, Some(d(2026, 3, 9)));
    // "sofort": from the event on it is due soon.
    assert_eq!(due.state, Some(DueState::BaldFaellig));
    assert!(due.reason.starts_with("Nichtantritt"), "{}", due.reason);
    assert!(due.reason.contains("02.03.2026"), "{}", due.reason);
}

#[test]
fn abbruch_is_due_one_week_after_the_event() {
    let mut r = feedback(Some("abbruch"));
    teilnahme(&mut r, Some(d(2026, 1, 5)), Some(d(2026, 6, 30)));
    r.set_date(Role::Provider, "abbruch_am", Some(d(2026, 4, 10)))
        .unwrap();
    let on_time = due(&r, d(2026, 4, 17));
    assert_eq!(on_time.date, Some(d(2026, 4, 17)));
    assert_eq!(
        on_time.state,
        Some(DueState::BaldFaellig),
        "the last day still counts"
    );
    let late = due(&r, d(2026, 4, 18));
    assert_eq!(late.state, Some(DueState::Ueberfaellig));
    assert!(late.reason.contains("10.04.2026"), "{}", late.reason);
}

#[test]
fn regulaer_is_due_on_the_last_day_then_two_weeks_after_the_conversation() {
    let mut r = feedback(Some("regulaer"));
    teilnahme(&mut r, Some(d(2026, 1, 5)), Some(d(2026, 6, 30)));
    // Before the conversation: at the latest on the last day of participation.
    let before = due(&r, d(2026, 5, 1));
    assert_eq!(before.date, Some(d(2026, 6, 30)));
    assert_eq!(before.state, Some(DueState::Offen));
    assert_eq!(due(&r, d(2026, 6, 23)).state, Some(DueState::BaldFaellig));
    assert_eq!(due(&r, d(2026, 6, 22)).state, Some(DueState::Offen));
    assert_eq!(due(&r, d(2026, 7, 1)).state, Some(DueState::Ueberfaellig));
    // After the conversation ("Erstellt am"): two weeks to reach the IFK.
    r.set_date(Role::Provider, "erstellt_am", Some(d(2026, 6, 29)))
        .unwrap();
    let after = due(&r, d(2026, 7, 1));
    assert_eq!(after.date, Some(d(2026, 7, 13)));
    assert_eq!(after.state, Some(DueState::Offen));
    assert!(after.reason.contains("zwei Wochen"), "{}", after.reason);
    assert!(after.reason.contains("29.06.2026"), "{}", after.reason);
}

#[test]
fn month_ends_and_leap_years() {
    let mut r = feedback(Some("abbruch"));
    for (event, expected) in [
        (d(2024, 2, 22), d(2024, 2, 29)), // leap year: 29 February exists
        (d(2023, 2, 22), d(2023, 3, 1)),  // no 29 February
        (d(2024, 2, 29), d(2024, 3, 7)),
        (d(2026, 1, 31), d(2026, 2, 7)),
        (d(2026, 12, 28), d(2027, 1, 4)), // across the year
    ] {
        r.set_date(Role::Provider, "abbruch_am", Some(event))
            .unwrap();
        assert_eq!(due(&r, event).date, Some(expected), "{event}");
    }
    let mut r = feedback(Some("regulaer"));
    teilnahme(&mut r, Some(d(2024, 1, 1)), Some(d(2024, 2, 29)));
    r.set_date(Role::Provider, "erstellt_am", Some(d(2024, 2, 20)))
        .unwrap();
    assert_eq!(due(&r, d(2024, 2, 20)).date, Some(d(2024, 3, 5)));
}

#[test]
fn missing_dates_give_no_due_date_but_say_what_is_missing() {
    let cases: [(Option<&str>, &str); 4] = [
        (None, "Anlass"),
        (Some("nichtantritt"), "von"),
        (Some("abbruch"), "Abbruch am"),
        (Some("regulaer"), "bis"),
    ];
    for (anlass, missing) in cases {
        let r = feedback(anlass);
        let due = due(&r, d(2026, 1, 1));
        assert_eq!(due.date, None, "{anlass:?}");
        assert_eq!(due.state, None, "{anlass:?}");
        assert!(due.reason.contains(missing), "{anlass:?}: {}", due.reason);
    }
}

// ---- KVJS Ergebnisbericht -----------------------------------------------------------------

#[test]
fn ergebnisbericht_is_due_by_the_end_of_the_reporting_period() {
    let r = kvjs_until(Some(d(2026, 12, 31)));
    let due_then = |today| due(&r, today);
    assert_eq!(due_then(d(2026, 11, 1)).date, Some(d(2026, 12, 31)));
    assert_eq!(due_then(d(2026, 11, 1)).state, Some(DueState::Offen));
    assert_eq!(due_then(d(2026, 12, 24)).state, Some(DueState::BaldFaellig));
    assert_eq!(due_then(d(2026, 12, 31)).state, Some(DueState::BaldFaellig));
    assert_eq!(due_then(d(2027, 1, 1)).state, Some(DueState::Ueberfaellig));
    assert!(due_then(d(2026, 11, 1))
        .reason
        .contains("Bewilligungszeitraums"));
    let open = kvjs_until(None);
    let due = due(&open, d(2026, 1, 1));
    assert_eq!((due.date, due.state), (None, None));
    assert!(due.reason.contains("Berichtszeitraum"), "{}", due.reason);
}

#[test]
fn the_end_of_the_approval_period_comes_first_where_it_is_known() {
    // The reporting period runs to the end of the year, the approval (Bescheid) ends in
    // October: the report is due before the approval runs out.
    let mut r = kvjs_until(Some(d(2026, 12, 31)));
    r.set_date_range(
        Role::Caseworker,
        "bewilligungszeitraum",
        DateRange {
            from: Some(d(2024, 11, 1)),
            to: Some(d(2026, 10, 31)),
        },
    )
    .unwrap();
    let due = due(&r, d(2026, 10, 30));
    assert_eq!(due.date, Some(d(2026, 10, 31)));
    assert_eq!(due.state, Some(DueState::BaldFaellig));
    assert_eq!(
        due.reason,
        "Ergebnisbericht: vor Ablauf des Bewilligungszeitraums vorzulegen, spätestens am 31.10.2026."
    );
    // Only its start known: the reporting period decides, as before.
    r.set_date_range(
        Role::Provider,
        "bewilligungszeitraum",
        DateRange {
            from: Some(d(2024, 11, 1)),
            to: None,
        },
    )
    .unwrap();
    assert_eq!(deadline(&r).date, Some(d(2026, 12, 31)));
    // The person supported does not write it.
    assert!(r
        .set_date_range(
            Role::Beneficiary,
            "bewilligungszeitraum",
            DateRange::default()
        )
        .is_err());
}

#[test]
fn only_forms_with_a_rule_have_one() {
    let with: Vec<String> = builtin_templates()
        .into_iter()
        .filter(has_deadline_rule)
        .map(|t| t.id)
        .collect();
    assert_eq!(with, ["kvjs-ergebnisbericht", "goettingen-feedbackbogen"]);
}

// ---- forms without a deadline -------------------------------------------------------------

#[test]
fn forms_without_a_rule_have_no_due_date() {
    for id in ["goettingen-erwartungsbogen", "hamburg-wille-ressourcen"] {
        let t = template(id);
        let r = Report::create(&t, "x", T0).unwrap();
        let due = due(&r, d(2026, 1, 1));
        assert_eq!((due.date, due.state), (None, None), "{id}");
        assert!(due.reason.contains(&t.name), "{}", due.reason);
    }
}

#[test]
fn state_labels_are_german() {
    assert_eq!(DueState::Offen.label(), "offen");
    assert_eq!(DueState::BaldFaellig.label(), "bald fällig");
    assert_eq!(DueState::Ueberfaellig.label(), "überfällig");
}

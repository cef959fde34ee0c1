//! What read-aloud says a field holds, in plain language.

mod common;

use common::*;
use dreieck_model::*;

#[test]
fn empty_fields_say_that_they_are_empty() {
    let r = new_report();
    assert_eq!(
        r.spoken_value("lb_name").unwrap(),
        ["Hier steht noch nichts."]
    );
    assert_eq!(
        r.spoken_value("lb_geburtsdatum").unwrap(),
        ["Hier steht noch kein Datum."]
    );
    assert_eq!(
        r.spoken_value("berichtszeitraum").unwrap(),
        ["Hier steht noch kein Datum."]
    );
    assert_eq!(
        r.spoken_value("unterschrift_leistungsberechtigter")
            .unwrap(),
        ["Hier hat noch niemand unterschrieben."]
    );
    assert_eq!(
        r.spoken_value("ziele").unwrap(),
        ["Es gibt noch keine Ziele."]
    );
}

#[test]
fn text_is_read_sentence_by_sentence() {
    let mut r = new_report();
    r.set_text(
        Role::Beneficiary,
        "wuensche",
        "Ich will allein einkaufen. Und kochen!",
    )
    .unwrap();
    assert_eq!(
        r.spoken_value("wuensche").unwrap(),
        ["Hier steht:", "Ich will allein einkaufen.", "Und kochen!"]
    );
}

#[test]
fn dates_are_read_with_the_month_name() {
    let mut r = new_report();
    r.set_date(Role::Provider, "lb_geburtsdatum", Some(d(1990, 3, 7)))
        .unwrap();
    assert_eq!(
        r.spoken_value("lb_geburtsdatum").unwrap(),
        ["Das Datum ist der 7. März 1990."]
    );
    let range = |from, to| DateRange { from, to };
    r.set_date_range(
        Role::Provider,
        "berichtszeitraum",
        range(Some(d(2026, 1, 1)), Some(d(2026, 12, 31))),
    )
    .unwrap();
    assert_eq!(
        r.spoken_value("berichtszeitraum").unwrap(),
        ["Vom 1. Januar 2026 bis zum 31. Dezember 2026."]
    );
    r.set_date_range(
        Role::Provider,
        "berichtszeitraum",
        range(None, Some(d(2026, 12, 31))),
    )
    .unwrap();
    assert_eq!(
        r.spoken_value("berichtszeitraum").unwrap(),
        ["Bis zum 31. Dezember 2026."]
    );
}

#[test]
fn goals_are_read_with_number_text_and_both_ratings_in_plain_words() {
    let mut r = new_report();
    let g = r.add_goal(Role::Provider).unwrap();
    r.set_goal_text(Role::Provider, &g, "Allein Bus fahren")
        .unwrap();
    r.set_goal_achievement(Role::Provider, &g, Some("3"))
        .unwrap();
    r.set_goal_self_rating(Role::Beneficiary, &g, Some("5"))
        .unwrap();
    r.add_goal(Role::Provider).unwrap();
    assert_eq!(
        r.spoken_value("ziele").unwrap(),
        [
            "Es gibt 2 Ziele.",
            "Ziel 1:",
            "Allein Bus fahren",
            "Der Dienst sagt:",
            "Es hat zum Teil geklappt.",
            "Sie sagen:",
            "Es hat ganz geklappt.",
            "Oder es ist sogar besser geworden.",
            "Ziel 2:",
            "Hier steht noch nichts.",
        ]
    );
}

#[test]
fn a_choice_is_read_by_its_plain_label() {
    let t = builtin_templates()
        .into_iter()
        .find(|t| t.id == "goettingen-feedbackbogen")
        .unwrap();
    let mut r = Report::create(&t, "f1", T0).unwrap();
    assert_eq!(
        r.spoken_value("anlass").unwrap(),
        ["Hier ist noch nichts gewählt."]
    );
    let list = match &t.field("anlass").unwrap().kind {
        FieldKind::Choice { code_list } => t.code_list(code_list).unwrap().clone(),
        _ => unreachable!(),
    };
    let code = &list.codes[0];
    r.set_choice(Role::Provider, "anlass", Some(&code.code))
        .unwrap();
    let spoken = r.spoken_value("anlass").unwrap();
    assert_eq!(spoken[0], "Die Antwort ist:");
    assert_eq!(spoken[1..].join(" "), code.plain_label);
}

#[test]
fn an_unknown_field_is_an_error() {
    assert!(new_report().spoken_value("gibt_es_nicht").is_err());
}

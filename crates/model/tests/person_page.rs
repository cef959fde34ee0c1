//! The person's own view: their words first, then their goals, what others wrote about them,
//! and where they sign — picked from the template, only what is shown.

mod common;

use common::*;
use dreieck_model::*;

const P: Role = Role::Provider;

#[test]
fn the_kvjs_report_shows_the_wishes_first_then_the_goals_and_the_persons_signature() {
    let r = new_report();
    let page = r.person_page();
    let sections: Vec<&str> = page.own.iter().map(|p| p.section.as_str()).collect();
    assert_eq!(sections, ["wuensche", "leistungsberechtigter"]);
    assert_eq!(page.own[0].fields, ["wuensche"]);
    assert_eq!(
        page.own[1].fields,
        ["lb_name", "lb_geburtsdatum", "lb_anschrift"]
    );
    assert!(page.goals);
    // Only the person's own line: the provider's, the head's and the guardian's are not theirs.
    assert_eq!(page.signatures, ["unterschrift_leistungsberechtigter"]);
    assert!(
        page.by_others.is_empty(),
        "nothing written yet: {:?}",
        page.by_others
    );
}

#[test]
fn what_others_wrote_is_listed_in_both_language_variants_and_empty_fields_are_left_out() {
    let mut r = new_report();
    r.set_text(P, "entwicklung_mobilitaet", "  Fährt allein mit dem Bus. ")
        .unwrap();
    r.set_date(P, "gesamtplan_vom", Some(d(2026, 3, 12)))
        .unwrap();
    r.set_date_range(
        P,
        "berichtszeitraum",
        DateRange {
            from: Some(d(2026, 1, 1)),
            to: Some(d(2026, 12, 31)),
        },
    )
    .unwrap();
    let page = r.person_page();
    let fields: Vec<&str> = page.by_others.iter().map(|w| w.field.as_str()).collect();
    // Form order; the person's own fields never appear here.
    assert_eq!(
        fields,
        [
            "gesamtplan_vom",
            "berichtszeitraum",
            "entwicklung_mobilitaet"
        ]
    );
    let bus = &page.by_others[2];
    assert_eq!(bus.value.standard, "Fährt allein mit dem Bus.");
    assert_eq!(bus.value.plain, "Fährt allein mit dem Bus.");
    assert_eq!(bus.writer, Role::Provider);
    assert_eq!(bus.section.plain, "Was hat sich bei Ihnen verändert?");
    let plan = &page.by_others[0];
    assert_eq!(plan.value.standard, "12.03.2026");
    assert_eq!(plan.value.plain, d(2026, 3, 12).spoken());
    assert!(
        !plan.value.plain.contains('.') || plan.value.plain.contains("März"),
        "a date in plain words names the month: {}",
        plan.value.plain
    );
    let period = &page.by_others[1];
    assert!(
        period.value.plain.contains(" bis ") && !period.value.plain.contains('–'),
        "no dash in Leichte Sprache: {}",
        period.value.plain
    );
}

#[test]
fn a_choice_made_by_staff_is_shown_with_its_plain_label() {
    let t = shipped("goettingen-erwartungsbogen");
    let mut r = Report::create(&t, "e1", T0).unwrap();
    let (list, field) = match &t.field("gesetzliche_betreuung").unwrap().kind {
        FieldKind::Choice { code_list } => (
            t.code_list(code_list).unwrap().clone(),
            "gesetzliche_betreuung",
        ),
        _ => unreachable!(),
    };
    let code = &list.codes[0];
    r.set_choice(Role::Caseworker, field, Some(&code.code))
        .unwrap();
    let page = r.person_page();
    let written = page.by_others.iter().find(|w| w.field == field).unwrap();
    assert_eq!(written.value.plain, code.plain_label);
    assert_eq!(written.writer, Role::Caseworker);
    // The Erwartungsbogen's expectations are the person's own words and come first.
    assert_eq!(page.own[0].section, "erwartungen");
    assert!(!page.goals);
    assert!(page.signatures.is_empty());
}

#[test]
fn sections_hidden_by_a_choice_are_not_part_of_the_persons_view() {
    let t = shipped("goettingen-feedbackbogen");
    let mut r = Report::create(&t, "f1", T0).unwrap();
    let code = |starts: &str| code_starting(&t, "anlass", starts);
    r.set_choice(P, "anlass", Some(&code("Regulärer"))).unwrap();
    let shown = r.person_page();
    assert!(shown.own.iter().any(|p| p.section == "ergebnis"));
    assert_eq!(shown.own[0].section, "ergebnis", "own words first");
    assert_eq!(shown.signatures, ["unterschrift_teilnehmer"]);

    r.set_choice(P, "anlass", Some(&code("Nichtantritt")))
        .unwrap();
    let hidden = r.person_page();
    assert!(!r.is_section_shown("ergebnis") && !r.is_section_shown("abschluss"));
    assert!(
        hidden
            .own
            .iter()
            .all(|p| p.section != "ergebnis" && p.section != "abschluss"),
        "hidden sections are not shown to the person: {:?}",
        hidden.own
    );
    assert!(
        hidden.signatures.is_empty(),
        "no line to sign after Nichtantritt"
    );
    // The reason for the form, chosen by the provider, is told in plain words.
    let anlass = hidden
        .by_others
        .iter()
        .find(|w| w.field == "anlass")
        .unwrap();
    assert_eq!(anlass.value.plain, "Die Hilfe hat nicht angefangen.");
}

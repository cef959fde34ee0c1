//! Field values as printed on the paper form.

mod common;

use common::*;
use dreieck_model::*;

#[test]
fn values_print_as_on_paper() {
    let mut r = new_report();
    assert_eq!(r.display_value("lb_name").unwrap(), "");
    assert_eq!(r.display_value("berichtszeitraum").unwrap(), "");
    r.set_text(Role::Provider, "lb_name", "Beispiel, Anna")
        .unwrap();
    r.set_date(Role::Provider, "lb_geburtsdatum", Some(d(1990, 3, 7)))
        .unwrap();
    set_period(&mut r, Some(d(2026, 1, 1)), Some(d(2026, 12, 31)));
    assert_eq!(r.display_value("lb_name").unwrap(), "Beispiel, Anna");
    assert_eq!(r.display_value("lb_geburtsdatum").unwrap(), "07.03.1990");
    assert_eq!(
        r.display_value("berichtszeitraum").unwrap(),
        "01.01.2026 – 31.12.2026"
    );
    set_period(&mut r, Some(d(2026, 1, 1)), None);
    assert_eq!(
        r.display_value("berichtszeitraum").unwrap(),
        "01.01.2026 – "
    );
    assert!(r.display_value("gibt_es_nicht").is_err());
}

#[test]
fn a_choice_prints_its_label() {
    let t = builtin_templates()
        .into_iter()
        .find(|t| t.id == "goettingen-feedbackbogen")
        .unwrap();
    let mut r = Report::create(&t, "f1", T0).unwrap();
    let code = match &t.field("anlass").unwrap().kind {
        FieldKind::Choice { code_list } => t.code_list(code_list).unwrap().codes[1].clone(),
        _ => unreachable!(),
    };
    r.set_choice(Role::Provider, "anlass", Some(&code.code))
        .unwrap();
    assert_eq!(r.display_value("anlass").unwrap(), code.label);
}

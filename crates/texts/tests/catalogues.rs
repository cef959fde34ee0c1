//! Both catalogues are complete, and every plain text keeps the rules a machine can check.

use dreieck_texts::plain::PLAIN;
use dreieck_texts::rules::problems;
use dreieck_texts::standard::STANDARD;

#[test]
fn every_text_has_both_variants_and_the_plain_one_keeps_the_rules() {
    let standard = STANDARD.entries();
    let plain = PLAIN.entries();
    assert_eq!(standard.len(), plain.len());
    let mut found = Vec::new();
    for ((key, s), (same, p)) in standard.iter().zip(&plain) {
        assert_eq!(key, same);
        assert!(!s.trim().is_empty(), "{key}: no standard text");
        for problem in problems(p) {
            found.push(format!("{key}: {problem}"));
        }
        // A text that holds a value holds it in both variants.
        if s.matches("{}").count() != p.matches("{}").count() {
            found.push(format!("{key}: holds {{}} a different number of times"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn named_values_go_to_their_places_in_any_order() {
    assert_eq!(
        dreieck_texts::fill_with("{b} und {a}", &[("a", "eins"), ("b", "zwei")]),
        "zwei und eins"
    );
}

#[test]
fn a_value_is_put_in_its_place() {
    assert_eq!(
        dreieck_texts::fill(PLAIN.person_goals_count, "3"),
        "Sie haben 3 Ziele."
    );
}

//! Who changed what and when: roles registered per actor, and a field's history read from the
//! change graph.

mod common;

use common::*;
use dreieck_model::*;

const MIN: i64 = 60_000;

#[test]
fn a_new_report_has_no_history() {
    let mut r = new_report();
    for f in kvjs().fields() {
        assert_eq!(r.field_history(&f.id).unwrap(), vec![], "{}", f.id);
    }
}

#[test]
fn switching_the_role_makes_the_next_edits_someone_elses() {
    let mut r = new_report();
    r.set_now_ms(T0 + MIN);
    r.set_text(Role::Provider, "lb_anschrift", "Hauptstr. ")
        .unwrap();
    let provider_actor = r.actor_hex();
    r.set_now_ms(T0 + 2 * MIN);
    r.set_text(
        Role::Beneficiary,
        "lb_anschrift",
        "Hauptstr. 5, 70173 Stuttgart",
    )
    .unwrap();
    assert_ne!(
        r.actor_hex(),
        provider_actor,
        "a new actor for the new role"
    );

    let history = r.field_history("lb_anschrift").unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    // Newest first.
    assert_eq!(history[0].role, Some(Role::Beneficiary));
    assert_eq!(history[0].inserted, "5, 70173 Stuttgart".chars().count());
    assert_eq!(history[0].from_s, (T0 + 2 * MIN) / 1000);
    assert_eq!(history[1].role, Some(Role::Provider));
    assert_eq!(history[1].actor, provider_actor);
    assert_eq!(history[1].inserted, "Hauptstr. ".chars().count());
    // Other fields are untouched.
    assert_eq!(r.field_history("lb_name").unwrap(), vec![]);
}

#[test]
fn typing_in_one_sitting_is_one_entry_and_a_pause_starts_another() {
    let mut r = new_report();
    let mut text = String::new();
    for (i, c) in "Hallo".chars().enumerate() {
        r.set_now_ms(T0 + i as i64 * 20_000);
        text.push(c);
        r.set_text(Role::Provider, "anmerkungen_einrichtung", &text)
            .unwrap();
    }
    r.set_now_ms(T0 + (SITTING_GAP_S + 120) * 1000);
    r.set_text(Role::Provider, "anmerkungen_einrichtung", "Hall")
        .unwrap();

    let history = r.field_history("anmerkungen_einrichtung").unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!((history[0].inserted, history[0].deleted), (0, 1));
    assert_eq!((history[1].inserted, history[1].deleted), (5, 0));
    assert_eq!(history[1].from_s, T0 / 1000);
    assert_eq!(history[1].to_s, (T0 + 80_000) / 1000);
}

#[test]
fn dates_choices_and_ranges_count_as_values_set() {
    let mut r = new_report();
    r.set_now_ms(T0 + MIN);
    r.set_date(Role::Caseworker, "gesamtplan_vom", Some(d(2026, 3, 1)))
        .unwrap();
    r.set_date(Role::Caseworker, "gesamtplan_vom", None)
        .unwrap();
    set_period(&mut r, Some(d(2026, 1, 1)), Some(d(2026, 12, 31)));

    let plan = r.field_history("gesamtplan_vom").unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(plan[0].role, Some(Role::Caseworker));
    assert_eq!(plan[0].set, 2);
    let period = r.field_history("berichtszeitraum").unwrap();
    assert_eq!(period.len(), 1, "{period:?}");
    assert_eq!(period[0].role, Some(Role::Provider));
    assert_eq!(period[0].set, 2);
}

#[test]
fn a_refused_edit_registers_nobody_and_changes_nothing() {
    let mut r = new_report();
    let heads = r.heads_hex();
    assert!(r
        .set_text(Role::Caseworker, "wuensche", "nicht erlaubt")
        .is_err());
    assert_eq!(r.heads_hex(), heads);
    assert!(r.actor_roles().is_empty());
}

#[test]
fn every_replica_knows_who_wrote_after_a_merge() {
    let mut a = new_report();
    let mut b = Report::load(&a.save()).unwrap();
    a.set_now_ms(T0 + MIN);
    a.set_text(Role::Provider, "lb_anschrift", "Von der Einrichtung. ")
        .unwrap();
    b.set_now_ms(T0 + MIN);
    b.set_text(Role::Beneficiary, "lb_anschrift", "Von mir.")
        .unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();

    for r in [&mut a, &mut b] {
        let roles: Vec<Option<Role>> = r
            .field_history("lb_anschrift")
            .unwrap()
            .iter()
            .map(|e| e.role)
            .collect();
        assert_eq!(roles.len(), 2, "{roles:?}");
        assert!(roles.contains(&Some(Role::Provider)), "{roles:?}");
        assert!(roles.contains(&Some(Role::Beneficiary)), "{roles:?}");
        assert_eq!(r.actor_roles().len(), 2);
    }
}

#[test]
fn a_reloaded_replica_registers_its_new_actor_once() {
    let mut a = new_report();
    a.set_text(Role::Provider, "lb_name", "Erika").unwrap();
    let mut again = reload(&mut a);
    let before = again.save().len();
    again
        .set_text(Role::Provider, "lb_name", "Erika M")
        .unwrap();
    let registered = again.save().len();
    again
        .set_text(Role::Provider, "lb_name", "Erika Mu")
        .unwrap();
    assert_eq!(again.actor_roles().len(), 2);
    assert!(registered > before);
    let history = again.field_history("lb_name").unwrap();
    assert_eq!(history.len(), 2, "two actors, two entries: {history:?}");
    assert!(history.iter().all(|e| e.role == Some(Role::Provider)));
}

#[test]
fn a_signature_line_has_a_history() {
    let mut r = new_report();
    r.set_signature_name(
        Role::Provider,
        "unterschrift_leistungserbringer",
        "M. Muster",
    )
    .unwrap();
    let history = r.field_history("unterschrift_leistungserbringer").unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].role, Some(Role::Provider));
    assert!(history[0].set + history[0].inserted > 0);
}

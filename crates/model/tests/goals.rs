//! The goals table: add, remove, move, reorder, texts, codes, concurrency.

mod common;

use common::*;
use dreieck_model::*;

const P: Role = Role::Provider;

fn texts(r: &Report) -> Vec<String> {
    r.goals().into_iter().map(|g| g.text).collect()
}

fn report_with(goals: &[&str]) -> Report {
    let mut r = new_report();
    for text in goals {
        let id = r.add_goal(P).unwrap();
        r.set_goal_text(P, &id, text).unwrap();
    }
    r
}

#[test]
fn add_read_and_number() {
    let mut r = report_with(&["A", "B", "C"]);
    let goals = r.goals();
    assert_eq!(texts(&r), ["A", "B", "C"]);
    assert_eq!(
        goals.iter().map(|g| g.number).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let ids: std::collections::HashSet<_> = goals.iter().map(|g| g.id.clone()).collect();
    assert_eq!(ids.len(), 3, "distinct ids");
    assert!(goals
        .iter()
        .all(|g| g.achievement.is_none() && g.reason.is_none()));
    let b = &goals[1].id;
    r.set_goal_measures(P, b, "Wegetraining").unwrap();
    r.set_goal_achievement(P, b, Some("3")).unwrap();
    r.set_goal_reason(P, b, Some("6")).unwrap();
    let loaded = reload(&mut r);
    let g = &loaded.goals()[1];
    assert_eq!(g.measures_text(), "Wegetraining");
    assert_eq!(g.achievement.as_deref(), Some("3"));
    assert_eq!(g.reason.as_deref(), Some("6"));
    assert!(g.needs_reason);
    assert_eq!(texts(&loaded), ["A", "B", "C"]);
}

#[test]
fn needs_reason_follows_the_code_list() {
    let mut r = report_with(&["A"]);
    let id = r.goals()[0].id.clone();
    for (code, needs) in [
        ("1", true),
        ("2", true),
        ("3", true),
        ("4", false),
        ("5", false),
    ] {
        r.set_goal_achievement(P, &id, Some(code)).unwrap();
        assert_eq!(r.goals()[0].needs_reason, needs, "code {code}");
    }
    r.set_goal_achievement(P, &id, None).unwrap();
    assert!(!r.goals()[0].needs_reason);
}

#[test]
fn bad_codes_and_unknown_goals() {
    let mut r = report_with(&["A"]);
    let id = r.goals()[0].id.clone();
    let e = r.set_goal_achievement(P, &id, Some("6")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "„6“ ist kein gültiger Wert für „Zielerreichung“."
    );
    assert!(matches!(
        r.set_goal_reason(P, &id, Some("7")).unwrap_err(),
        ModelError::UnknownCode { .. }
    ));
    for e in [
        r.set_goal_text(P, "nope", "x").unwrap_err(),
        r.remove_goal(P, "nope").unwrap_err(),
        r.move_goal(P, "nope", 0).unwrap_err(),
        r.goal_conflicts("nope", GoalScalar::Reason).unwrap_err(),
    ] {
        assert!(matches!(e, ModelError::UnknownGoal), "{e:?}");
    }
}

#[test]
fn goal_edits_check_the_goals_field_permission() {
    let mut r = report_with(&["A"]);
    let id = r.goals()[0].id.clone();
    for role in [Role::Beneficiary, Role::Caseworker, Role::Guardian] {
        let denied = |e: ModelError| matches!(e, ModelError::NotPermitted { .. });
        assert!(denied(r.add_goal(role).unwrap_err()));
        assert!(denied(r.remove_goal(role, &id).unwrap_err()));
        assert!(denied(r.move_goal(role, &id, 0).unwrap_err()));
        assert!(denied(r.set_goal_text(role, &id, "x").unwrap_err()));
        assert!(denied(r.set_goal_measures(role, &id, "x").unwrap_err()));
        assert!(denied(
            r.set_goal_achievement(role, &id, Some("4")).unwrap_err()
        ));
        assert!(denied(r.set_goal_reason(role, &id, Some("1")).unwrap_err()));
        assert!(denied(
            r.splice_goal_text(role, &id, GoalText::Text, 0, 0, "x")
                .unwrap_err()
        ));
    }
    assert_eq!(texts(&r), ["A"]);
}

#[test]
fn remove() {
    let mut r = report_with(&["A", "B", "C"]);
    let b = r.goals()[1].id.clone();
    r.remove_goal(P, &b).unwrap();
    assert_eq!(texts(&r), ["A", "C"]);
    assert_eq!(r.goals()[1].number, 2);
    assert_eq!(texts(&reload(&mut r)), ["A", "C"]);
    // Ids are not reused after a removal.
    let d = r.add_goal(P).unwrap();
    assert_ne!(d, b);
}

#[test]
fn move_to_every_position() {
    let start = ["A", "B", "C", "D"];
    for from in 0..4 {
        for to in 0..5 {
            let mut r = report_with(&start);
            let id = r.goals()[from].id.clone();
            r.move_goal(P, &id, to).unwrap();
            let mut want: Vec<&str> = start.to_vec();
            let moved = want.remove(from);
            want.insert(to.min(3), moved);
            assert_eq!(texts(&r), want, "move {from} → {to}");
            assert_eq!(texts(&reload(&mut r)), want);
        }
    }
}

#[test]
fn many_moves_into_the_same_gap_renumber() {
    // Always moving the last goal to index 1 halves the gap between goal 0 and goal 1 each
    // time; after ~20 halvings the gap is below the threshold and positions are renumbered.
    let mut r = report_with(&["A", "B", "C"]);
    let mut want: Vec<String> = texts(&r);
    for _ in 0..200 {
        let last = r.goals().last().unwrap().id.clone();
        r.move_goal(P, &last, 1).unwrap();
        let t = want.pop().unwrap();
        want.insert(1, t);
        assert_eq!(texts(&r), want);
    }
    // Also at the front (positions go below zero, then renumber if needed).
    for _ in 0..100 {
        let last = r.goals().last().unwrap().id.clone();
        r.move_goal(P, &last, 0).unwrap();
        let t = want.pop().unwrap();
        want.insert(0, t);
        assert_eq!(texts(&r), want);
    }
    assert_eq!(texts(&reload(&mut r)), want);
}

#[test]
fn reorder_completely() {
    let mut r = report_with(&["A", "B", "C", "D", "E"]);
    // Reverse by moving each goal to the front in turn.
    for t in ["B", "C", "D", "E"] {
        let id = r.goals().into_iter().find(|g| g.text == t).unwrap().id;
        r.move_goal(P, &id, 0).unwrap();
    }
    assert_eq!(texts(&r), ["E", "D", "C", "B", "A"]);
}

#[test]
fn concurrent_adds_keep_both_goals() {
    let mut a = report_with(&["A"]);
    let mut b = a.fork();
    let ga = a.add_goal(P).unwrap();
    a.set_goal_text(P, &ga, "von A").unwrap();
    let gb = b.add_goal(P).unwrap();
    b.set_goal_text(P, &gb, "von B").unwrap();
    assert_ne!(ga, gb);
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    assert_eq!(texts(&a).len(), 3);
    assert_eq!(texts(&a), texts(&b), "same order on both replicas");
}

#[test]
fn concurrent_move_and_text_edit_keep_both() {
    let mut a = report_with(&["A", "B", "C"]);
    let mut b = a.fork();
    let c = a.goals()[2].id.clone();
    a.move_goal(P, &c, 0).unwrap();
    b.splice_goal_text(P, &c, GoalText::Text, 1, 0, " (neu)")
        .unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(texts(&a), ["C (neu)", "A", "B"]);
}

#[test]
fn concurrent_rating_conflict_and_resolution() {
    let mut a = report_with(&["A"]);
    let id = a.goals()[0].id.clone();
    let mut b = a.fork();
    a.set_goal_achievement(P, &id, Some("2")).unwrap();
    b.set_goal_achievement(P, &id, Some("4")).unwrap();
    a.merge(&mut b).unwrap();
    let values = a.goal_conflicts(&id, GoalScalar::Achievement).unwrap();
    assert_eq!(values.len(), 2);
    assert_eq!(
        Some(values[0].clone()),
        a.goals()[0].achievement,
        "winner first"
    );
    assert!(a.has_conflict("ziele").unwrap());
    a.set_goal_achievement(P, &id, Some("4")).unwrap();
    assert_eq!(
        a.goal_conflicts(&id, GoalScalar::Achievement).unwrap(),
        ["4"]
    );
    assert!(!a.has_conflict("ziele").unwrap());
}

#[test]
fn concurrent_remove_and_edit() {
    let mut a = report_with(&["A", "B"]);
    let mut b = a.fork();
    let id = a.goals()[0].id.clone();
    a.remove_goal(P, &id).unwrap();
    b.set_goal_text(P, &id, "A geändert").unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    // Removal wins over an edit inside the goal, the same on both sides.
    assert_eq!(texts(&a), ["B"]);
    assert_eq!(texts(&b), ["B"]);
}

#[test]
fn goal_splice_counts_scalar_values() {
    let mut r = report_with(&["Ziel 😀 ok"]);
    let id = r.goals()[0].id.clone();
    r.splice_goal_text(P, &id, GoalText::Text, 7, 0, "!")
        .unwrap();
    assert_eq!(r.goals()[0].text, "Ziel 😀 !ok");
    r.splice_goal_text(P, &id, GoalText::main_measure(), 50, 0, "M")
        .unwrap();
    assert_eq!(r.goals()[0].measures_text(), "M");
}

#[test]
fn the_person_rates_a_goal_beside_the_provider_and_both_are_kept() {
    let mut r = report_with(&["Allein einkaufen"]);
    let id = r.goals()[0].id.clone();
    r.set_goal_self_rating(Role::Beneficiary, &id, Some("5"))
        .unwrap();
    r.set_goal_achievement(P, &id, Some("3")).unwrap();
    let loaded = reload(&mut r);
    let g = &loaded.goals()[0];
    assert_eq!(g.self_rating.as_deref(), Some("5"));
    assert_eq!(g.achievement.as_deref(), Some("3"));
    assert!(g.ratings_differ, "a difference to talk about");

    // The same rating: nothing to point out.
    r.set_goal_self_rating(Role::Beneficiary, &id, Some("3"))
        .unwrap();
    assert!(!r.goals()[0].ratings_differ);
    // Only one given: no difference either.
    r.set_goal_self_rating(Role::Beneficiary, &id, None)
        .unwrap();
    let g = &r.goals()[0];
    assert_eq!(g.self_rating, None);
    assert!(!g.ratings_differ);
}

#[test]
fn only_the_person_supported_rates_themselves() {
    let mut r = report_with(&["A"]);
    let id = r.goals()[0].id.clone();
    let heads = r.heads_hex();
    for role in [Role::Provider, Role::Caseworker, Role::Guardian] {
        let e = r.set_goal_self_rating(role, &id, Some("4")).unwrap_err();
        assert!(matches!(e, ModelError::NotPermitted { .. }), "{e:?}");
    }
    let e = r
        .set_goal_self_rating(Role::Beneficiary, &id, Some("9"))
        .unwrap_err();
    assert!(e.to_string().contains("Selbsteinschätzung"), "{e}");
    assert_eq!(r.heads_hex(), heads, "a refused rating changes nothing");
    // The provider's rating does not fill in the person's.
    r.set_goal_achievement(P, &id, Some("4")).unwrap();
    assert_eq!(r.goals()[0].self_rating, None);
}

#[test]
fn concurrent_self_ratings_are_a_conflict_to_resolve_not_a_silent_choice() {
    let mut a = report_with(&["A"]);
    let id = a.goals()[0].id.clone();
    let mut b = Report::load(&a.save()).unwrap();
    a.set_goal_self_rating(Role::Beneficiary, &id, Some("2"))
        .unwrap();
    b.set_goal_self_rating(Role::Beneficiary, &id, Some("4"))
        .unwrap();
    a.merge(&mut b).unwrap();
    let mut values = a.goal_conflicts(&id, GoalScalar::SelfRating).unwrap();
    values.sort();
    assert_eq!(values, ["2", "4"]);
    assert!(a.has_conflict("ziele").unwrap());
}

//! A goal's measures, each with who carries it out and by when: written, read, removed, kept
//! through save and sync, added on two devices at once without loss, and every hostile write
//! refused by the honest devices.

mod common;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use common::members::*;
use common::*;
use dreieck_model::text_control::TextTarget;
use dreieck_model::trust::RefusalReason;
use dreieck_model::*;

const P: Role = Role::Provider;

/// The measures written in, in order.
fn drafts(r: &Report, goal: &str) -> Vec<MeasureDraft> {
    r.goals()
        .into_iter()
        .find(|g| g.id == goal)
        .unwrap()
        .measure_drafts()
}

fn m(text: &str, by: &str, until: Option<Date>) -> MeasureDraft {
    MeasureDraft {
        text: text.into(),
        by: by.into(),
        until,
    }
}

#[test]
fn each_measure_names_who_carries_it_out_and_by_when() {
    let mut r = new_report();
    let g = r.add_goal(P).unwrap();
    // A new goal offers its first measure to fill in.
    let first = r.goals()[0].measures.clone();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, MAIN_MEASURE);
    assert!(first[0].is_blank());

    r.set_goal_measures(P, &g, "Einkaufstraining").unwrap();
    r.set_measure_by(P, &g, MAIN_MEASURE, "  Frau Berger, Wohngruppe ")
        .unwrap();
    r.set_measure_until(P, &g, MAIN_MEASURE, Some(d(2027, 3, 31)))
        .unwrap();
    let second = r.add_measure(P, &g).unwrap();
    let third = r.add_measure(P, &g).unwrap();
    r.set_measure_text(P, &g, &second, "Einkaufsliste üben")
        .unwrap();
    r.set_measure_by(P, &g, &second, "Herr Adler").unwrap();
    r.splice_goal_text(
        P,
        &g,
        GoalText::Measure(third.clone()),
        0,
        0,
        "Lieferdienst",
    )
    .unwrap();
    r.set_measure_until(P, &g, &third, Some(d(2027, 6, 30)))
        .unwrap();
    let expected = vec![
        m(
            "Einkaufstraining",
            "Frau Berger, Wohngruppe",
            Some(d(2027, 3, 31)),
        ),
        m("Einkaufsliste üben", "Herr Adler", None),
        m("Lieferdienst", "", Some(d(2027, 6, 30))),
    ];
    assert_eq!(drafts(&r, &g), expected, "in the order they were added");
    assert_eq!(
        r.goals()[0].measures[0].who_and_when(),
        "Frau Berger, Wohngruppe · bis 31.03.2027"
    );
    assert_eq!(
        r.goals()[0].measures_text(),
        "Einkaufstraining\nEinkaufsliste üben\nLieferdienst"
    );
    // A reload loses nothing.
    assert_eq!(drafts(&reload(&mut r), &g), expected);

    // Blank and none clear; emptying a measure keeps it (its control stays in place).
    r.set_measure_by(P, &g, &second, "  ").unwrap();
    r.set_measure_text(P, &g, &second, "").unwrap();
    assert_eq!(r.goals()[0].measures.len(), 3);
    assert!(r.goals()[0].measures[1].is_blank());
    assert_eq!(r.goals()[0].given_measures().count(), 2);

    // Removing takes the measure away, the first one too.
    r.remove_measure(P, &g, &second).unwrap();
    r.remove_measure(P, &g, MAIN_MEASURE).unwrap();
    assert_eq!(
        drafts(&r, &g),
        vec![m("Lieferdienst", "", Some(d(2027, 6, 30)))]
    );
    assert!(matches!(
        r.set_measure_by(P, &g, MAIN_MEASURE, "x"),
        Err(ModelError::UnknownGoal)
    ));
    assert_eq!(
        drafts(&reload(&mut r), &g),
        vec![m("Lieferdienst", "", Some(d(2027, 6, 30)))]
    );
}

#[test]
fn only_the_goals_editors_write_measures_and_bad_input_changes_nothing() {
    let mut r = new_report();
    let g = r.add_goal(P).unwrap();
    let second = r.add_measure(P, &g).unwrap();
    let heads = r.heads();
    for role in [Role::Beneficiary, Role::Caseworker] {
        assert!(matches!(
            r.add_measure(role, &g),
            Err(ModelError::NotPermitted { .. })
        ));
        assert!(r.set_measure_by(role, &g, &second, "Ich").is_err());
        assert!(r.set_measure_until(role, &g, MAIN_MEASURE, None).is_err());
        assert!(r.remove_measure(role, &g, &second).is_err());
        assert!(r.set_measure_text(role, &g, MAIN_MEASURE, "x").is_err());
    }
    let long = "x".repeat(MAX_MEASURES_BY + 1);
    let error = r.set_measure_by(P, &g, &second, &long).unwrap_err();
    assert!(
        error.to_string().contains("höchstens 200 Zeichen"),
        "{error}"
    );
    for unknown in ["gibt-es-nicht", "", "main-2"] {
        assert!(
            matches!(
                r.set_measure_by(P, &g, unknown, "x"),
                Err(ModelError::UnknownGoal)
            ),
            "{unknown}"
        );
    }
    assert!(r.remove_measure(P, "kein-ziel", MAIN_MEASURE).is_err());
    assert_eq!(r.heads(), heads, "nothing was written");
}

#[test]
fn measures_added_on_two_devices_at_once_both_survive_and_typing_arrives_as_splices() {
    let mut a = new_report();
    let g = a.add_goal(P).unwrap();
    let mut b = a.fork();
    let on_a = a.add_measure(P, &g).unwrap();
    let on_b = b.add_measure(P, &g).unwrap();
    a.set_measure_text(P, &g, &on_a, "Kochkurs").unwrap();
    a.set_measure_by(P, &g, &on_a, "Herr Adler").unwrap();
    b.set_measure_text(P, &g, &on_b, "Einkaufen üben").unwrap();
    b.set_measure_until(P, &g, &on_b, Some(d(2027, 1, 31)))
        .unwrap();
    // Both also type into the first measure at the same moment.
    a.splice_goal_text(P, &g, GoalText::main_measure(), 0, 0, "Erst ")
        .unwrap();
    b.splice_goal_text(P, &g, GoalText::main_measure(), 0, 0, "Dann ")
        .unwrap();
    let from_a = a.save_incremental();
    let from_b = b.save_incremental();
    b.apply(&from_a).unwrap();
    let touched = a.apply_touched(&from_b).unwrap();
    assert_eq!(drafts(&a, &g), drafts(&b, &g), "both converge");
    let all = drafts(&a, &g);
    assert_eq!(all.len(), 3);
    assert!(all.contains(&m("Kochkurs", "Herr Adler", None)));
    assert!(all.contains(&m("Einkaufen üben", "", Some(d(2027, 1, 31)))));
    let main = &all[0].text;
    assert!(main.contains("Erst ") && main.contains("Dann "), "{main}");
    // The other device's typing in its new measure arrives as splices for that measure's view.
    let key = TextTarget::Goal {
        goal: g.clone(),
        part: GoalText::Measure(on_b.clone()),
    }
    .key();
    assert!(touched.goals);
    assert!(touched.rewritten(&key) || touched.edits.contains_key(&key));
    let key_main = TextTarget::Goal {
        goal: g.clone(),
        part: GoalText::main_measure(),
    }
    .key();
    let edits = &touched.edits[&key_main];
    assert_eq!(
        edits.iter().fold("Erst ".to_string(), |s, e| e.apply(&s)),
        a.goal_text(&g, &GoalText::main_measure()).unwrap()
    );
}

#[test]
fn the_next_report_continues_every_measure_with_its_who_and_when() {
    let mut last = new_report();
    let g = last.add_goal(P).unwrap();
    last.set_goal_text(P, &g, "Bus fahren").unwrap();
    last.set_goal_measures(P, &g, "Fahrtraining").unwrap();
    last.set_measure_by(P, &g, MAIN_MEASURE, "Frau Berger")
        .unwrap();
    let next_measure = last.add_measure(P, &g).unwrap();
    last.set_measure_text(P, &g, &next_measure, "Fahrplan lesen")
        .unwrap();
    last.set_measure_until(P, &g, &next_measure, Some(d(2026, 9, 30)))
        .unwrap();
    // A blank measure is not carried.
    last.add_measure(P, &g).unwrap();
    let next = Report::create_follow_up(&last, &kvjs(), "r2", T0).unwrap();
    let carried = &next.goals()[0];
    assert_eq!(carried.measures.len(), 2, "the blank one stayed behind");
    assert_eq!(
        drafts(&next, &carried.id),
        vec![
            m("Fahrtraining", "Frau Berger", None),
            m("Fahrplan lesen", "", Some(d(2026, 9, 30))),
        ]
    );
}

#[test]
fn a_measure_changed_after_acceptance_is_named() {
    let mut r = new_report();
    let g = r.add_goal(P).unwrap();
    let second = r.add_measure(P, &g).unwrap();
    r.set_measure_text(P, &g, &second, "Kochkurs").unwrap();
    r.accept(Role::Caseworker, d(2026, 12, 3)).unwrap();
    assert_eq!(r.acceptance().unwrap().changed, Some(vec![]));
    r.set_measure_by(P, &g, &second, "Herr Adler").unwrap();
    assert_eq!(
        r.acceptance().unwrap().changed,
        Some(vec!["ziele".to_string()])
    );
}

#[test]
fn hostile_measures_are_refused_by_every_honest_device() {
    // The person supported's device adds a measure and removes the provider's first one (they
    // do not edit the goals table).
    for remove in [false, true] {
        let mut t = three();
        let goal = t.provider.add_goal(P).unwrap();
        t.provider.set_goal_measures(P, &goal, "Kochkurs").unwrap();
        bind_beneficiary(&mut t);
        settle(&mut t);
        let obj = goal_obj(&mut t.beneficiary, &goal);
        let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
            if remove {
                doc.delete(&obj, "measures").unwrap();
            } else {
                let m = doc
                    .put_object(&obj, "measure:x-1", automerge::ObjType::Map)
                    .unwrap();
                doc.put(&m, "by", "Ich selbst").unwrap();
            }
        });
        assert_refused_by_both(&mut t, &bundle, |r| {
            matches!(r, RefusalReason::NotPermitted(_))
        });
        assert_eq!(
            drafts(&t.caseworker, &goal),
            vec![m("Kochkurs", "", None)],
            "remove: {remove}"
        );
    }

    // The provider's device (an editor) writes what no setter would: a "who" of 10,000
    // characters, a day that is none, a part nobody knows, a measure posing as the first.
    type Write = fn(&mut automerge::AutoCommit, &automerge::ObjId);
    let writes: [(&str, Write); 4] = [
        ("who too long", |doc, m| {
            doc.put(m, "by", "x".repeat(10_000)).unwrap();
        }),
        ("no date", |doc, m| {
            doc.put(m, "until", "bald").unwrap();
        }),
        ("unknown part", |doc, m| {
            doc.put(m, "farbe", "rot").unwrap();
        }),
        ("a list instead of text", |doc, m| {
            doc.put_object(m, "text", automerge::ObjType::List).unwrap();
        }),
    ];
    for (what, write) in writes {
        let mut t = three();
        let goal = t.provider.add_goal(P).unwrap();
        let measure = t.provider.add_measure(P, &goal).unwrap();
        bind_beneficiary(&mut t);
        settle(&mut t);
        let before = drafts(&t.caseworker, &goal);
        let goal_map = goal_obj(&mut t.provider, &goal);
        let m_obj = t
            .provider
            .doc_mut()
            .get(&goal_map, format!("measure:{measure}").as_str())
            .unwrap()
            .unwrap()
            .1;
        let bundle = hostile_bundle(&mut t.provider, |doc| write(doc, &m_obj));
        assert_refused_by(
            [
                ("caseworker", &mut t.caseworker),
                ("beneficiary", &mut t.beneficiary),
            ],
            &bundle,
            |r| matches!(r, RefusalReason::NotPermitted(_)),
        );
        assert_eq!(drafts(&t.caseworker, &goal), before, "{what}");
    }

    let mut t = three();
    let goal = t.provider.add_goal(P).unwrap();
    bind_beneficiary(&mut t);
    settle(&mut t);
    let goal_map = goal_obj(&mut t.provider, &goal);
    let bundle = hostile_bundle(&mut t.provider, |doc| {
        doc.put_object(&goal_map, "measure:main", automerge::ObjType::Map)
            .unwrap();
    });
    assert_refused_by([("caseworker", &mut t.caseworker)], &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
}

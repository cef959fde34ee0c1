//! A goal's plan: level, target day, life area, where the goal came from; written by the goals
//! table's editors only, checked on every device. (Each measure's who and by when:
//! tests/measures.rs.)

mod common;

use automerge::transaction::Transactable;
use common::members::*;
use common::*;
use dreieck_model::trust::RefusalReason;
use dreieck_model::*;

#[test]
fn the_plan_of_a_goal_is_written_read_and_cleared() {
    let mut r = new_report();
    let g = r.add_goal(Role::Provider).unwrap();
    assert_eq!(r.goal_plan(&g).unwrap(), GoalPlan::default());
    r.set_goal_level(Role::Provider, &g, Some(GoalLevel::Handlungsziel))
        .unwrap();
    r.set_goal_target(Role::Provider, &g, Some(d(2027, 6, 30)))
        .unwrap();
    let plan = r.goals()[0].plan.clone();
    assert_eq!(
        plan,
        GoalPlan {
            level: Some(GoalLevel::Handlungsziel),
            target: Some(d(2027, 6, 30)),
            origin: None,
            area: None,
        }
    );
    // It survives a save and a load.
    let loaded = Report::load(&r.save()).unwrap();
    assert_eq!(loaded.goal_plan(&g).unwrap(), plan);
    // Blank and none clear.
    r.set_goal_level(Role::Provider, &g, None).unwrap();
    r.set_goal_target(Role::Provider, &g, None).unwrap();
    assert_eq!(r.goal_plan(&g).unwrap(), GoalPlan::default());
}

#[test]
fn only_the_goals_editors_plan_and_bad_input_changes_nothing() {
    let mut r = new_report();
    let g = r.add_goal(Role::Provider).unwrap();
    let heads = r.heads();
    for role in [Role::Beneficiary, Role::Caseworker] {
        assert!(matches!(
            r.set_goal_level(role, &g, Some(GoalLevel::Wirkungsziel)),
            Err(ModelError::NotPermitted { .. })
        ));
        assert!(r.add_goals(role, &[GoalDraft::default()]).is_err());
    }
    let long = "x".repeat(MAX_MEASURES_BY + 1);
    let draft = GoalDraft {
        text: "Ziel".into(),
        measures: vec![MeasureDraft {
            text: "Üben".into(),
            by: long,
            until: None,
        }],
        ..GoalDraft::default()
    };
    assert!(r.add_goals(Role::Provider, &[draft]).is_err());
    assert_eq!(r.heads(), heads, "nothing was written");
    assert!(matches!(
        r.set_goal_target(Role::Provider, "gibt-es-nicht", Some(d(2027, 1, 1))),
        Err(ModelError::UnknownGoal)
    ));
}

#[test]
fn goals_from_a_list_arrive_whole_in_one_change_after_the_existing_ones() {
    let mut r = new_report();
    let first = r.add_goal(Role::Provider).unwrap();
    r.set_goal_text(Role::Provider, &first, "Schon da").unwrap();
    let heads = r.heads();
    let drafts = [
        GoalDraft {
            text: " Ich wohne in meiner eigenen Wohnung. ".into(),
            measures: Vec::new(),
            plan: GoalPlan {
                level: Some(GoalLevel::Wirkungsziel),
                origin: Some(GoalOrigin::Gesamtplan),
                ..GoalPlan::default()
            },
        },
        GoalDraft {
            text: "Ich kaufe allein ein.".into(),
            measures: vec![
                MeasureDraft {
                    text: "Einkaufstraining".into(),
                    by: "Herr Adler".into(),
                    until: Some(d(2027, 5, 31)),
                },
                MeasureDraft {
                    text: "Lieferdienst zeigen".into(),
                    ..MeasureDraft::default()
                },
            ],
            plan: GoalPlan {
                level: Some(GoalLevel::Handlungsziel),
                target: Some(d(2027, 6, 30)),
                origin: Some(GoalOrigin::Gesamtplan),
                area: Some("mobilitaet".into()),
            },
        },
    ];
    let ids = r.add_goals(Role::Provider, &drafts).unwrap();
    assert_eq!(r.doc_mut().get_changes(&heads).len(), 1, "one change");
    let goals = r.goals();
    assert_eq!(goals.len(), 3);
    assert_eq!(goals[0].text, "Schon da");
    assert_eq!(goals[0].plan.origin, None);
    assert_eq!(goals[1].id, ids[0]);
    assert_eq!(goals[1].text, "Ich wohne in meiner eigenen Wohnung.");
    assert_eq!(goals[2].measure_drafts(), drafts[1].measures);
    assert_eq!(goals[2].plan.area.as_deref(), Some("mobilitaet"));
    assert_eq!(goals[2].plan, drafts[1].plan);
    // Each is an ordinary goal afterwards: it moves and is typed into.
    r.move_goal(Role::Provider, &ids[1], 0).unwrap();
    assert_eq!(r.goals()[0].id, ids[1]);
}

#[test]
fn a_hostile_plan_is_refused_by_every_honest_device() {
    let mut t = three();
    let goal = t.provider.add_goal(Role::Provider).unwrap();
    settle(&mut t);

    // The person supported's device writes a level (they do not edit the goals table).
    bind_beneficiary(&mut t);
    settle(&mut t);
    let obj = goal_obj(&mut t.beneficiary, &goal);
    let bundle = hostile_bundle(&mut t.beneficiary, |doc| {
        doc.put(&obj, "level", "wirkungsziel").unwrap();
    });
    assert_refused_by_both(&mut t, &bundle, |r| {
        matches!(r, RefusalReason::NotPermitted(_))
    });
    assert_eq!(t.provider.goal_plan(&goal).unwrap().level, None);

    // The provider's device (an editor) writes values no setter would: an unknown level, a
    // date that is none, a "who" of 10,000 characters, an origin nobody knows.
    for (k, v) in [
        ("level", "oberziel".to_string()),
        ("target", "31.02.2027".to_string()),
        ("origin", "erfunden".to_string()),
        ("area", "mond".to_string()),
    ] {
        let mut t = three();
        let goal = t.provider.add_goal(Role::Provider).unwrap();
        bind_beneficiary(&mut t);
        settle(&mut t);
        let obj = goal_obj(&mut t.provider, &goal);
        let bundle = hostile_bundle(&mut t.provider, |doc| {
            doc.put(&obj, k, v.as_str()).unwrap();
        });
        assert_refused_by(
            [
                ("caseworker", &mut t.caseworker),
                ("beneficiary", &mut t.beneficiary),
            ],
            &bundle,
            |r| matches!(r, RefusalReason::NotPermitted(_)),
        );
        assert_eq!(
            t.caseworker.goal_plan(&goal).unwrap(),
            GoalPlan::default(),
            "{k}"
        );
    }
}

#[test]
fn the_next_report_continues_the_goals_that_go_on_and_the_persons_details() {
    let mut last = new_report();
    last.set_text(Role::Provider, "lb_name", "Berger, Jan")
        .unwrap();
    last.set_date(Role::Provider, "gesamtplan_vom", Some(d(2025, 1, 10)))
        .unwrap();
    last.set_date_range(
        Role::Provider,
        "berichtszeitraum",
        DateRange {
            from: Some(d(2025, 1, 1)),
            to: Some(d(2025, 12, 31)),
        },
    )
    .unwrap();
    let plan = |text: &str, achievement: &str, reason: Option<&str>, r: &mut Report| {
        let g = r.add_goal(Role::Provider).unwrap();
        r.set_goal_text(Role::Provider, &g, text).unwrap();
        r.set_goal_measures(Role::Provider, &g, &format!("Schritte zu {text}"))
            .unwrap();
        r.set_goal_achievement(Role::Provider, &g, Some(achievement))
            .unwrap();
        r.set_goal_reason(Role::Provider, &g, reason).unwrap();
        g
    };
    plan("Allein einkaufen", "5", None, &mut last);
    let going_on = plan("Bus fahren", "3", Some("6"), &mut last);
    plan("Im Chor singen", "2", Some("1"), &mut last);
    last.set_goal_level(Role::Provider, &going_on, Some(GoalLevel::Bereichsziel))
        .unwrap();
    last.set_goal_target(Role::Provider, &going_on, Some(d(2026, 6, 30)))
        .unwrap();
    last.set_goal_self_rating(Role::Beneficiary, &going_on, Some("4"))
        .unwrap();

    let next = Report::create_follow_up(&last, &kvjs(), "r2", T0).unwrap();
    assert_eq!(next.follows().as_deref(), Some(last.id().as_str()));
    assert_eq!(next.text("lb_name").unwrap(), "Berger, Jan");
    assert_eq!(
        next.value("gesamtplan_vom").unwrap(),
        FieldValue::Date(Some(d(2025, 1, 10)))
    );
    // The new period is the new report's: not carried.
    assert_eq!(
        next.date_range("berichtszeitraum").unwrap(),
        DateRange::default()
    );
    // Reached and no longer relevant goals stay behind; the one that goes on keeps its text,
    // measures and plan, marked as continued, without last period's ratings.
    let goals = next.goals();
    assert_eq!(goals.len(), 1, "{goals:?}");
    let g = &goals[0];
    assert_eq!(g.text, "Bus fahren");
    assert_eq!(g.measures_text(), "Schritte zu Bus fahren");
    assert_eq!(
        (
            g.achievement.as_ref(),
            g.reason.as_ref(),
            g.self_rating.as_ref()
        ),
        (None, None, None)
    );
    assert_eq!(g.plan.level, Some(GoalLevel::Bereichsziel));
    assert_eq!(g.plan.target, Some(d(2026, 6, 30)));
    assert_eq!(g.plan.origin, Some(GoalOrigin::Continued));
    // An ordinary goal in the new report.
    let mut next = next;
    next.set_goal_achievement(Role::Provider, &g.id, Some("4"))
        .unwrap();
    assert_eq!(Report::load(&next.save()).unwrap().goals().len(), 1);
}

#[test]
fn a_goal_belongs_to_one_life_area_of_the_common_list() {
    let mut r = new_report();
    let g = r.add_goal(Role::Provider).unwrap();
    r.set_goal_area(Role::Provider, &g, Some("freizeit"))
        .unwrap();
    assert_eq!(r.goals()[0].plan.area.as_deref(), Some("freizeit"));
    let loaded = Report::load(&r.save()).unwrap();
    assert_eq!(loaded.goals()[0].plan.area.as_deref(), Some("freizeit"));
    // An area nobody knows is refused and changes nothing; none clears.
    let heads = r.heads();
    let error = r
        .set_goal_area(Role::Provider, &g, Some("mond"))
        .unwrap_err();
    assert!(
        error.to_string().contains("kein bekannter Lebensbereich"),
        "{error}"
    );
    assert_eq!(r.heads(), heads);
    // Only the goals' editors set it.
    assert!(r
        .set_goal_area(Role::Beneficiary, &g, Some("wohnen"))
        .is_err());
    r.set_goal_area(Role::Provider, &g, None).unwrap();
    assert_eq!(r.goals()[0].plan.area, None);
}

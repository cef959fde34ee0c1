//! The conversation's agenda, its current step and who is present.

mod common;

use common::*;
use dreieck_model::*;

fn keys(r: &Report) -> Vec<String> {
    r.agenda().into_iter().map(|s| s.key).collect()
}

#[test]
fn kvjs_agenda_follows_the_template_and_talks_through_each_goal() {
    let mut r = new_report();
    let titles: Vec<String> = r.agenda().into_iter().map(|s| s.title).collect();
    assert_eq!(
        titles,
        [
            "Allgemeines",
            "Entwicklung",
            "Ziele",
            "Wünsche",
            "Unterschriften",
            "Zusammenfassung"
        ]
    );
    assert_eq!(
        r.agenda()[0].sections,
        ["leistungsberechtigter", "einrichtung", "bericht"]
    );
    let g1 = r.add_goal(Role::Provider).unwrap();
    let g2 = r.add_goal(Role::Provider).unwrap();
    assert_eq!(
        keys(&r),
        [
            "0",
            "1",
            &format!("2:{g1}"),
            &format!("2:{g2}"),
            "3",
            "4",
            SUMMARY_STEP
        ]
    );
    let agenda = r.agenda();
    assert_eq!(agenda[3].title, "Ziele – Ziel 2");
    assert_eq!(agenda[3].plain_title, "Ihre Ziele – Ziel 2");
    assert_eq!(agenda[3].goal.as_ref(), Some(&g2));
}

#[test]
fn the_step_is_stored_and_a_removed_goal_moves_the_conversation_back() {
    let mut r = new_report();
    assert_eq!(r.conversation_step(), 0);
    let g1 = r.add_goal(Role::Provider).unwrap();
    let g2 = r.add_goal(Role::Provider).unwrap();
    r.set_conversation_step(Role::Provider, &format!("2:{g2}"))
        .unwrap();
    assert_eq!(r.conversation_step(), 3);
    r.remove_goal(Role::Provider, &g2).unwrap();
    // The goal is gone: the conversation stays in the goals, at the one before.
    assert_eq!(r.agenda()[r.conversation_step()].goal.as_ref(), Some(&g1));
    r.remove_goal(Role::Provider, &g1).unwrap();
    assert_eq!(r.agenda()[r.conversation_step()].key, "2");
    let e = r.set_conversation_step(Role::Provider, "9").unwrap_err();
    assert!(e.to_string().contains("Diesen Schritt gibt es"), "{e}");
    assert_eq!(r.agenda()[r.conversation_step()].key, "2");
}

#[test]
fn a_template_without_parts_has_one_step_per_section_and_hidden_ones_fall_away() {
    let t = shipped("goettingen-feedbackbogen");
    let mut r = Report::create(&t, "f1", T0).unwrap();
    let code = |starts: &str| code_starting(&t, "anlass", starts);
    r.set_choice(Role::Provider, "anlass", Some(&code("Regulärer")))
        .unwrap();
    let sections: Vec<String> = t.sections.iter().map(|s| s.id.clone()).collect();
    let all: Vec<Vec<String>> = r
        .agenda()
        .into_iter()
        .filter(|s| !s.is_summary())
        .map(|s| s.sections)
        .collect();
    assert_eq!(
        all,
        sections.iter().map(|s| vec![s.clone()]).collect::<Vec<_>>()
    );
    // Nichtantritt: "Nachfolgende Angaben entfallen!" — their steps too.
    r.set_choice(Role::Provider, "anlass", Some(&code("Nichtantritt")))
        .unwrap();
    let shown: Vec<String> = r.agenda().into_iter().map(|s| s.title).collect();
    assert!(shown.len() < sections.len() + 1, "{shown:?}");
    assert!(shown.contains(&"Anlass".to_string()));
}

#[test]
fn who_is_present_is_kept_and_can_be_taken_back() {
    let mut r = new_report();
    assert!(r.present().is_empty());
    r.set_present(Role::Provider, Role::Provider, Some(" Frau Sommer "))
        .unwrap();
    r.set_present(Role::Provider, Role::Beneficiary, Some("Anna"))
        .unwrap();
    r.set_present(Role::Provider, Role::Caseworker, Some(""))
        .unwrap();
    assert_eq!(
        r.present(),
        [
            (Role::Beneficiary, "Anna".to_string()),
            (Role::Provider, "Frau Sommer".to_string()),
            (Role::Caseworker, String::new()),
        ]
    );
    r.set_present(Role::Provider, Role::Caseworker, None)
        .unwrap();
    assert_eq!(r.present().len(), 2);
    let long = "x".repeat(MAX_PARTICIPANT_NAME + 1);
    assert!(r
        .set_present(Role::Provider, Role::Guardian, Some(&long))
        .is_err());
    assert_eq!(r.present().len(), 2, "a refused name changes nothing");
    // A reload keeps it.
    let loaded = Report::load(&r.save()).unwrap();
    assert_eq!(loaded.present(), r.present());
}

#[test]
fn a_remote_device_sees_the_step_the_tablet_moved_to() {
    let mut tablet = new_report();
    let mut office = tablet.fork();
    tablet.set_conversation_step(Role::Provider, "1").unwrap();
    tablet
        .set_present(Role::Provider, Role::Beneficiary, Some("Anna"))
        .unwrap();
    let before = office.save();
    let touched = office.apply_touched(&tablet.save()).unwrap();
    assert!(touched.conversation, "{touched:?}");
    assert!(!touched.everything);
    assert_ne!(office.save(), before);
    assert_eq!(office.conversation_step(), 1);
    assert_eq!(office.present(), tablet.present());
}

#[test]
fn a_conversation_part_must_name_every_section_once() {
    let json = BUILTIN_JSON[0];
    let broken = json.replacen(
        r#""sections": ["entwicklung"]"#,
        r#""sections": ["entwicklung", "ziele"]"#,
        1,
    );
    let e = Template::from_json(&broken).unwrap_err().to_string();
    assert!(e.contains("„ziele“ kommt mehrfach vor"), "{e}");
    let missing = json.replacen(
        r#""sections": ["entwicklung"]"#,
        r#""sections": ["bericht_gibt_es_nicht"]"#,
        1,
    );
    let e = Template::from_json(&missing).unwrap_err().to_string();
    assert!(e.contains("„bericht_gibt_es_nicht“ gibt es nicht"), "{e}");
    let dropped = json.replacen(
        r#""sections": ["entwicklung"]"#,
        r#""sections": ["ziele"]"#,
        1,
    );
    let e = Template::from_json(&dropped).unwrap_err().to_string();
    assert!(e.contains("Gesprächsablauf"), "{e}");
}

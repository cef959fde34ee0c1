//! The conversation's closing summary: what was agreed, what each person said, who still
//! signs — read from the report as it is, in both language variants.

mod common;

use common::*;
use dreieck_model::*;

const P: Role = Role::Provider;
const B: Role = Role::Beneficiary;

fn strokes() -> Strokes {
    Strokes::from_points(&[vec![(0.1, 0.5), (0.2, 0.3), (0.35, 0.6)]])
}

fn sign(r: &mut Report, field: &str, role: Role, name: &str) {
    let s = strokes();
    r.sign(
        &SignRequest {
            field,
            role,
            name,
            strokes: &s,
            time_ms: T0,
            date: d(2026, 12, 7),
        },
        &ParticipantKey::from_seed(&[7; 32]),
    )
    .unwrap();
}

#[test]
fn the_summary_is_the_last_step_of_every_agenda() {
    let mut r = new_report();
    let last = r.agenda().pop().unwrap();
    assert!(last.is_summary());
    assert_eq!(last.title, "Zusammenfassung");
    assert_eq!(last.plain_title, "Das haben wir besprochen");
    r.set_conversation_step(P, SUMMARY_STEP).unwrap();
    assert_eq!(r.conversation_step(), r.agenda().len() - 1);
    // A goal added before it keeps the summary last and the conversation on it.
    r.add_goal(P).unwrap();
    assert!(r.agenda()[r.conversation_step()].is_summary());
}

#[test]
fn what_was_agreed_names_each_goal_its_measures_and_both_ratings() {
    let mut r = new_report();
    let g = r.add_goal(P).unwrap();
    r.set_goal_text(P, &g, "  Allein einkaufen ").unwrap();
    let m = r.add_measure(P, &g).unwrap();
    r.set_measure_text(P, &g, &m, "Einkaufstraining").unwrap();
    r.set_measure_by(P, &g, &m, "Frau Berger").unwrap();
    r.set_goal_achievement(P, &g, Some("4")).unwrap();
    r.set_goal_self_rating(B, &g, Some("5")).unwrap();
    r.add_goal(P).unwrap();

    let goals = r.closing_summary().goals;
    assert_eq!(goals.len(), 2);
    let first = &goals[0];
    assert_eq!((first.number, first.text.as_str()), (1, "Allein einkaufen"));
    assert!(first
        .measures
        .iter()
        .any(|l| l == "Einkaufstraining (Frau Berger)"));
    let achievement = first.achievement.clone().unwrap();
    assert_eq!(achievement.standard, "weitgehend erreicht");
    assert_eq!(achievement.plain, "Es hat fast ganz geklappt.");
    assert_eq!(
        first.self_rating.clone().unwrap().standard,
        "völlig erreicht oder übertroffen"
    );
    assert!(first.ratings_differ);
    assert_eq!(goals[1].achievement, None);
    assert!(
        goals[1].measures.is_empty(),
        "blank measures are not agreed"
    );
}

#[test]
fn what_each_person_said_keeps_who_said_and_who_wrote_apart() {
    let mut r = new_report();
    assert!(r.closing_summary().sayings.is_empty());
    r.set_text(B, "wuensche", "Ich will kochen lernen.")
        .unwrap();
    let id = r.record_words(P, "wuensche", d(2026, 12, 7)).unwrap();
    r.set_recorded_text(P, "wuensche", &id, "Ich möchte ans Meer.")
        .unwrap();
    r.set_own_words_remark(P, "wuensche", "Sie sprach lange darüber.")
        .unwrap();

    let said = r.closing_summary().sayings;
    let all: Vec<(Role, &str, SaidHow)> = said
        .iter()
        .map(|s| (s.role, s.words.as_str(), s.how))
        .collect();
    assert_eq!(
        all,
        [
            (
                B,
                "Ich will kochen lernen.",
                SaidHow::OwnWords(Some("getippt"))
            ),
            (
                B,
                "Ich möchte ans Meer.",
                SaidHow::Recorded {
                    writer: P,
                    confirmed: false
                }
            ),
            (P, "Sie sprach lange darüber.", SaidHow::Remark),
        ]
    );
    assert_eq!(
        said[0].about.standard,
        r.template().field("wuensche").unwrap().label
    );

    r.confirm_recorded_words(B, "wuensche", &id, d(2026, 12, 7))
        .unwrap();
    assert!(r.closing_summary().sayings.iter().any(|s| s.how
        == SaidHow::Recorded {
            writer: P,
            confirmed: true
        }));
}

#[test]
fn who_still_signs_follows_the_signatures_and_a_later_change() {
    let mut r = new_report();
    let lines = r.closing_summary().signatures;
    let fields: Vec<&str> = lines.iter().map(|l| l.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "unterschrift_leistungserbringer",
            "unterschrift_leitung",
            "unterschrift_leistungsberechtigter",
            "unterschrift_betreuer"
        ]
    );
    assert!(lines.iter().all(|l| l.state == SignatureState::Missing));
    let required: Vec<&str> = lines
        .iter()
        .filter(|l| l.still_to_sign())
        .map(|l| l.field.as_str())
        .collect();
    assert!(required.contains(&"unterschrift_leistungsberechtigter"));
    assert_eq!(lines[2].signers, [B]);

    r.set_text(P, "lb_name", "Beispiel, Anna").unwrap();
    sign(
        &mut r,
        "unterschrift_leistungsberechtigter",
        B,
        "Anna Beispiel",
    );
    let line = |r: &Report| {
        r.closing_summary()
            .signatures
            .into_iter()
            .find(|l| l.field == "unterschrift_leistungsberechtigter")
            .unwrap()
    };
    assert_eq!(
        line(&r).state,
        SignatureState::Signed {
            name: "Anna Beispiel".into(),
            date: d(2026, 12, 7)
        }
    );
    assert!(!line(&r).still_to_sign());

    // Changed after signing: to be signed again.
    r.set_text(P, "lb_name", "Beispiel, Anna Maria").unwrap();
    assert_eq!(
        line(&r).state,
        SignatureState::SignedEarlierVersion {
            name: "Anna Beispiel".into()
        }
    );
    assert!(line(&r).still_to_sign());
}

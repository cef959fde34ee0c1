//! Goals from the Gesamtplan as a list: the documented format read line by line, and every
//! kind of bad input refused with its line before anything is written.

mod common;

use common::*;
use dreieck_model::*;

#[test]
fn a_pasted_plan_becomes_goals_with_levels_targets_and_measures() {
    let text = "\u{feff}Wirkungsziel: Herr B. lebt weiter in seiner eigenen Wohnung.\n\
        \n\
        handlungsziel: Herr B. kauft einmal pro Woche allein ein. (bis 30.06.2027)\n\
        \t  Maßnahme: Einkaufstraining mit Begleitung (Frau Berger, bis 31.03.2027)\n\
          - Maßnahmen: Einkaufsliste üben (Herr Adler)\n\
        • Herr B. findet eine Freizeitgruppe (im Stadtteil).\n\
        2) Bereichsziel: Mobilität (bis 1.9.2027)\n";
    let goals = goals_from_file(text.as_bytes()).unwrap();
    assert_eq!(goals.len(), 4);
    assert_eq!(
        goals[0].text,
        "Herr B. lebt weiter in seiner eigenen Wohnung."
    );
    assert_eq!(goals[0].plan.level, Some(GoalLevel::Wirkungsziel));
    assert_eq!(goals[1].text, "Herr B. kauft einmal pro Woche allein ein.");
    assert_eq!(goals[1].plan.level, Some(GoalLevel::Handlungsziel));
    assert_eq!(goals[1].plan.target, Some(d(2027, 6, 30)));
    // Each measure keeps its own who and by when.
    assert_eq!(
        goals[1].measures,
        vec![
            MeasureDraft {
                text: "Einkaufstraining mit Begleitung".into(),
                by: "Frau Berger".into(),
                until: Some(d(2027, 3, 31)),
            },
            MeasureDraft {
                text: "Einkaufsliste üben".into(),
                by: "Herr Adler".into(),
                until: None,
            },
        ]
    );
    // A parenthesis that is not a date stays part of the goal.
    assert_eq!(
        goals[2].text,
        "Herr B. findet eine Freizeitgruppe (im Stadtteil)."
    );
    assert_eq!(goals[2].plan.level, None);
    assert_eq!(goals[3].text, "Mobilität");
    assert_eq!(goals[3].plan.target, Some(d(2027, 9, 1)));
    assert!(goals
        .iter()
        .all(|g| g.plan.origin == Some(GoalOrigin::Gesamtplan)));

    // Into a report, after the goals it has, in one change.
    let mut r = new_report();
    r.add_goals(Role::Provider, &goals).unwrap();
    assert_eq!(r.goals().len(), 4);
    assert_eq!(r.goals()[1].measure_drafts(), goals[1].measures);
    // A goal without a measure line still offers its first measure to fill in.
    assert_eq!(r.goals()[0].measures.len(), 1);
    assert!(r.goals()[0].measures[0].is_blank());
}

#[test]
fn bad_lists_are_refused_with_their_line() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "Die Liste enthält kein Ziel"),
        (b"\n  \n- \n".to_vec(), "Die Liste enthält kein Ziel"),
        (
            "Ziel\nWirkungsziel: (bis 01.01.2030)".as_bytes().to_vec(),
            "Zeile 2: hier steht kein Ziel",
        ),
        (
            "Maßnahme: Training\nZiel".as_bytes().to_vec(),
            "Zeile 1: eine Maßnahme braucht ein Ziel",
        ),
        (
            "Ziel eins\nZiel zwei (bis 31.02.2027)".as_bytes().to_vec(),
            "Zeile 2: „31.02.2027“ ist kein gültiges Datum",
        ),
        (
            "Ziel\n  Maßnahme: Üben (Frau B., bis 2027-03-31)"
                .as_bytes()
                .to_vec(),
            "Zeile 2: „2027-03-31“ ist kein gültiges Datum (TT.MM.JJJJ)",
        ),
        (
            "Ziel (bis auf Weiteres)\n  Maßnahme: Üben (bis auf Weiteres)"
                .as_bytes()
                .to_vec(),
            "",
        ),
        (vec![0x89, b'P', b'N', b'G', 0, 0, 1], "enthält keinen Text"),
        (
            format!("Ziel\n{}", "x".repeat(MAX_LINE_FOR_TEST + 1)).into_bytes(),
            "Zeile 2: die Zeile ist länger als 1000 Zeichen",
        ),
        (
            (0..=MAX_GOALS)
                .map(|i| format!("Ziel {i}\n"))
                .collect::<String>()
                .into_bytes(),
            "Zeile 101: mehr als 100 Ziele",
        ),
        (vec![b'x'; 300 * 1024], "zu groß für eine Zielliste"),
    ];
    for (bytes, expected) in cases {
        let result = goals_from_file(&bytes);
        if expected.is_empty() {
            // "bis" with words, not a date, is part of the text: nothing is made up.
            let goals = result.unwrap();
            assert_eq!(goals[0].text, "Ziel (bis auf Weiteres)");
            assert_eq!(goals[0].plan.target, None);
            assert_eq!(goals[0].measures[0].text, "Üben (bis auf Weiteres)");
            assert_eq!(goals[0].measures[0].by, "");
            continue;
        }
        let message = result.unwrap_err().to_string();
        assert!(
            message.contains(expected),
            "{message} (expected {expected})"
        );
    }
}

const MAX_LINE_FOR_TEST: usize = 1_000;

//! The paper form: the KVJS template prints as seed 000's Vordruck, a template without a
//! paper layout prints every section in order, and a broken layout in a variant's file is
//! refused with the line and the problem.

mod common;

use common::*;
use dreieck_model::*;

/// A section's id with the heading it has on paper.
type OnPaper = (String, Option<String>);

/// Sections of each printed part, by id, with the heading each has on paper.
fn layout(t: &Template) -> Vec<(Option<String>, Vec<OnPaper>)> {
    t.paper_parts()
        .into_iter()
        .map(|p| {
            (
                p.heading.map(str::to_string),
                p.sections
                    .iter()
                    .map(|s| (s.section.id.clone(), s.title.map(str::to_string)))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn kvjs_prints_in_the_order_of_the_vordruck() {
    let t = kvjs();
    let parts = layout(&t);
    let s = |id: &str, title: Option<&str>| (id.to_string(), title.map(str::to_string));
    assert_eq!(
        parts,
        vec![
            (
                Some("Allgemeine Angaben".into()),
                vec![
                    s(
                        "leistungsberechtigter",
                        Some("Angaben zum Leistungsberechtigten (LB)")
                    ),
                    s("einrichtung", Some("Angaben zur Einrichtung/Dienst")),
                    s("bericht", Some("Angaben zum Ergebnisbericht")),
                    // The signature lines follow the data without a heading, as on the form.
                    s("unterschriften", None),
                ]
            ),
            (
                Some("Ergebnisbericht".into()),
                vec![
                    s(
                        "entwicklung",
                        Some("Entwicklung und Veränderungen des Leistungsberechtigten")
                    ),
                    s(
                        "wuensche",
                        Some("Wünsche und Vorstellungen des Leistungsberechtigten")
                    ),
                    s(
                        "anmerkungen",
                        Some(
                            "Anmerkungen der Einrichtung/Dienst (z. B. personen- oder umfeldbezogen, …)"
                        )
                    ),
                    s("ziele", Some("Ziele und Maßnahmen")),
                ]
            ),
        ]
    );
    let entwicklung = t
        .paper_parts()
        .into_iter()
        .flat_map(|p| p.sections)
        .find(|s| s.section.id == "entwicklung")
        .unwrap()
        .notes
        .to_vec();
    assert_eq!(
        entwicklung,
        [
            "Wie haben sich die Beeinträchtigungen verändert? Wie haben sich die Ressourcen verändert?",
            "(z. B. in den Bereichen Selbstversorgung, alltägliche Lebensführung, Kommunikation, Mobilität, Orientierung, Gesundheitsfürsorge, soziale Integration, Freizeitgestaltung)"
        ]
    );
    let columns: Vec<(GoalPart, String)> = t
        .goal_columns()
        .into_iter()
        .map(|c| (c.part, c.label))
        .collect();
    assert_eq!(
        columns,
        [
            (GoalPart::Number, "Nr.".to_string()),
            (GoalPart::Goal, "Nennung der Ziele".into()),
            (GoalPart::Achievement, "Zielerreichung".into()),
            (GoalPart::Reason, "Grund bei Nicht-Erreichung".into()),
            (GoalPart::Measures, "Maßnahmen".into()),
            (GoalPart::SelfRating, "Einschätzung der Person".into()),
        ]
    );
}

#[test]
fn every_section_reaches_the_paper_exactly_once() {
    for t in builtin_templates() {
        let printed: Vec<String> = t
            .paper_parts()
            .into_iter()
            .flat_map(|p| p.sections)
            .map(|s| s.section.id.clone())
            .collect();
        let mut sorted = printed.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), printed.len(), "{}: {printed:?}", t.id);
        assert_eq!(printed.len(), t.sections.len(), "{}: {printed:?}", t.id);
    }
}

#[test]
fn without_a_layout_sections_print_in_order_and_a_part_may_leave_some_out() {
    let mut t = kvjs();
    t.paper = None;
    let parts = layout(&t);
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].0, None);
    let ids: Vec<&str> = parts[0].1.iter().map(|(id, _)| id.as_str()).collect();
    let order: Vec<&str> = t.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, order);
    assert_eq!(
        t.goal_columns().iter().map(|c| c.part).collect::<Vec<_>>(),
        GoalColumn::defaults()
            .iter()
            .map(|c| c.part)
            .collect::<Vec<_>>()
    );

    // A variant that names only some sections still prints the others, after its parts.
    t.paper = Some(Paper {
        parts: vec![PaperPart {
            heading: "Zuerst".into(),
            sections: vec!["ziele".into()],
        }],
        ..Paper::default()
    });
    t.verify().unwrap();
    let parts = layout(&t);
    assert_eq!(parts[0].1[0].0, "ziele");
    assert_eq!(parts[1].0, None);
    assert_eq!(parts[1].1.len(), t.sections.len() - 1);
}

/// The KVJS file with its `"paper"` block replaced by `paper`.
fn with_paper(paper: &str) -> String {
    let json = BUILTIN_JSON
        .iter()
        .find(|j| j.contains("\"kvjs-ergebnisbericht\""))
        .unwrap();
    let start = json.find("\"paper\": {").unwrap();
    let end = start + json[start..].find("\n  },\n").unwrap() + "\n  },\n".len();
    format!("{}\"paper\": {paper},\n{}", &json[..start], &json[end..])
}

#[test]
fn a_broken_paper_layout_is_refused_with_its_line() {
    let cases = [
        (
            r#"{"parts": [{"heading": "A", "sections": ["gibtsnicht"]}]}"#,
            "den Abschnitt „gibtsnicht“ gibt es nicht",
        ),
        (
            r#"{"parts": [{"heading": "A", "sections": ["ziele"]}, {"heading": "B", "sections": ["ziele"]}]}"#,
            "der Abschnitt „ziele“ kommt mehrfach vor",
        ),
        (
            r#"{"parts": [{"heading": " ", "sections": ["ziele"]}]}"#,
            "jeder Teil braucht eine Überschrift",
        ),
        (
            r#"{"sections": {"nirgends": {"title": "X"}}}"#,
            "den Abschnitt „nirgends“ gibt es nicht",
        ),
        (
            r#"{"fields": {"gibtsnicht": {"label": "X"}}}"#,
            "das Feld „gibtsnicht“ gibt es nicht",
        ),
        (
            r#"{"fields": {"lb_name": {"label": " "}}}"#,
            "das Feld „lb_name“ braucht eine Beschriftung",
        ),
        (
            r#"{"goal_columns": [{"part": "goal", "label": "Ziel"}, {"part": "goal", "label": "Noch mal"}]}"#,
            "eine Spalte kommt mehrfach vor",
        ),
        (
            r#"{"goal_columns": [{"part": "measures", "label": "Maßnahmen"}]}"#,
            "die Spalte mit dem Ziel („goal“) fehlt",
        ),
        (
            r#"{"goal_columns": [{"part": "goal", "label": ""}]}"#,
            "jede Spalte braucht eine Überschrift",
        ),
    ];
    for (paper, expected) in cases {
        let json = with_paper(paper);
        match Template::from_json(&json) {
            Err(TemplateError::Invalid { line, message }) => {
                assert!(message.starts_with("Druckfassung („paper“): "), "{message}");
                assert!(message.contains(expected), "{message}");
                let line = line.expect("a line");
                assert!(
                    json.lines().nth(line - 1).unwrap().contains('"')
                        && json[..json.find("\"paper\"").unwrap()].lines().count() <= line,
                    "line {line} for {paper}"
                );
            }
            other => panic!("{paper}: {other:?}"),
        }
    }
    // An unknown column or key is a syntax error with its position, not silently ignored.
    for paper in [
        r#"{"goal_columns": [{"part": "smiley", "label": "X"}]}"#,
        r#"{"partz": []}"#,
    ] {
        assert!(
            matches!(
                Template::from_json(&with_paper(paper)),
                Err(TemplateError::Syntax { .. })
            ),
            "{paper}"
        );
    }
    // Columns in a template without a goals table mean nothing and are refused.
    let mut t = Template::from_json(
        r#"{"format": 1, "id": "mini", "version": "1", "name": "Mini", "plain_name": "Klein",
            "sections": [{"id": "s", "title": "A", "plain_title": "A", "fields": [
              {"id": "a", "kind": "short_text", "label": "A", "plain_label": "A", "editors": ["provider"]}]}]}"#,
    )
    .unwrap();
    t.paper = Some(Paper {
        goal_columns: GoalColumn::defaults(),
        ..Paper::default()
    });
    assert!(t
        .verify()
        .unwrap_err()
        .to_string()
        .contains("nur in Vorlagen mit einer Zieltabelle"));
}

#[test]
fn the_layout_survives_the_round_trip_through_a_report() {
    let t = kvjs();
    let json = t.to_json_pretty();
    assert_eq!(Template::from_json(&json).unwrap(), t);
    let report = new_report();
    assert_eq!(report.template().paper, t.paper);
}

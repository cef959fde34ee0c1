//! Forms 2 and 3 (Göttingen Erwartungs-/Feedbackbogen, Hamburg "Wille und Ressourcen"):
//! their fields, the Anlass conditions, the follow-up from the Erwartungsbogen, and plain
//! language in every shipped template.

mod common;

use common::*;
use dreieck_model::*;

fn template(id: &str) -> Template {
    builtin_templates()
        .into_iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("{id} is shipped and parses"))
}

fn erwartung() -> Template {
    template("goettingen-erwartungsbogen")
}

fn feedback() -> Template {
    template("goettingen-feedbackbogen")
}

fn labels(t: &Template) -> Vec<&str> {
    t.fields().map(|f| f.label.as_str()).collect()
}

fn problem_fields(r: &Report) -> Vec<String> {
    validate(r, d(2026, 6, 1))
        .into_iter()
        .map(|p| p.field)
        .collect()
}

// ---- the forms, field by field ------------------------------------------------------------

#[test]
fn erwartungsbogen_has_every_field_of_the_form() {
    let t = erwartung();
    assert_eq!(t.name, "Erwartungsbogen für die Nutzung des Angebots");
    assert_eq!(
        labels(&t),
        [
            "Projektname",
            "Träger",
            "Teilnahmezeitraum",
            "Datum",
            "Welche Erwartungen hat der eLb an das Angebot?",
            "Bis wann soll das Erwartete erreicht werden?",
            "Anspruch auf Fahrkosten",
            "ÖPNV/PKW",
            "Gesetzliche Betreuung vorhanden",
            "Name",
            "Vorname",
            "Geschlecht",
            "Anschrift",
            "Geburtsdatum",
            "Telefon",
            "E-Mail",
            "IFK",
            "Telefon",
            "E-Mail",
        ]
    );
    let section = t.sections.iter().find(|s| s.id == "erwartungen").unwrap();
    assert_eq!(
        section.title,
        "Individuelle Formulierung der Erwartungen des eLb"
    );
    assert!(section.help.as_deref().unwrap().contains("(O-Ton)"));
    let codes = |list: &str| -> Vec<String> {
        t.code_list(list)
            .unwrap()
            .codes
            .iter()
            .map(|c| c.label.clone())
            .collect()
    };
    assert_eq!(codes("ja_nein"), ["ja", "nein"]);
    assert_eq!(codes("verkehrsmittel"), ["ÖPNV", "PKW"]);
    assert_eq!(
        codes("betreuung"),
        ["ja (siehe beigefügte Betreuungsurkunde)", "nein"]
    );
    // The expectation is the eLb's own words: the eLb writes, the IFK may type what is said.
    let e = t.field("erwartungen").unwrap();
    assert!(e.editors.contains(&Role::Beneficiary) && e.editors.contains(&Role::Caseworker));
    assert!(!e.editors.contains(&Role::Provider));
    // The IFK's own details are the IFK's.
    assert_eq!(t.field("ifk_name").unwrap().editors, [Role::Caseworker]);
}

#[test]
fn feedbackbogen_has_every_field_of_the_form() {
    let t = feedback();
    assert_eq!(
        labels(&t),
        [
            "Auftragnehmer und Maßnahme",
            "Träger",
            "Teilnahme",
            "Name",
            "Vorname",
            "Anlass",
            "Abbruch am",
            "Gründe/Anlässe",
            "Individuelle Erwartung des eLb",
            "Haben sich meine Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) während der Teilnahme geändert – wenn ja in welche Richtung?",
            "Welche meiner selbst gesetzten Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) habe ich erreicht?",
            "Wodurch habe ich die Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) erreicht?",
            "Welche meiner selbst gesetzten Erwartungen (z.B. ein konkretes Ziel oder einzelne Schritte) habe ich nicht erreicht?",
            "Warum habe ich meine Erwartungen nicht erreicht? (Was sind die Ursachen dafür?)",
            "Welche meiner Ressourcen habe ich (weiter-)entwickeln können?",
            "Was will ich nach der Teilnahme an dem Angebot machen?",
            "Erstellt am",
            "Unterschrift Teilnehmer*in",
            "Unterschrift Mitarbeiter*in Träger",
        ]
    );
    let anlass: Vec<&str> = t
        .code_list("anlass")
        .unwrap()
        .codes
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(
        anlass,
        [
            "Nichtantritt eLb",
            "Abbruch",
            "Regulärer Abschluss des Angebotes"
        ]
    );
    // The eight result questions are the eLb's: they may write every one of them.
    let ergebnis = t.sections.iter().find(|s| s.id == "ergebnis").unwrap();
    assert_eq!(ergebnis.fields.len(), 8);
    assert!(ergebnis
        .fields
        .iter()
        .all(|f| f.editors.contains(&Role::Beneficiary)));
    assert_eq!(
        t.field("unterschrift_teilnehmer").unwrap().editors,
        [Role::Beneficiary]
    );
    assert_eq!(
        t.field("unterschrift_traeger").unwrap().editors,
        [Role::Provider]
    );
}

#[test]
fn wille_und_ressourcen_asks_every_question_grouped_as_the_seed() {
    let t = template("hamburg-wille-ressourcen");
    let by_section: Vec<(&str, Vec<&str>)> = t
        .sections
        .iter()
        .map(|s| {
            (
                s.title.as_str(),
                s.fields.iter().map(|f| f.label.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        by_section,
        [
            ("Angaben zur Person", vec!["Name, Vorname", "Datum"]),
            (
                "Wille",
                vec![
                    "Was ist gutes Leben für Sie?",
                    "Wie will ich leben? Was ist mir wichtig?"
                ]
            ),
            (
                "Persönliche Ressourcen",
                vec!["Was kann ich selber machen, ggf. mit technischen Hilfsmitteln?"]
            ),
            (
                "Lebensweltliche Ressourcen",
                vec!["Welche Freund*innen, Bekannte und Nachbar*innen sind an meiner Seite?"]
            ),
            (
                "Sozialräumliche Ressourcen",
                vec!["Welche Möglichkeiten bietet der Stadtteil?"]
            ),
            (
                "Unterstützung",
                vec![
                    "Nicht-professionelle Unterstützung",
                    "Wie können ergänzende Hilfen durch Profis aussehen?"
                ]
            ),
            (
                "Für andere da sein",
                vec!["Wie kann und will ich für andere da sein?"]
            ),
        ]
    );
    // The person's will first: the beneficiary may write every question.
    assert!(t.fields().all(|f| f.editors.contains(&Role::Beneficiary)));
}

// ---- conditions ---------------------------------------------------------------------------

#[test]
fn only_the_anlass_decides_what_is_shown() {
    // Views re-check what is shown only when one of these changes: the list must name every
    // field a condition looks at (the Anlass), and nothing typed.
    assert_eq!(feedback().condition_fields(), vec!["anlass".to_string()]);
    assert!(kvjs().condition_fields().is_empty());
}

#[test]
fn anlass_decides_which_fields_apply() {
    let mut r = Report::create(&feedback(), "f1", T0).unwrap();
    // Nothing chosen yet: only the head and the Anlass are shown.
    assert!(r.is_shown("name") && r.is_shown("anlass"));
    assert!(!r.is_shown("abbruch_am") && !r.is_section_shown("ergebnis"));
    assert!(!r.is_shown("erstellt_am"));
    let p = problem_fields(&r);
    assert!(p.contains(&"anlass".to_string()), "{p:?}");
    assert!(!p.contains(&"abbruch_am".to_string()), "{p:?}");

    r.set_choice(Role::Provider, "anlass", Some("nichtantritt"))
        .unwrap();
    // "Nachfolgende Angaben entfallen!": everything after the Anlass is hidden and unchecked.
    let anlass_at = r
        .template()
        .fields()
        .position(|f| f.id == "anlass")
        .unwrap();
    let later: Vec<String> = r
        .template()
        .fields()
        .skip(anlass_at + 1)
        .map(|f| f.id.clone())
        .collect();
    assert!(!later.is_empty());
    for id in &later {
        assert!(!r.is_shown(id), "{id} is shown after Nichtantritt");
    }
    let p = problem_fields(&r);
    assert!(later.iter().all(|id| !p.contains(id)), "{p:?}");

    r.set_choice(Role::Provider, "anlass", Some("abbruch"))
        .unwrap();
    assert!(r.is_shown("abbruch_am") && r.is_shown("gruende"));
    let p = problem_fields(&r);
    assert!(p.contains(&"abbruch_am".to_string()), "{p:?}");
    assert!(p.contains(&"gruende".to_string()), "{p:?}");
    r.set_date(Role::Provider, "abbruch_am", Some(d(2026, 3, 2)))
        .unwrap();
    r.set_text(Role::Provider, "gruende", "Umzug").unwrap();
    let p = problem_fields(&r);
    assert!(!p.contains(&"abbruch_am".to_string()) && !p.contains(&"gruende".to_string()));

    r.set_choice(Role::Provider, "anlass", Some("regulaer"))
        .unwrap();
    assert!(!r.is_shown("abbruch_am") && !r.is_shown("gruende"));
    assert!(r.is_section_shown("ergebnis") && r.is_shown("nach_der_teilnahme"));
    assert!(r.is_shown("erstellt_am"));
    // Hidden values stay in the document: switching back shows them again.
    assert_eq!(r.text("gruende").unwrap(), "Umzug");
    assert!(problem_fields(&r).contains(&"erstellt_am".to_string()));
}

#[test]
fn a_condition_on_a_hidden_field_does_not_hold() {
    let mut r = Report::create(&erwartung(), "e1", T0).unwrap();
    assert!(!r.is_shown("fahrkosten_verkehrsmittel"));
    r.set_choice(Role::Caseworker, "fahrkosten", Some("ja"))
        .unwrap();
    assert!(r.is_shown("fahrkosten_verkehrsmittel"));
    assert!(problem_fields(&r).contains(&"fahrkosten_verkehrsmittel".to_string()));
    r.set_choice(Role::Caseworker, "fahrkosten", Some("nein"))
        .unwrap();
    assert!(!problem_fields(&r).contains(&"fahrkosten_verkehrsmittel".to_string()));

    // A chain: c depends on b, b on a. Hiding b hides c whatever b holds.
    let json = CHAIN;
    let t = Template::from_json(json).unwrap();
    let mut r = Report::create(&t, "c1", T0).unwrap();
    r.set_choice(Role::Provider, "b", Some("x")).unwrap();
    assert!(!r.is_shown("b") && !r.is_shown("c"));
    r.set_choice(Role::Provider, "a", Some("x")).unwrap();
    assert!(r.is_shown("b") && r.is_shown("c"));
}

const CHAIN: &str = r#"{
  "format": 1, "id": "chain", "version": "1", "name": "Kette", "plain_name": "Kette",
  "code_lists": {"l": {"label": "L", "plain_label": "L", "codes": [
    {"code": "x", "label": "x", "plain_label": "x"}, {"code": "y", "label": "y", "plain_label": "y"}]}},
  "sections": [{"id": "s", "title": "S", "plain_title": "S", "fields": [
    {"id": "a", "kind": "choice", "code_list": "l", "label": "A", "plain_label": "A", "editors": ["provider"]},
    {"id": "b", "kind": "choice", "code_list": "l", "label": "B", "plain_label": "B", "editors": ["provider"],
     "shown_when": {"field": "a", "in": ["x"]}},
    {"id": "c", "kind": "short_text", "label": "C", "plain_label": "C", "editors": ["provider"], "required": true,
     "shown_when": {"field": "b", "in": ["x"]}}
  ]}]
}"#;

fn invalid(json: &str) -> String {
    match Template::from_json(json) {
        Err(TemplateError::Invalid { message, .. }) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn broken_conditions_are_refused_in_german_naming_the_field() {
    assert_eq!(
        invalid(&CHAIN.replace(r#""field": "b""#, r#""field": "bb""#)),
        "Abschnitt „s“, Feld „c“: die Bedingung („shown_when“) nennt das Feld „bb“, das es nicht gibt."
    );
    assert_eq!(
        invalid(&CHAIN.replace(r#""in": ["x"]}},"#, r#""in": ["z"]}},"#)),
        "Abschnitt „s“, Feld „b“: die Bedingung („shown_when“) nennt den Code „z“, den es beim Feld „a“ (Codeliste „l“) nicht gibt."
    );
    assert!(invalid(&CHAIN.replace(r#""field": "a""#, r#""field": "c""#))
        .starts_with("Abschnitt „s“, Feld „b“: die Bedingung („shown_when“) nennt das Feld „c“; es muss vor diesem Feld stehen."));
    assert!(
        invalid(&CHAIN.replace(r#""field": "a""#, r#""field": "b""#))
            .contains("es muss vor diesem Feld stehen")
    );
    let text_condition = CHAIN.replace(
        r#""kind": "choice", "code_list": "l", "label": "B""#,
        r#""kind": "short_text", "label": "B""#,
    );
    assert!(invalid(&text_condition).contains("Feld „c“: die Bedingung („shown_when“) nennt das Feld „b“; es muss eine Auswahl („choice“) sein."));
    assert!(
        invalid(&CHAIN.replace(r#""in": ["x"]}},"#, r#""in": []}},"#))
            .contains("nennt keine Codes")
    );
    // A typo inside a condition is refused too.
    let typo = CHAIN.replace(r#"{"field": "a", "in""#, r#"{"field": "a", "im""#);
    assert!(Template::from_json(&typo).is_err());
    // Sections: the condition must name a field before the section.
    let section = CHAIN.replace(
        r#""plain_title": "S", "fields""#,
        r#""plain_title": "S", "shown_when": {"field": "a", "in": ["x"]}, "fields""#,
    );
    assert!(invalid(&section).starts_with("Abschnitt „s“: die Bedingung"));
}

#[test]
fn conditions_survive_the_embedded_copy() {
    // The template is embedded as JSON in the document: conditions must round-trip.
    let t = feedback();
    assert_eq!(Template::from_json(&t.to_json()).unwrap(), t);
    let mut r = Report::create(&t, "f2", T0).unwrap();
    r.set_choice(Role::Provider, "anlass", Some("abbruch"))
        .unwrap();
    let loaded = Report::load(&r.save()).unwrap();
    assert!(loaded.is_shown("abbruch_am"));
    // And a template without the new keys writes none of them.
    let hamburg = template("hamburg-wille-ressourcen");
    assert!(!hamburg.to_json().contains("shown_when"));
    assert!(!hamburg.to_json().contains("carried_from"));
}

// ---- follow-up ----------------------------------------------------------------------------

fn filled_erwartungsbogen() -> Report {
    let mut e = Report::create(&erwartung(), "e-1", T0).unwrap();
    let ifk = Role::Caseworker;
    e.set_text(ifk, "projektname", "Angebot XY").unwrap();
    e.set_text(ifk, "traeger", "Träger XY").unwrap();
    e.set_date_range(
        ifk,
        "teilnahmezeitraum",
        DateRange {
            from: Some(d(2017, 1, 1)),
            to: Some(d(2017, 5, 31)),
        },
    )
    .unwrap();
    e.set_text(ifk, "name", "ZZZ-Tester").unwrap();
    e.set_text(ifk, "vorname", "Testi").unwrap();
    e.set_text(
        Role::Beneficiary,
        "erwartungen",
        "Ich will wieder früh aufstehen. Dann einen Praktikumsplatz finden.",
    )
    .unwrap();
    e
}

#[test]
fn feedbackbogen_from_erwartungsbogen_carries_the_expectation_and_the_person() {
    let e = filled_erwartungsbogen();
    let f = Report::create_follow_up(&e, &feedback(), "f-1", T0 + 1000).unwrap();
    assert_eq!(f.follows().as_deref(), Some("e-1"));
    assert_eq!(f.template().id, "goettingen-feedbackbogen");
    assert_eq!(
        f.text("erwartung_elb").unwrap(),
        e.text("erwartungen").unwrap()
    );
    for (to, from) in [
        ("name", "name"),
        ("vorname", "vorname"),
        ("traeger", "traeger"),
        ("auftragnehmer_massnahme", "projektname"),
    ] {
        assert_eq!(f.text(to).unwrap(), e.text(from).unwrap(), "{to}");
    }
    assert_eq!(
        f.date_range("teilnahme").unwrap(),
        e.date_range("teilnahmezeitraum").unwrap()
    );
    // Nothing else is filled: the result questions are answered in the conversation.
    assert_eq!(f.text("nach_der_teilnahme").unwrap(), "");
    assert_eq!(f.value("anlass").unwrap(), FieldValue::Choice(None));
    // The carried values are the document's, on every replica and after a reload.
    let mut f = f;
    let loaded = Report::load(&f.save()).unwrap();
    assert_eq!(
        loaded.text("erwartung_elb").unwrap(),
        e.text("erwartungen").unwrap()
    );
    assert_eq!(loaded.follows().as_deref(), Some("e-1"));
    // A plain new Feedbackbogen follows nothing.
    assert_eq!(
        Report::create(&feedback(), "f-2", T0).unwrap().follows(),
        None
    );
}

#[test]
fn every_carried_from_in_the_shipped_templates_names_a_real_field() {
    let all = builtin_templates();
    for t in &all {
        for f in t.fields() {
            let Some(c) = &f.carried_from else { continue };
            let source = all
                .iter()
                .find(|s| s.id == c.template)
                .unwrap_or_else(|| panic!("{}: no template {}", f.id, c.template));
            assert!(
                source.field(&c.field).is_some(),
                "{}: {} has no field {}",
                f.id,
                c.template,
                c.field
            );
            // And the follow-up can actually be created from an empty source report.
            let src = Report::create(source, "s", T0).unwrap();
            Report::create_follow_up(&src, t, "t", T0).unwrap();
        }
    }
}

#[test]
fn follow_up_from_an_unrelated_form_is_refused() {
    let k = new_report();
    let err = Report::create_follow_up(&k, &feedback(), "f", T0).unwrap_err();
    assert!(matches!(err, ModelError::NotAFollowUp { .. }), "{err:?}");
    assert!(err.to_string().contains("Feedbackbogen"), "{err}");
    // A mapping to a field the source lacks is named.
    let mut t = feedback();
    for s in &mut t.sections {
        for f in &mut s.fields {
            if f.id == "erwartung_elb" {
                f.carried_from = Some(CarriedFrom {
                    template: "goettingen-erwartungsbogen".into(),
                    field: "gibt_es_nicht".into(),
                });
            }
        }
    }
    let e = filled_erwartungsbogen();
    let err = Report::create_follow_up(&e, &t, "f", T0).unwrap_err();
    assert!(err.to_string().contains("gibt_es_nicht"), "{err}");
    assert!(
        err.to_string().contains("Individuelle Erwartung des eLb"),
        "{err}"
    );
}

// ---- plain language -----------------------------------------------------------------------

/// The rules every plain text is checked by, the app's own (crates/texts) and the templates'.
fn check_plain(s: &str, what: &str, problems: &mut Vec<String>) {
    problems.extend(
        dreieck_texts::rules::problems(s)
            .into_iter()
            .map(|p| format!("{what}: {p}")),
    );
}

#[test]
fn every_shipped_template_speaks_plain_language_to_the_beneficiary() {
    // Everything in a shared report is visible to the beneficiary (DOMAIN: "so everything in a
    // shared report is visible to the beneficiary"), so every field needs its plain label.
    let mut problems = Vec::new();
    for t in builtin_templates() {
        check_plain(
            &t.plain_name,
            &format!("{}: plain_name", t.id),
            &mut problems,
        );
        for s in &t.sections {
            let at = format!("{}/{}", t.id, s.id);
            check_plain(&s.plain_title, &at, &mut problems);
            if s.help.is_some() || s.plain_help.is_some() {
                check_plain(s.plain_help.as_deref().unwrap_or(""), &at, &mut problems);
            }
            for f in &s.fields {
                let at = format!("{}/{}", t.id, f.id);
                check_plain(&f.plain_label, &at, &mut problems);
                if f.help.is_some() || f.plain_help.is_some() {
                    check_plain(f.plain_help.as_deref().unwrap_or(""), &at, &mut problems);
                }
            }
        }
        for (id, list) in &t.code_lists {
            let at = format!("{}/{id}", t.id);
            check_plain(&list.plain_label, &at, &mut problems);
            for c in &list.codes {
                check_plain(&c.plain_label, &format!("{at}/{}", c.code), &mut problems);
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_plain_language_check_catches_a_missing_or_jargon_label() {
    let mut problems = Vec::new();
    check_plain("  ", "x", &mut problems);
    check_plain("Die IFK schickt es.", "y", &mut problems);
    check_plain("Sie haben nicht genug mitgemacht.", "z", &mut problems);
    check_plain("Der Plan wurde gemacht.", "w", &mut problems);
    assert_eq!(problems.len(), 4, "{problems:?}");
}

//! The template format's errors, and the shipped KVJS Ergebnisbericht field by field.

mod common;

use common::*;
use dreieck_model::*;

const MINIMAL: &str = r#"{
  "format": 1,
  "id": "mini",
  "version": "1",
  "name": "Mini",
  "plain_name": "Klein",
  "sections": [
    {
      "id": "s",
      "title": "Abschnitt",
      "plain_title": "Teil",
      "fields": [
        {"id": "a", "kind": "short_text", "label": "A", "plain_label": "A", "editors": ["provider"]}
      ]
    }
  ]
}"#;

fn invalid(json: &str) -> String {
    match Template::from_json(json) {
        Err(TemplateError::Invalid { message, .. }) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn minimal_template_parses_and_roundtrips() {
    let t = Template::from_json(MINIMAL).unwrap();
    assert_eq!(t.fields().count(), 1);
    assert_eq!(Template::from_json(&t.to_json()).unwrap(), t);
}

#[test]
fn syntax_error_names_line_and_column() {
    let broken = MINIMAL.replace(r#""version": "1","#, r#""version": "1""#);
    match Template::from_json(&broken) {
        Err(TemplateError::Syntax { line, column, .. }) => {
            assert_eq!(line, 5, "the line after the missing comma");
            assert_eq!(column, 3);
        }
        other => panic!("{other:?}"),
    }
    let e = Template::from_json("{\n  \"format\": 1,\n  oops").unwrap_err();
    assert!(
        matches!(
            e,
            TemplateError::Syntax {
                line: 3,
                column: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("Zeile 3, Spalte 3: "), "{e}");
}

#[test]
fn missing_key_is_named_in_german() {
    let json = MINIMAL.replace(r#""plain_name": "Klein","#, "");
    let e = Template::from_json(&json).unwrap_err();
    assert!(
        e.to_string().contains("Die Angabe „plain_name“ fehlt."),
        "{e}"
    );
}

#[test]
fn missing_plain_label() {
    let json = MINIMAL.replace(r#""plain_label": "A""#, r#""plain_label": "  ""#);
    assert_eq!(
        invalid(&json),
        "Abschnitt „s“, Feld „a“: die Beschriftung in Leichter Sprache fehlt."
    );
    let json = MINIMAL.replace(r#", "plain_label": "A""#, "");
    let e = Template::from_json(&json).unwrap_err();
    assert!(e.to_string().contains("„plain_label“ fehlt"), "{e}");
}

#[test]
fn help_needs_plain_help() {
    let json = MINIMAL.replace(r#""label": "A","#, r#""label": "A", "help": "Hilfe","#);
    assert!(invalid(&json).contains("plain_help"));
}

#[test]
fn unknown_code_list() {
    let json = MINIMAL.replace(
        r#""kind": "short_text""#,
        r#""kind": "choice", "code_list": "fehlt""#,
    );
    assert_eq!(
        invalid(&json),
        "Abschnitt „s“, Feld „a“: die Codeliste „fehlt“ gibt es nicht."
    );
}

#[test]
fn duplicate_ids() {
    let field = r#"{"id": "a", "kind": "short_text", "label": "A", "plain_label": "A", "editors": ["provider"]}"#;
    let json = MINIMAL.replace(field, &format!("{field}, {field}"));
    assert_eq!(
        invalid(&json),
        "Abschnitt „s“, Feld „a“: die Feld-ID kommt mehrfach vor."
    );
    let t = Template::from_json(MINIMAL).unwrap();
    let mut twice = t.clone();
    twice.sections.push(t.sections[0].clone());
    assert!(
        matches!(twice.verify(), Err(TemplateError::Invalid { message, line: None }) if message.contains("mehrfach"))
    );
    let codes = MINIMAL.replace(
        r#""sections""#,
        r#""code_lists": {"c": {"label": "C", "plain_label": "C", "codes": [
            {"code": "1", "label": "x", "plain_label": "x"},
            {"code": "1", "label": "y", "plain_label": "y"}]}}, "sections""#,
    );
    assert_eq!(
        invalid(&codes),
        "Die Codeliste „c“ enthält den Code „1“ mehrfach."
    );
}

#[test]
fn other_mistakes() {
    let e = Template::from_json(&MINIMAL.replace(r#""format": 1"#, r#""format": 2"#)).unwrap_err();
    assert_eq!(
        e,
        TemplateError::Format {
            line: Some(2),
            found: 2
        }
    );
    assert!(
        invalid(&MINIMAL.replace(r#""editors": ["provider"]"#, r#""editors": []"#))
            .contains("editors")
    );
    let typo = MINIMAL.replace(
        r#""editors""#,
        r#""required": true, "requird": true, "editors""#,
    );
    assert!(invalid(&typo).contains("„requird“ ist unbekannt"));
    let role = MINIMAL.replace(r#"["provider"]"#, r#"["chef"]"#);
    assert!(matches!(
        Template::from_json(&role),
        Err(TemplateError::Syntax { .. })
    ));
    let kind = MINIMAL.replace("short_text", "kurztext");
    assert!(matches!(
        Template::from_json(&kind),
        Err(TemplateError::Syntax { .. })
    ));
    let sig = MINIMAL.replace(
        r#""kind": "short_text""#,
        r#""kind": "signature", "optional": true, "required": true"#,
    );
    assert!(invalid(&sig).contains("optional"));
    let slash = MINIMAL.replace(r#""id": "a""#, r#""id": "a/b""#);
    assert!(invalid(&slash).contains("ungültige Feld-ID"));
}

#[test]
fn at_most_one_goals_table() {
    let goals = r#"{"id": "G", "kind": "goals", "achievement_codes": "c", "reason_codes": "c", "label": "Z", "plain_label": "Z", "editors": ["provider"]}"#;
    let two = MINIMAL
        .replace(
            r#""sections""#,
            r#""code_lists": {"c": {"label": "C", "plain_label": "C", "codes": [{"code": "1", "label": "x", "plain_label": "x"}]}}, "sections""#,
        )
        .replace(
            r#""editors": ["provider"]}"#,
            &format!(r#""editors": ["provider"]}}, {}, {}"#, goals, goals.replace("\"G\"", "\"H\"")),
        );
    assert!(invalid(&two).contains("höchstens eine Zieltabelle"));
}

// ---- the shipped KVJS Ergebnisbericht -----------------------------------------------------

/// (field id, exact label, kind name, editors, required)
const KVJS_FIELDS: &[(&str, &str, &str, &[Role], bool)] = {
    use Role::*;
    &[
        (
            "lb_name",
            "Name, Vorname",
            "short_text",
            &[Provider, Beneficiary],
            true,
        ),
        (
            "lb_geburtsdatum",
            "Geburtsdatum",
            "date",
            &[Provider, Beneficiary],
            true,
        ),
        (
            "lb_anschrift",
            "Anschrift",
            "short_text",
            &[Provider, Beneficiary],
            false,
        ),
        (
            "einrichtung_name_anschrift",
            "Name und Anschrift",
            "long_text",
            &[Provider],
            true,
        ),
        (
            "einrichtung_ansprechpartner",
            "Ansprechpartner/in der Einrichtung/im Dienst",
            "short_text",
            &[Provider],
            false,
        ),
        (
            "einrichtung_telefon",
            "Erreichbar unter Tel.",
            "short_text",
            &[Provider],
            false,
        ),
        (
            "einrichtung_email",
            "E-Mail",
            "short_text",
            &[Provider],
            false,
        ),
        (
            "gesamtplan_vom",
            "Gesamtplan des Leistungsträgers vom",
            "date",
            &[Provider, Caseworker],
            false,
        ),
        (
            "berichtszeitraum",
            "Berichtszeitraum des Ergebnisberichts",
            "date_range",
            &[Provider],
            true,
        ),
        // Not on the Vordruck; the deadline rule of seed 000 ("vor Ablauf des
        // Bewilligungszeitraums") needs it.
        (
            "bewilligungszeitraum",
            "Bewilligungszeitraum",
            "date_range",
            &[Provider, Caseworker],
            false,
        ),
        (
            "erstellt_von",
            "Der Ergebnisbericht wurde erstellt von",
            "short_text",
            &[Provider],
            true,
        ),
        (
            "entwicklung_selbstversorgung",
            "Selbstversorgung",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_lebensfuehrung",
            "alltägliche Lebensführung",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_kommunikation",
            "Kommunikation",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_mobilitaet",
            "Mobilität",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_orientierung",
            "Orientierung",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_gesundheit",
            "Gesundheitsfürsorge",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_soziale_integration",
            "soziale Integration",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_freizeit",
            "Freizeitgestaltung",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "entwicklung_allgemein",
            "Weitere Bereiche / allgemein",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "wuensche",
            "Wünsche und Vorstellungen des Leistungsberechtigten",
            "long_text",
            &[Beneficiary, Provider],
            false,
        ),
        (
            "anmerkungen_einrichtung",
            "Anmerkungen der Einrichtung/Dienst",
            "long_text",
            &[Provider],
            false,
        ),
        ("ziele", "Ziele und Maßnahmen", "goals", &[Provider], true),
        (
            "anmerkungen_zielerreichung",
            "Anmerkungen zu Zielerreichung (zu Nr. 1 ff)",
            "long_text",
            &[Provider],
            false,
        ),
        (
            "unterschrift_leistungserbringer",
            "Unterschrift/Datum Leistungserbringer",
            "signature",
            &[Provider],
            true,
        ),
        (
            "unterschrift_leitung",
            "Unterschrift/Datum des/der Leiter/in",
            "signature",
            &[Provider],
            true,
        ),
        (
            "unterschrift_leistungsberechtigter",
            "Unterschrift/Datum des Leistungsberechtigten",
            "signature",
            &[Beneficiary],
            true,
        ),
        (
            "unterschrift_betreuer",
            "Unterschrift/Datum des rechtlichen Betreuers",
            "signature",
            &[Guardian],
            false,
        ),
    ]
};

#[test]
fn kvjs_has_every_field_of_the_form() {
    let t = kvjs();
    assert_eq!(t.id, "kvjs-ergebnisbericht");
    for (id, label, kind, editors, required) in KVJS_FIELDS {
        let f = t.field(id).unwrap_or_else(|| panic!("field {id} missing"));
        assert_eq!(f.label, *label, "{id}");
        assert_eq!(f.kind.name(), *kind, "{id}");
        let mut have = f.editors.clone();
        let mut want = editors.to_vec();
        have.sort_by_key(|r| r.as_str());
        want.sort_by_key(|r| r.as_str());
        assert_eq!(have, want, "editors of {id}");
        assert_eq!(f.required, *required, "required of {id}");
    }
    assert_eq!(
        t.fields().count(),
        KVJS_FIELDS.len(),
        "no unexpected fields"
    );
    // Form order.
    let order: Vec<&str> = t.fields().map(|f| f.id.as_str()).collect();
    let want: Vec<&str> = KVJS_FIELDS.iter().map(|f| f.0).collect();
    assert_eq!(order, want);
    assert_eq!(
        t.field("lb_geburtsdatum").unwrap().kind,
        FieldKind::Date { birth_date: true }
    );
    assert_eq!(
        t.field("unterschrift_betreuer").unwrap().kind,
        FieldKind::Signature { optional: true }
    );
}

#[test]
fn kvjs_sections_and_help_texts() {
    let t = kvjs();
    let titles: Vec<&str> = t.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Angaben zum Leistungsberechtigten (LB)",
            "Angaben zur Einrichtung/Dienst",
            "Angaben zum Ergebnisbericht",
            "Entwicklung und Veränderungen des Leistungsberechtigten",
            "Wünsche und Vorstellungen des Leistungsberechtigten",
            "Anmerkungen der Einrichtung/Dienst",
            "Ziele und Maßnahmen",
            "Unterschriften",
        ]
    );
    assert_eq!(
        t.sections[3].help.as_deref(),
        Some("Wie haben sich die Beeinträchtigungen verändert? Wie haben sich die Ressourcen verändert?")
    );
    let goals_help = t.field("ziele").unwrap().help.clone().unwrap();
    assert!(goals_help.starts_with("Die Ziele von Gesamtplan und Ergebnisbericht sind identisch"));
    assert!(goals_help.contains(
        "Maßnahmen sind Handlungen beziehungsweise einzelne Schritte, die zur Erreichung der Ziele führen."
    ));
    assert!(t
        .field("anmerkungen_einrichtung")
        .unwrap()
        .help
        .as_deref()
        .unwrap()
        .contains("personen- oder umfeldbezogen"));
}

#[test]
fn kvjs_code_lists_are_exact() {
    let t = kvjs();
    let FieldKind::Goals {
        achievement_codes,
        reason_codes,
    } = &t.field("ziele").unwrap().kind
    else {
        panic!("goals field")
    };
    let z = t.code_list(achievement_codes).unwrap();
    let got: Vec<(&str, &str, bool)> = z
        .codes
        .iter()
        .map(|c| (c.code.as_str(), c.label.as_str(), c.needs_reason))
        .collect();
    assert_eq!(
        got,
        [
            ("1", "Verschlechterung", true),
            ("2", "nicht erreicht", true),
            ("3", "teilweise erreicht", true),
            ("4", "weitgehend erreicht", false),
            ("5", "völlig erreicht oder übertroffen", false),
        ]
    );
    assert_eq!(z.plain_label, "Wie gut hat es geklappt?");
    assert_eq!(z.codes[0].plain_label, "Es ist schlechter geworden.");
    let g = t.code_list(reason_codes).unwrap();
    let got: Vec<(&str, &str)> = g
        .codes
        .iter()
        .map(|c| (c.code.as_str(), c.label.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("1", "Ziele nicht mehr relevant"),
            ("2", "Änderung der Bedarfslage/Rahmenbedingungen"),
            ("3", "Fehlende Mitwirkung Leistungsberechtigte(r)"),
            ("4", "Ziele unklar formuliert (bspw. nicht realistisch)"),
            ("5", "Maßnahme/Leistung dem Einzelfall nicht gerecht werden"),
            ("6", "Sonstiges"),
        ]
    );
    // The eight areas, in the form's order, labelled as the development fields are.
    let areas: Vec<&str> = t
        .code_list("bereiche")
        .unwrap()
        .codes
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(
        areas,
        [
            "Selbstversorgung",
            "alltägliche Lebensführung",
            "Kommunikation",
            "Mobilität",
            "Orientierung",
            "Gesundheitsfürsorge",
            "soziale Integration",
            "Freizeitgestaltung",
        ]
    );
    for code in &t.code_list("bereiche").unwrap().codes {
        let field = t.field(&format!("entwicklung_{}", code.code)).unwrap();
        assert_eq!(field.label, code.label);
        assert_eq!(field.plain_label, code.plain_label);
    }
}

#[test]
fn kvjs_plain_language_everywhere() {
    let t = kvjs();
    let plain_ok = |s: &str, what: &str| {
        assert!(!s.trim().is_empty(), "{what}: empty");
        for abbr in ["z. B.", "bzw.", "ggf.", "Tel.", "LB", "Nr."] {
            assert!(!s.contains(abbr), "{what}: abbreviation {abbr:?} in {s:?}");
        }
        for sentence in s.split(['.', '?', ':']) {
            assert!(
                sentence.split_whitespace().count() <= 14,
                "{what}: sentence too long: {sentence:?}"
            );
        }
    };
    plain_ok(&t.plain_name, "plain_name");
    for s in &t.sections {
        plain_ok(&s.plain_title, &s.id);
        if s.help.is_some() {
            plain_ok(s.plain_help.as_deref().unwrap_or(""), &s.id);
        }
        for f in &s.fields {
            plain_ok(&f.plain_label, &f.id);
            if f.help.is_some() {
                plain_ok(f.plain_help.as_deref().unwrap_or(""), &f.id);
            }
            if let Some(h) = &f.plain_help {
                plain_ok(h, &f.id);
            }
        }
    }
    for (id, list) in &t.code_lists {
        plain_ok(&list.plain_label, id);
        for c in &list.codes {
            plain_ok(&c.plain_label, &format!("{id}/{}", c.code));
        }
    }
}

#[test]
fn builtin_templates_all_parse() {
    // builtin_templates() skips broken ones; no shipped file may be one of them.
    for raw in BUILTIN_JSON {
        if let Err(e) = Template::from_json(raw) {
            panic!("{e}\n{}", &raw[..raw.len().min(200)]);
        }
    }
    assert_eq!(builtin_templates().len(), BUILTIN_JSON.len());
}

#[test]
fn every_shipped_section_has_a_pictogram() {
    for template in builtin_templates() {
        for section in &template.sections {
            assert!(
                section.pictogram.is_some(),
                "{}: section {} has no pictogram",
                template.id,
                section.id
            );
        }
    }
}

#[test]
fn a_pictogram_is_optional_and_an_unknown_one_is_named_with_the_allowed_ones() {
    let plain = Template::from_json(MINIMAL).expect("minimal template");
    assert_eq!(plain.sections[0].pictogram, None);

    let with = MINIMAL.replace(
        r#""plain_title": "Teil","#,
        r#""plain_title": "Teil", "pictogram": "heart","#,
    );
    let t = Template::from_json(&with).expect("template with pictogram");
    assert_eq!(t.sections[0].pictogram, Some(Pictogram::Heart));
    assert_eq!(Template::from_json(&t.to_json()), Ok(t));

    let unknown = MINIMAL.replace(
        r#""plain_title": "Teil","#,
        r#""plain_title": "Teil", "pictogram": "rocket","#,
    );
    let e = Template::from_json(&unknown).unwrap_err().to_string();
    assert!(e.starts_with("Zeile "), "{e}");
    assert!(e.contains("„rocket“ ist hier nicht erlaubt"), "{e}");
    assert!(e.contains("person, people, house"), "{e}");
}

#[test]
fn an_unknown_role_is_named_with_the_allowed_ones() {
    let json = MINIMAL.replace(r#""editors": ["provider"]"#, r#""editors": ["nurse"]"#);
    let e = Template::from_json(&json).unwrap_err().to_string();
    assert!(e.contains("„nurse“ ist hier nicht erlaubt"), "{e}");
    assert!(e.contains("beneficiary"), "{e}");
}

#[test]
fn a_retention_period_is_one_to_fifty_years() {
    let with = |years: &str| {
        MINIMAL.replacen(
            "\"format\": 1,",
            &format!("\"format\": 1, \"retention_years\": {years},"),
            1,
        )
    };
    let t = Template::from_json(&with("10")).unwrap();
    assert_eq!(t.retention_years, Some(10));
    assert_eq!(Template::from_json(&t.to_json()).unwrap(), t);
    assert!(
        invalid(&with("0")).contains("1 bis 50 Jahre"),
        "{}",
        invalid(&with("0"))
    );
    assert!(invalid(&with("51")).contains("nicht 51"));
    assert!(Template::from_json(&with("-1")).is_err());
    assert_eq!(Template::from_json(MINIMAL).unwrap().retention_years, None);
}

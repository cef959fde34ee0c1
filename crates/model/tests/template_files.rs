//! Template files an organisation imports: every refusal names the line and the problem; an
//! adapted variant (fields and sections added, removed, renamed, its own code list) parses;
//! the library's versioning rules; a report keeps the template it was created with.

mod common;

use common::*;
use dreieck_model::*;

/// A small valid file, one key per line so the tests can name lines.
const BASE: &str = r#"{
  "format": 1,
  "id": "verein-bericht",
  "version": "1",
  "name": "Entwicklungsbericht Verein",
  "plain_name": "Bericht vom Verein",
  "code_lists": {
    "wohnform": {
      "label": "Wohnform",
      "plain_label": "Wie wohnen Sie?",
      "codes": [
        {"code": "allein", "label": "allein", "plain_label": "Ich wohne allein."},
        {"code": "wg", "label": "Wohngemeinschaft", "plain_label": "Ich wohne mit anderen."}
      ]
    }
  },
  "sections": [
    {
      "id": "person",
      "title": "Angaben zur Person",
      "plain_title": "Über Sie",
      "fields": [
        {
          "id": "name",
          "kind": "short_text",
          "label": "Name, Vorname",
          "plain_label": "Ihr Name",
          "editors": ["provider", "beneficiary"]
        },
        {
          "id": "wohnform",
          "kind": "choice",
          "code_list": "wohnform",
          "label": "Wohnform",
          "plain_label": "Wie wohnen Sie?",
          "editors": ["provider"]
        }
      ]
    },
    {
      "id": "wuensche",
      "title": "Wünsche",
      "plain_title": "Was Sie sich wünschen",
      "fields": [
        {
          "id": "wuensche_text",
          "kind": "long_text",
          "label": "Wünsche und Vorstellungen",
          "plain_label": "Was wünschen Sie sich?",
          "editors": ["beneficiary", "provider"],
          "shown_when": {"field": "wohnform", "in": ["wg"]}
        }
      ]
    }
  ]
}"#;

/// The 1-based line of the first line of `BASE` containing `needle`.
fn line_of(needle: &str) -> usize {
    BASE.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in BASE"))
}

fn refused(json: &str) -> TemplateError {
    match Template::from_json(json) {
        Ok(_) => panic!("accepted:\n{json}"),
        Err(e) => e,
    }
}

#[test]
fn the_base_file_parses() {
    let t = Template::from_json(BASE).unwrap();
    assert_eq!(t.fields().count(), 3);
}

#[test]
fn an_unknown_code_list_names_its_line() {
    let json = BASE.replace(r#""code_list": "wohnform""#, r#""code_list": "wohnen""#);
    let e = refused(&json);
    assert_eq!(e.line(), Some(line_of(r#""code_list": "wohnform""#)));
    assert_eq!(
        e.to_string(),
        format!(
            "Zeile {}: Abschnitt „person“, Feld „wohnform“: die Codeliste „wohnen“ gibt es nicht.",
            line_of(r#""code_list": "wohnform""#)
        )
    );
}

#[test]
fn a_duplicate_field_id_names_the_second_one() {
    let json = BASE.replace(r#""id": "wuensche_text""#, r#""id": "name""#);
    let e = refused(&json);
    assert_eq!(e.line(), Some(line_of(r#""id": "wuensche_text""#)));
    assert!(
        e.to_string()
            .ends_with("Abschnitt „wuensche“, Feld „name“: die Feld-ID kommt mehrfach vor."),
        "{e}"
    );
}

#[test]
fn an_empty_plain_label_names_its_line() {
    let json = BASE.replace(r#""plain_label": "Ihr Name""#, r#""plain_label": " ""#);
    let e = refused(&json);
    let line = line_of(r#""plain_label": "Ihr Name""#);
    assert_eq!(
        e.to_string(),
        format!(
            "Zeile {line}: Abschnitt „person“, Feld „name“: die Beschriftung in Leichter Sprache fehlt."
        )
    );
}

#[test]
fn a_missing_plain_label_names_the_field_and_a_line_inside_it() {
    let json = BASE.replace(",\n          \"plain_label\": \"Ihr Name\"", "");
    let e = refused(&json);
    let line = e.line().unwrap();
    // serde notices at the end of the field object: a line of that object.
    let field_start = line_of(r#""id": "name""#);
    assert!((field_start..field_start + 6).contains(&line), "{e}");
    assert!(
        e.to_string()
            .contains("Abschnitt „person“, Feld „name“: Die Angabe „plain_label“ fehlt."),
        "{e}"
    );
}

#[test]
fn an_unknown_kind_names_the_field_and_what_is_allowed() {
    let json = BASE.replace(r#""kind": "long_text""#, r#""kind": "langtext""#);
    let e = refused(&json);
    let field_start = line_of(r#""id": "wuensche_text""#);
    assert!(
        (field_start..field_start + 8).contains(&e.line().unwrap()),
        "{e}"
    );
    let text = e.to_string();
    assert!(
        text.contains("Abschnitt „wuensche“, Feld „wuensche_text“: „langtext“ ist hier nicht erlaubt (erlaubt: short_text, long_text"),
        "{text}"
    );
}

#[test]
fn a_condition_on_a_missing_field_names_its_line() {
    let json = BASE.replace(r#""field": "wohnform""#, r#""field": "wohnart""#);
    let e = refused(&json);
    let line = line_of(r#""shown_when""#);
    assert_eq!(
        e.to_string(),
        format!(
            "Zeile {line}: Abschnitt „wuensche“, Feld „wuensche_text“: die Bedingung („shown_when“) nennt das Feld „wohnart“, das es nicht gibt."
        )
    );
}

#[test]
fn a_duplicate_code_and_an_unknown_key_name_their_lines() {
    let json = BASE.replace(r#"{"code": "wg""#, r#"{"code": "allein""#);
    let e = refused(&json);
    assert_eq!(e.line(), Some(line_of(r#"{"code": "wg""#)));
    assert!(
        e.to_string().contains("enthält den Code „allein“ mehrfach"),
        "{e}"
    );

    let json = BASE.replace(
        r#""editors": ["provider"]"#,
        "\"editors\": [\"provider\"],\n          \"requird\": true",
    );
    let e = refused(&json);
    assert_eq!(e.line(), Some(line_of(r#""editors": ["provider"]"#) + 1));
    assert!(e.to_string().contains("„requird“ ist unbekannt"), "{e}");
}

#[test]
fn format_version_and_id_name_their_lines() {
    let e = refused(&BASE.replace(r#""format": 1"#, r#""format": 7"#));
    assert_eq!(
        e.to_string(),
        "Zeile 2: Formatversion 7 wird nicht unterstützt (erwartet 1)."
    );
    let e = refused(&BASE.replace(r#""id": "verein-bericht""#, r#""id": "Verein Bericht""#));
    assert_eq!(e.line(), Some(3));
    assert!(e.to_string().contains("„id“ darf nur Buchstaben"), "{e}");
    let e = refused(&BASE.replace(r#""version": "1""#, r#""version": """#));
    assert_eq!(e.to_string(), "Zeile 4: „version“ darf nicht leer sein.");
}

#[test]
fn a_syntax_error_names_line_and_column() {
    let json = BASE.replace(
        r#""plain_name": "Bericht vom Verein","#,
        r#""plain_name": "Bericht vom Verein""#,
    );
    let e = refused(&json);
    assert_eq!(e.line(), Some(7));
    assert!(e.to_string().starts_with("Zeile 7, Spalte 3: "), "{e}");
}

#[test]
fn verify_without_a_file_names_no_line() {
    let mut t = Template::from_json(BASE).unwrap();
    t.sections[1].fields[0].label = String::new();
    let e = t.verify().unwrap_err();
    assert_eq!(e.line(), None);
    assert_eq!(
        e.to_string(),
        "Abschnitt „wuensche“, Feld „wuensche_text“: die Beschriftung fehlt."
    );
}

/// The KVJS form adapted the way an organisation would: a section renamed, a field removed,
/// a field added with a code list of its own, a section added, and a new version.
fn kvjs_variant() -> String {
    let mut value: serde_json::Value = serde_json::from_str(BUILTIN_JSON[0]).unwrap();
    value["version"] = "2027.1-verein".into();
    value["name"] = "Ergebnisbericht (Verein Sonnenhof)".into();
    let sections = value["sections"].as_array_mut().unwrap();
    sections[0]["title"] = "Allgemeines".into();
    let fields = sections[1]["fields"].as_array_mut().unwrap();
    let before = fields.len();
    fields.retain(|f| f["id"] != "einrichtung_email");
    assert_eq!(
        fields.len(),
        before - 1,
        "the KVJS form has einrichtung_email"
    );
    fields.push(serde_json::json!({
        "id": "mobilitaet", "kind": "choice", "code_list": "mobilitaet",
        "label": "Mobilität", "plain_label": "Wie kommen Sie voran?", "editors": ["provider"]
    }));
    sections.push(serde_json::json!({
        "id": "freizeit", "title": "Freizeit", "plain_title": "Ihre Freizeit",
        "fields": [{"id": "hobbys", "kind": "long_text", "label": "Hobbys",
                     "plain_label": "Was machen Sie gern?", "editors": ["beneficiary", "provider"]}]
    }));
    value["code_lists"]["mobilitaet"] = serde_json::json!({
        "label": "Mobilität", "plain_label": "Wie kommen Sie voran?",
        "codes": [
            {"code": "zu_fuss", "label": "zu Fuß", "plain_label": "Ich gehe zu Fuß."},
            {"code": "rollstuhl", "label": "Rollstuhl", "plain_label": "Ich fahre mit dem Rollstuhl."}
        ]
    });
    // Every section is in one part of the conversation: the new one gets its own part.
    if let Some(parts) = value["conversation"].as_array_mut() {
        parts.push(serde_json::json!({"title": "Freizeit", "plain_title": "Freizeit", "sections": ["freizeit"]}));
    }
    serde_json::to_string_pretty(&value).unwrap()
}

#[test]
fn an_adapted_variant_parses_and_keeps_the_id() {
    let t = Template::from_json(&kvjs_variant()).unwrap();
    assert_eq!(t.id, "kvjs-ergebnisbericht");
    assert_eq!(t.sections[0].title, "Allgemeines");
    assert!(t.field("einrichtung_email").is_none());
    assert!(
        matches!(&t.field("mobilitaet").unwrap().kind, FieldKind::Choice { code_list } if code_list == "mobilitaet")
    );
    assert!(t.field("hobbys").is_some());
    // A report made from it works like any other.
    let mut r = Report::create(&t, "v1", T0).unwrap();
    r.set_choice(Role::Provider, "mobilitaet", Some("rollstuhl"))
        .unwrap();
    let r = Report::load(&r.save()).unwrap();
    assert_eq!(
        r.value("mobilitaet").unwrap(),
        FieldValue::Choice(Some("rollstuhl".into()))
    );
}

#[test]
fn the_library_adds_new_versions_and_refuses_changed_content_under_an_old_one() {
    let variant = Template::from_json(&kvjs_variant()).unwrap();
    let mut lib = Library::new(builtin_templates(), vec![]);
    assert_eq!(
        lib.newest("kvjs-ergebnisbericht").unwrap().version,
        kvjs().version
    );

    assert_eq!(lib.admit(&variant), Ok(Admission::New));
    lib.add(variant.clone());
    assert_eq!(lib.admit(&variant), Ok(Admission::AlreadyThere));
    // A new version of a shipped form is what new reports get.
    assert_eq!(lib.newest("kvjs-ergebnisbericht").unwrap(), &variant);
    assert_eq!(lib.choices()[0], &variant);
    assert_eq!(lib.versions("kvjs-ergebnisbericht").len(), 2);

    let mut changed = variant.clone();
    changed.name = "Anders".into();
    let e = lib.admit(&changed).unwrap_err();
    assert!(e.to_string().contains("neue Version"), "{e}");
    // A shipped form under its own version cannot be replaced either...
    let mut builtin = kvjs();
    builtin.name = "Anders".into();
    assert!(matches!(
        lib.admit(&builtin),
        Err(LibraryError::Conflict { .. })
    ));
    // ... nor removed; the import can.
    assert!(lib.removable(&kvjs().id, &kvjs().version).is_err());
    assert!(lib.removable(&variant.id, &variant.version).is_ok());
    lib.remove(&variant.id, &variant.version);
    assert_eq!(lib.newest("kvjs-ergebnisbericht").unwrap(), &kvjs());
}

#[test]
fn an_imported_form_with_a_new_id_is_offered_after_the_shipped_ones() {
    let own = Template::from_json(BASE).unwrap();
    let mut two = own.clone();
    two.version = "2".into();
    two.sections[0].title = "Person".into();
    let lib = Library::new(builtin_templates(), vec![two.clone(), own.clone()]);
    let choices = lib.choices();
    assert_eq!(choices.len(), builtin_templates().len() + 1);
    assert_eq!(choices.last().unwrap(), &&two);
    let all: Vec<_> = lib
        .all()
        .iter()
        .map(|t| (t.id.clone(), t.version.clone()))
        .collect();
    assert_eq!(
        all.last().unwrap(),
        &("verein-bericht".to_string(), "1".to_string())
    );
}

#[test]
fn a_report_keeps_the_version_it_was_created_with() {
    let v1 = Template::from_json(BASE).unwrap();
    let mut r = Report::create(&v1, "alt", T0).unwrap();
    r.set_text(Role::Provider, "name", "Erika Muster").unwrap();
    let stored = r.save();

    // Version 2 renames a section, drops the wishes and adds a field; the library has both.
    let v2_json = BASE
        .replace(r#""version": "1""#, r#""version": "2""#)
        .replace(r#""title": "Angaben zur Person""#, r#""title": "Person""#)
        .replace(r#""id": "wuensche_text""#, r#""id": "ziele_text""#);
    let v2 = Template::from_json(&v2_json).unwrap();
    let lib = Library::new(builtin_templates(), vec![v1.clone(), v2.clone()]);
    assert_eq!(lib.newest("verein-bericht").unwrap(), &v2);

    let old = Report::load(&stored).unwrap();
    assert_eq!(old.template(), &v1);
    assert!(old.template().field("wuensche_text").is_some());
    assert_eq!(old.template().sections[0].title, "Angaben zur Person");
    assert_eq!(
        old.value("name").unwrap(),
        FieldValue::Text("Erika Muster".into())
    );

    let new = Report::create(lib.newest("verein-bericht").unwrap(), "neu", T0).unwrap();
    assert!(new.template().field("ziele_text").is_some());
    assert!(new.template().field("wuensche_text").is_none());
}

#[test]
fn a_file_that_is_not_text_gets_a_plain_message() {
    for bytes in [&b"\x89PNG\r\n\x1a\n\0\0"[..], &b"DRK1\0\x01\xff\xfe"[..]] {
        let e = Template::from_file(bytes).unwrap_err();
        assert!(matches!(e, TemplateError::NotText(_)), "{e:?}");
        assert!(e.to_string().contains("keinen Text"), "{e}");
    }
    let e = Template::from_file(b"name;version\nx;1").unwrap_err();
    assert!(e.to_string().contains("beginnt nicht mit „{“"), "{e}");
    let e = Template::from_file(&vec![b' '; 3 * 1024 * 1024]).unwrap_err();
    assert!(e.to_string().contains("zu groß"), "{e}");
    // A byte-order mark (some editors write one) is fine.
    let with_bom = [&b"\xEF\xBB\xBF"[..], BASE.as_bytes()].concat();
    assert!(Template::from_file(&with_bom).is_ok());
}

mod damaged_files {
    use super::*;
    use proptest::prelude::*;

    /// Every shipped template, as text: real files to damage.
    fn shipped() -> Vec<String> {
        builtin_templates().iter().map(Template::to_json).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Whatever the bytes, reading a template file ends in a template or a message, never
        /// a panic (the line locator runs on every refusal).
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = Template::from_file(&bytes);
        }

        /// A real template with a stretch cut out or a byte replaced: refused with a message
        /// (or still a template when the change happened to keep it valid), never a panic.
        #[test]
        fn a_damaged_template_is_refused_with_a_message(
            which in 0usize..4,
            at in 0.0f64..1.0,
            cut in 0usize..64,
            byte in any::<u8>(),
        ) {
            let mut bytes = shipped()[which].clone().into_bytes();
            let start = ((bytes.len() as f64) * at) as usize % bytes.len();
            let end = (start + cut).min(bytes.len());
            bytes.splice(start..end, [byte]);
            if let Err(e) = Template::from_file(&bytes) {
                prop_assert!(!e.to_string().trim().is_empty());
            }
        }
    }
}

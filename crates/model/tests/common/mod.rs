//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod members;

use dreieck_model::{builtin_templates, Date, DateRange, FieldValue, Goal, Report, Role, Template};

pub const T0: i64 = 1_795_428_000_000;

pub fn kvjs() -> Template {
    builtin_templates()
        .into_iter()
        .find(|t| t.id == "kvjs-ergebnisbericht")
        .expect("the KVJS template is shipped and parses")
}

/// A shipped template by id.
pub fn shipped(id: &str) -> Template {
    builtin_templates()
        .into_iter()
        .find(|t| t.id == id)
        .expect("the template is shipped and parses")
}

/// The code of choice field `field` whose standard label starts with `starts`.
pub fn code_starting(t: &Template, field: &str, starts: &str) -> String {
    let list = match &t.field(field).expect("the field exists").kind {
        dreieck_model::FieldKind::Choice { code_list } => t.code_list(code_list).expect("its list"),
        other => panic!("{field} is a {}, not a choice", other.name()),
    };
    list.codes
        .iter()
        .find(|c| c.label.starts_with(starts))
        .map(|c| c.code.clone())
        .expect("a code with that label")
}

pub fn new_report() -> Report {
    Report::create(&kvjs(), "r1", T0).unwrap()
}

/// Sets the KVJS Berichtszeitraum as the provider (who fills it in).
pub fn set_period(r: &mut Report, from: Option<Date>, to: Option<Date>) {
    r.set_date_range(Role::Provider, "berichtszeitraum", DateRange { from, to })
        .unwrap();
}

pub fn d(y: i32, m: u8, day: u8) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

/// Everything a user can see of a report, for comparing replicas.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub values: Vec<(String, FieldValue)>,
    pub conflicts: Vec<(String, Vec<String>)>,
    pub goals: Vec<Goal>,
    pub goal_conflicts: Vec<Vec<String>>,
}

pub fn snapshot(r: &Report) -> Snapshot {
    let t = r.template().clone();
    let mut values = Vec::new();
    let mut conflicts = Vec::new();
    for f in t.fields() {
        values.push((f.id.clone(), r.value(&f.id).unwrap()));
        let subs: Vec<String> = match f.kind {
            dreieck_model::FieldKind::DateRange => {
                vec![format!("{}/from", f.id), format!("{}/to", f.id)]
            }
            dreieck_model::FieldKind::Signature { .. } => vec![format!("{}/date", f.id)],
            _ => vec![f.id.clone()],
        };
        for s in subs {
            conflicts.push((s.clone(), r.conflicts(&s).unwrap()));
        }
    }
    let goals = r.goals();
    let goal_conflicts = goals
        .iter()
        .flat_map(|g| {
            [
                r.goal_conflicts(&g.id, dreieck_model::GoalScalar::Achievement)
                    .unwrap(),
                r.goal_conflicts(&g.id, dreieck_model::GoalScalar::Reason)
                    .unwrap(),
            ]
        })
        .collect();
    Snapshot {
        values,
        conflicts,
        goals,
        goal_conflicts,
    }
}

/// A small template with one field of every kind, for tests of kinds the KVJS form lacks.
pub const ALL_KINDS: &str = r#"{
  "format": 1,
  "id": "alle-arten",
  "version": "1",
  "name": "Alle Arten",
  "plain_name": "Alle Arten",
  "code_lists": {
    "farbe": {
      "label": "Farbe",
      "plain_label": "Welche Farbe?",
      "codes": [
        {"code": "rot", "label": "Rot", "plain_label": "Rot"},
        {"code": "blau", "label": "Blau", "plain_label": "Blau"}
      ]
    },
    "stufe": {
      "label": "Stufe",
      "plain_label": "Wie gut?",
      "codes": [
        {"code": "1", "label": "schlecht", "plain_label": "Schlecht.", "needs_reason": true},
        {"code": "2", "label": "gut", "plain_label": "Gut."}
      ]
    },
    "grund": {
      "label": "Grund",
      "plain_label": "Warum?",
      "codes": [{"code": "x", "label": "Sonstiges", "plain_label": "Etwas anderes."}]
    }
  },
  "sections": [
    {
      "id": "s",
      "title": "Alles",
      "plain_title": "Alles",
      "fields": [
        {"id": "kurz", "kind": "short_text", "label": "Kurz", "plain_label": "Kurz", "editors": ["provider"]},
        {"id": "lang", "kind": "long_text", "label": "Lang", "plain_label": "Lang", "editors": ["provider", "beneficiary"]},
        {"id": "tag", "kind": "date", "label": "Tag", "plain_label": "Tag", "editors": ["caseworker"]},
        {"id": "zeit", "kind": "date_range", "label": "Zeit", "plain_label": "Zeit", "editors": ["provider"]},
        {"id": "farbe", "kind": "choice", "code_list": "farbe", "label": "Farbe", "plain_label": "Farbe", "editors": ["beneficiary"], "required": true},
        {"id": "ziele", "kind": "goals", "achievement_codes": "stufe", "reason_codes": "grund", "label": "Ziele", "plain_label": "Ziele", "editors": ["provider"]},
        {"id": "sig", "kind": "signature", "label": "Unterschrift", "plain_label": "Unterschrift", "editors": ["guardian"], "optional": true}
      ]
    }
  ]
}"#;

pub fn all_kinds() -> Report {
    Report::create(&Template::from_json(ALL_KINDS).unwrap(), "alle", T0).unwrap()
}

/// Saves and loads again: what another device or a reload sees.
pub fn reload(r: &mut Report) -> Report {
    Report::load(&r.save()).unwrap()
}

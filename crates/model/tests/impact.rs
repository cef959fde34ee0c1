//! Wirkungsorientierung over generated reports: every figure checked against a direct count of
//! what was written, a group of fewer than five people withheld from the figures, the totals
//! and the CSV, and the change from one report to the next counted per person.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use dreieck_model::*;

const P: Role = Role::Provider;
const B: Role = Role::Beneficiary;

/// One goal as the generator wrote it.
#[derive(Clone)]
struct Written {
    person: usize,
    report: usize,
    area: &'static str,
    achievement: u8,
    reason: Option<u8>,
    self_rating: Option<u8>,
    year: i32,
    provider: &'static str,
}

/// A small deterministic generator (no dependency, the same numbers on every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// 12 people with two reports each (2025 and 2026) at two providers; goals in "wohnen" and
/// "freizeit" for everybody, "mobilitaet" only for 4 people.
fn generated() -> (Vec<Report>, Vec<Written>) {
    let mut rng = Lcg(7);
    let mut reports = Vec::new();
    let mut written = Vec::new();
    for person in 0..12 {
        let provider = if person % 2 == 0 {
            "Wohnverbund Nord"
        } else {
            "Ambulanter Dienst Süd"
        };
        for (report, year) in [2025, 2026].into_iter().enumerate() {
            let mut r = Report::create(&kvjs(), &format!("r{person}-{report}"), T0).unwrap();
            // The same person, spelled differently in the second report.
            let name = if report == 0 {
                format!("Muster, Person {person}")
            } else {
                format!("  muster,   PERSON {person} ")
            };
            r.set_text(P, "lb_name", &name).unwrap();
            r.set_date(P, "lb_geburtsdatum", Some(d(1980, 1, 1 + person as u8)))
                .unwrap();
            r.set_text(
                P,
                "einrichtung_name_anschrift",
                &format!("{provider}\nHauptstraße 1"),
            )
            .unwrap();
            set_period(&mut r, Some(d(year, 1, 1)), Some(d(year, 12, 31)));
            let mut areas = vec!["wohnen", "freizeit"];
            if person < 4 {
                areas.push("mobilitaet");
            }
            for area in areas {
                let g = r.add_goal(P).unwrap();
                r.set_goal_text(P, &g, "Ein Ziel, das im Aggregat nicht vorkommt")
                    .unwrap();
                r.set_goal_area(P, &g, Some(area)).unwrap();
                let achievement = 1 + rng.next(5) as u8;
                r.set_goal_achievement(P, &g, Some(&achievement.to_string()))
                    .unwrap();
                let reason = (achievement <= 3).then(|| 1 + rng.next(6) as u8);
                if let Some(c) = reason {
                    r.set_goal_reason(P, &g, Some(&c.to_string())).unwrap();
                }
                let self_rating = (rng.next(3) > 0).then(|| 1 + rng.next(5) as u8);
                if let Some(c) = self_rating {
                    r.set_goal_self_rating(B, &g, Some(&c.to_string())).unwrap();
                }
                written.push(Written {
                    person,
                    report: person * 2 + report,
                    area,
                    achievement,
                    reason,
                    self_rating,
                    year,
                    provider,
                });
            }
            reports.push(r);
        }
    }
    (reports, written)
}

fn all_goals(reports: &[Report]) -> Vec<ImpactGoal> {
    reports.iter().flat_map(Report::impact_goals).collect()
}

/// The figures of one group counted straight from what was written.
fn direct(written: &[&Written], label: &str) -> Group {
    let mut g = Group {
        label: label.to_string(),
        ..Group::default()
    };
    g.people = written
        .iter()
        .map(|w| w.person)
        .collect::<BTreeSet<_>>()
        .len();
    g.goals = written.len();
    for w in written {
        g.achievement[usize::from(w.achievement - 1)] += 1;
        if let Some(r) = w.reason {
            g.reason[usize::from(r - 1)] += 1;
        }
        if let Some(s) = w.self_rating {
            g.self_rating[usize::from(s - 1)] += 1;
            if s != w.achievement {
                g.ratings_differ += 1;
            }
        }
    }
    g
}

#[test]
fn figures_by_life_area_match_a_direct_count_and_a_group_of_four_is_withheld() {
    let (reports, written) = generated();
    let goals = all_goals(&reports);
    assert_eq!(goals.len(), written.len());
    let by_area = aggregate(&goals, Dimension::Area);
    assert_eq!(by_area.withheld, 1, "Mobilität has 4 people");
    let labels: Vec<&str> = by_area.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["Freizeitgestaltung", "Wohnen"]);
    for (code, label) in [("freizeit", "Freizeitgestaltung"), ("wohnen", "Wohnen")] {
        let of: Vec<&Written> = written.iter().filter(|w| w.area == code).collect();
        let shown = by_area.groups.iter().find(|g| g.label == label).unwrap();
        assert_eq!(*shown, direct(&of, label));
        assert_eq!(
            shown.people, 12,
            "each person counted once across both reports"
        );
    }
    // The total covers the shown groups only: nothing of Mobilität can be worked out from it.
    let shown: Vec<&Written> = written.iter().filter(|w| w.area != "mobilitaet").collect();
    assert_eq!(by_area.total, direct(&shown, "Zusammen"));

    // The CSV has the shown groups and the total, says one group is left out, and holds no
    // figure of Mobilität.
    let csv = impact_csv(&by_area, Dimension::Area);
    let body = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("Lebensbereich;Personen;Ziele;Zielerreichung 1;"));
    assert!(lines[1].starts_with("Freizeitgestaltung;12;24;"));
    assert!(lines[2].starts_with("Wohnen;12;24;"));
    assert!(lines[3].starts_with("Zusammen;12;48;"));
    assert_eq!(
        lines[4],
        "8 Ziele nicht enthalten: sie fallen in eine Gruppe mit weniger als 5 Personen"
    );
    assert!(!body.contains("Mobilität"));
    // No name and no goal text in anything aggregated.
    assert!(!body.contains("Muster") && !body.contains("Ein Ziel"));
}

#[test]
fn figures_by_provider_period_and_level_match_a_direct_count() {
    let (reports, written) = generated();
    let goals = all_goals(&reports);
    // The goals of the withheld life area count in no table: otherwise the total by provider
    // minus the shown life areas would give them away.
    let counted: Vec<&Written> = written.iter().filter(|w| w.area != "mobilitaet").collect();
    let by_provider = aggregate(&goals, Dimension::Provider);
    assert_eq!(by_provider.withheld, 0);
    assert_eq!(by_provider.withheld_goals, 8);
    for provider in ["Ambulanter Dienst Süd", "Wohnverbund Nord"] {
        let of: Vec<&Written> = counted
            .iter()
            .copied()
            .filter(|w| w.provider == provider)
            .collect();
        let shown = by_provider
            .groups
            .iter()
            .find(|g| g.label == provider)
            .unwrap();
        assert_eq!(
            *shown,
            direct(&of, provider),
            "only the first line names it"
        );
    }
    let by_year = aggregate(&goals, Dimension::Period);
    for year in [2025, 2026] {
        let of: Vec<&Written> = counted.iter().copied().filter(|w| w.year == year).collect();
        let label = year.to_string();
        let shown = by_year.groups.iter().find(|g| g.label == label).unwrap();
        assert_eq!(*shown, direct(&of, &label));
    }
    // No level was given: one group "ohne Angabe" with everything.
    let by_level = aggregate(&goals, Dimension::Level);
    assert_eq!(by_level.groups, vec![direct(&counted, "ohne Angabe")]);
    // Every table adds up to the same total.
    for by in Dimension::ALL {
        assert_eq!(
            aggregate(&goals, by).total,
            direct(&counted, "Zusammen"),
            "{by:?}"
        );
    }
}

#[test]
fn the_change_between_reports_is_counted_per_person_and_withheld_below_five() {
    let (reports, written) = generated();
    let goals = all_goals(&reports);
    // Directly: each person's mean achievement in 2026 against 2025.
    let mut means: BTreeMap<(usize, usize), (u32, u32)> = BTreeMap::new();
    for w in written.iter().filter(|w| w.area != "mobilitaet") {
        let e = means.entry((w.person, w.report % 2)).or_default();
        e.0 += u32::from(w.achievement);
        e.1 += 1;
    }
    let (mut better, mut same, mut worse) = (0, 0, 0);
    for person in 0..12 {
        let (s1, n1) = means[&(person, 0)];
        let (s2, n2) = means[&(person, 1)];
        match (s2 * n1).cmp(&(s1 * n2)) {
            std::cmp::Ordering::Greater => better += 1,
            std::cmp::Ordering::Equal => same += 1,
            std::cmp::Ordering::Less => worse += 1,
        }
    }
    let c = change(&goals);
    assert_eq!(
        (c.people, c.better, c.same, c.worse, c.withheld),
        (12, better, same, worse, false)
    );
    // Four people only: withheld, with no figure left in it.
    let people: Vec<String> = goals
        .iter()
        .map(|g| g.person.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(4)
        .collect();
    let four: Vec<ImpactGoal> = goals
        .into_iter()
        .filter(|g| people.contains(&g.person))
        .collect();
    let c = change(&four);
    assert_eq!(
        c,
        Change {
            withheld: true,
            ..Change::default()
        }
    );
}

#[test]
fn a_report_without_the_persons_name_or_goals_adds_nothing() {
    let mut r = new_report();
    let g = r.add_goal(P).unwrap();
    r.set_goal_achievement(P, &g, Some("4")).unwrap();
    assert!(r.impact_goals().is_empty(), "nobody to count");
    r.set_text(P, "lb_name", "Muster, Maria").unwrap();
    assert_eq!(r.impact_goals().len(), 1);
    let hamburg = builtin_templates()
        .into_iter()
        .find(|t| t.id == "hamburg-wille-ressourcen")
        .unwrap();
    let mut h = Report::create(&hamburg, "h1", T0).unwrap();
    h.set_text(P, "name_vorname", "Muster, Maria").unwrap();
    assert!(h.impact_goals().is_empty());
}

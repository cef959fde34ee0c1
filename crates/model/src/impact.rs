//! Wirkungsorientierung: what the help achieved across people, as aggregates only.
//!
//! Seed 003 separates the individual's goal achievement (Wirkung) from how well offers work
//! across many people (Wirksamkeit); seed 000 asks the same of the KVJS report. The planner
//! wants goal achievement (1–5) and the reasons (1–6) by life area, goal level, period and
//! provider, the person's own rating beside the provider's, and how people's goals went from
//! one report to the next.
//!
//! Two steps, so that nothing personal leaves the step that reads a report:
//! [`Report::impact_goals`] reduces a report to rows without text or name (the person only as a
//! one-way digest, for counting people), and [`aggregate`] counts the rows of many reports by
//! one dimension. A group of fewer than [`MIN_PEOPLE`] distinct people is withheld, and so that
//! no figure can be worked out by subtracting one table from another (the total by provider
//! minus the shown life areas would give a withheld life area away), a goal that falls in a
//! withheld group of any dimension counts in no table at all ([`eligible`]). Every table then
//! covers the same goals, and every group in it has at least [`MIN_PEOPLE`] people. The same
//! rule holds for the change between reports.

use sha2::{Digest, Sha256};

use crate::template::FieldKind;
use crate::{help_area, Date, GoalLevel, Report};

/// No group of fewer distinct people is shown or exported (k-anonymity).
pub const MIN_PEOPLE: usize = 5;

/// The fields that name the provider, in the forms that have one.
const PROVIDER_FIELDS: [&str; 2] = ["einrichtung_name_anschrift", "traeger"];

/// One goal as the aggregate counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactGoal {
    /// A digest of the person's name and birth date: equal for the same person's reports on
    /// this device, meaningless elsewhere. Used to count people, never shown.
    pub person: String,
    /// The report's id and, for a follow-up, the report it continues.
    pub report: String,
    /// The last day of the report's period (Berichtszeitraum), when filled.
    pub period_end: Option<Date>,
    /// The provider as the form names it (its first line), "" when not filled.
    pub provider: String,
    /// A code of [`crate::HELP_AREAS`].
    pub area: Option<String>,
    pub level: Option<GoalLevel>,
    /// Zielerreichung 1–5 (provider), Grund 1–6, the person's own rating 1–5.
    pub achievement: Option<u8>,
    pub reason: Option<u8>,
    pub self_rating: Option<u8>,
}

/// What the goals are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Area,
    Level,
    /// The year the report's period ends in.
    Period,
    Provider,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::Area,
        Dimension::Level,
        Dimension::Period,
        Dimension::Provider,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Area => "Lebensbereich",
            Dimension::Level => "Zielebene",
            Dimension::Period => "Jahr (Ende des Berichtszeitraums)",
            Dimension::Provider => "Einrichtung/Dienst",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Area => "lebensbereich",
            Dimension::Level => "zielebene",
            Dimension::Period => "jahr",
            Dimension::Provider => "einrichtung",
        }
    }

    pub fn from_code(code: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.code() == code)
    }

    /// The group a goal falls in.
    fn group_of(self, g: &ImpactGoal) -> String {
        const NONE: &str = "ohne Angabe";
        match self {
            Dimension::Area => g
                .area
                .as_deref()
                .and_then(help_area)
                .map_or(NONE, |a| a.label)
                .to_string(),
            Dimension::Level => g.level.map_or(NONE, |l| l.label()).to_string(),
            Dimension::Period => g
                .period_end
                .map_or_else(|| NONE.to_string(), |d| d.0.year().to_string()),
            Dimension::Provider if g.provider.is_empty() => NONE.to_string(),
            Dimension::Provider => g.provider.clone(),
        }
    }
}

/// The counts of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub label: String,
    /// Distinct people with a goal in the group.
    pub people: usize,
    pub goals: usize,
    /// Goals per Zielerreichung 1–5 (index 0 = code 1); goals without one are `unrated`.
    pub achievement: [usize; 5],
    pub unrated: usize,
    /// Goals per Grund 1–6.
    pub reason: [usize; 6],
    /// The person's own rating 1–5, and the goals where both ratings are given and differ.
    pub self_rating: [usize; 5],
    pub ratings_differ: usize,
}

/// The groups of one dimension that may be shown, and what was withheld.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregate {
    pub groups: Vec<Group>,
    /// Groups of this dimension with goals that count nowhere (see [`eligible`]).
    pub withheld: usize,
    /// Goals that count in no table.
    pub withheld_goals: usize,
    /// Totals over the shown groups: the same in every dimension.
    pub total: Group,
}

/// The goals that may count: repeatedly drops every goal in a group of fewer than
/// [`MIN_PEOPLE`] people in any dimension, until every group of every dimension has enough.
pub fn eligible(goals: &[ImpactGoal]) -> Vec<ImpactGoal> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut kept: Vec<ImpactGoal> = goals.to_vec();
    loop {
        let mut small: Vec<(Dimension, BTreeSet<String>)> = Vec::new();
        for by in Dimension::ALL {
            let mut people: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
            for g in &kept {
                people.entry(by.group_of(g)).or_default().insert(&g.person);
            }
            let few: BTreeSet<String> = people
                .into_iter()
                .filter(|(_, p)| p.len() < MIN_PEOPLE)
                .map(|(label, _)| label)
                .collect();
            if !few.is_empty() {
                small.push((by, few));
            }
        }
        if small.is_empty() {
            return kept;
        }
        kept.retain(|g| !small.iter().any(|(by, few)| few.contains(&by.group_of(g))));
    }
}

/// Counts the [`eligible`] goals by `by`. Groups in a fixed order: by label, "ohne Angabe"
/// last.
pub fn aggregate(goals: &[ImpactGoal], by: Dimension) -> Aggregate {
    use std::collections::{BTreeMap, BTreeSet};
    let kept = eligible(goals);
    let all_labels: BTreeSet<String> = goals.iter().map(|g| by.group_of(g)).collect();
    let mut groups: BTreeMap<String, (Group, BTreeSet<&str>)> = BTreeMap::new();
    for g in &kept {
        let label = by.group_of(g);
        let (group, people) = groups.entry(label.clone()).or_insert_with(|| {
            (
                Group {
                    label,
                    ..Group::default()
                },
                BTreeSet::new(),
            )
        });
        people.insert(&g.person);
        count(group, g);
    }
    let mut out = Aggregate {
        withheld: all_labels.len() - groups.len(),
        withheld_goals: goals.len() - kept.len(),
        ..Aggregate::default()
    };
    let mut total_people: BTreeSet<&str> = BTreeSet::new();
    out.total.label = "Zusammen".to_string();
    for (_, (mut group, people)) in groups {
        group.people = people.len();
        total_people.extend(people);
        add(&mut out.total, &group);
        out.groups.push(group);
    }
    out.total.people = total_people.len();
    out.groups
        .sort_by_key(|g| (g.label == "ohne Angabe", g.label.clone()));
    out
}

fn count(group: &mut Group, g: &ImpactGoal) {
    group.goals += 1;
    match g.achievement {
        Some(a @ 1..=5) => group.achievement[usize::from(a - 1)] += 1,
        _ => group.unrated += 1,
    }
    if let Some(r @ 1..=6) = g.reason {
        group.reason[usize::from(r - 1)] += 1;
    }
    if let Some(s @ 1..=5) = g.self_rating {
        group.self_rating[usize::from(s - 1)] += 1;
    }
    if matches!((g.achievement, g.self_rating), (Some(a), Some(s)) if a != s) {
        group.ratings_differ += 1;
    }
}

fn add(total: &mut Group, group: &Group) {
    total.goals += group.goals;
    total.unrated += group.unrated;
    total.ratings_differ += group.ratings_differ;
    for i in 0..5 {
        total.achievement[i] += group.achievement[i];
        total.self_rating[i] += group.self_rating[i];
    }
    for i in 0..6 {
        total.reason[i] += group.reason[i];
    }
}

/// How people's goals went from one report to the next: the mean Zielerreichung of a
/// person's latest report against their report before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// People with two rated reports.
    pub people: usize,
    pub better: usize,
    pub same: usize,
    pub worse: usize,
    /// Fewer than [`MIN_PEOPLE`] people: the counts are zero and not to be shown.
    pub withheld: bool,
}

/// One report's rated goals: the end of its period, the sum and the number of ratings.
type Rated = (Option<Date>, u32, u32);

/// The change between each person's last two reports with rated goals (by the end of the
/// period, then the report id), over the [`eligible`] goals.
pub fn change(goals: &[ImpactGoal]) -> Change {
    use std::collections::BTreeMap;
    let goals = eligible(goals);
    let mut reports: BTreeMap<&str, BTreeMap<&str, Rated>> = BTreeMap::new();
    for g in &goals {
        let Some(a @ 1..=5) = g.achievement else {
            continue;
        };
        let entry = reports
            .entry(&g.person)
            .or_default()
            .entry(&g.report)
            .or_insert((g.period_end, 0, 0));
        entry.1 += u32::from(a);
        entry.2 += 1;
    }
    let mut out = Change::default();
    for by_report in reports.values() {
        let mut list: Vec<(&Option<Date>, &&str, u32, u32)> = by_report
            .iter()
            .map(|(id, (end, sum, n))| (end, id, *sum, *n))
            .collect();
        if list.len() < 2 {
            continue;
        }
        list.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let (_, _, s1, n1) = list[list.len() - 2];
        let (_, _, s2, n2) = list[list.len() - 1];
        // Compare the means s1/n1 and s2/n2 without division.
        out.people += 1;
        match (s2 * n1).cmp(&(s1 * n2)) {
            std::cmp::Ordering::Greater => out.better += 1,
            std::cmp::Ordering::Equal => out.same += 1,
            std::cmp::Ordering::Less => out.worse += 1,
        }
    }
    if out.people < MIN_PEOPLE {
        return Change {
            withheld: true,
            ..Change::default()
        };
    }
    out
}

/// The shown groups as CSV for a spreadsheet (`;`, BOM, CRLF, as the other exports): one row
/// per group and the total; withheld groups are not in it, and a line says how many were.
pub fn impact_csv(aggregate: &Aggregate, by: Dimension) -> String {
    let mut out = String::from('\u{feff}');
    let mut header = vec![
        by.label().to_string(),
        "Personen".to_string(),
        "Ziele".to_string(),
    ];
    header.extend((1..=5).map(|c| format!("Zielerreichung {c}")));
    header.push("ohne Zielerreichung".to_string());
    header.extend((1..=6).map(|c| format!("Grund {c}")));
    header.extend((1..=5).map(|c| format!("Selbsteinschätzung {c}")));
    header.push("Einschätzungen weichen ab".to_string());
    crate::export::push_row(&mut out, header.into_iter());
    for g in aggregate
        .groups
        .iter()
        .chain(std::iter::once(&aggregate.total))
    {
        let mut row = vec![g.label.clone(), g.people.to_string(), g.goals.to_string()];
        row.extend(g.achievement.iter().map(usize::to_string));
        row.push(g.unrated.to_string());
        row.extend(g.reason.iter().map(usize::to_string));
        row.extend(g.self_rating.iter().map(usize::to_string));
        row.push(g.ratings_differ.to_string());
        crate::export::push_row(&mut out, row.into_iter());
    }
    if aggregate.withheld_goals > 0 {
        crate::export::push_row(
            &mut out,
            std::iter::once(format!(
                "{} Ziele nicht enthalten: sie fallen in eine Gruppe mit weniger als {MIN_PEOPLE} Personen",
                aggregate.withheld_goals
            )),
        );
    }
    out
}

impl Report {
    /// This report's goals as the aggregate counts them (see [`ImpactGoal`]); none for a form
    /// without a goals table or without the person's name.
    pub fn impact_goals(&self) -> Vec<ImpactGoal> {
        let Some(person) = self.person_digest() else {
            return Vec::new();
        };
        let period_end = self
            .template
            .fields()
            .find(|f| f.kind == FieldKind::DateRange)
            .and_then(|f| self.date_range(&f.id).ok())
            .and_then(|r| r.to);
        let provider = PROVIDER_FIELDS
            .iter()
            .filter(|id| self.template.field(id).is_some())
            .find_map(|id| {
                let text = self.text(id).ok()?;
                let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
                Some(first.to_string())
            })
            .unwrap_or_default();
        let code = |c: &Option<String>| c.as_deref().and_then(|c| c.parse::<u8>().ok());
        self.goals()
            .into_iter()
            .map(|g| ImpactGoal {
                person: person.clone(),
                report: self.id(),
                period_end,
                provider: provider.clone(),
                area: g.plan.area.clone(),
                level: g.plan.level,
                achievement: code(&g.achievement),
                reason: code(&g.reason),
                self_rating: code(&g.self_rating),
            })
            .collect()
    }

    /// A one-way digest of the person's name (the first short text) and birth date (the first
    /// date in the same section), spelled loosely: case and spaces do not matter.
    fn person_digest(&self) -> Option<String> {
        let section = self.template.sections.iter().find(|s| {
            s.fields
                .iter()
                .any(|f| matches!(f.kind, FieldKind::ShortText))
        })?;
        let name_field = section
            .fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::ShortText))?;
        let name: String = self
            .text(&name_field.id)
            .ok()?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if name.is_empty() {
            return None;
        }
        let born = section
            .fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::Date { .. }))
            .and_then(|f| match self.value(&f.id) {
                Ok(crate::FieldValue::Date(d)) => d,
                _ => None,
            })
            .map(|d| d.iso())
            .unwrap_or_default();
        let digest = Sha256::digest(format!("dreieck/person/v1\n{name}\n{born}").as_bytes());
        Some(crate::bytes::hex(&digest[..16]))
    }
}

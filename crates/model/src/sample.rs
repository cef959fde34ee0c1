//! Realistic filled reports, for the benchmark, the demo and tests.
//!
//! Everything here is deterministic (a fixed-seed generator, fixed ids and times), so figures
//! from two runs compare and a test failure reproduces.

use crate::{Date, DateRange, GoalText, Report, Result, Role, Template};

/// A fixed time for sample reports: 2026-11-23 10:00 UTC.
pub const SAMPLE_CREATED_AT_MS: i64 = 1_795_428_000_000;

/// The KVJS Ergebnisbericht shipped with the crate.
pub fn kvjs_template() -> Result<Template> {
    Ok(Template::from_json(KVJS_JSON)?)
}

const KVJS_JSON: &str = include_str!("../templates/kvjs-ergebnisbericht.json");

/// Sentences a member of staff might type into an Ergebnisbericht.
const SENTENCES: &[&str] = &[
    "Frau M. bereitet ihr Frühstück inzwischen selbstständig zu. ",
    "Beim Einkaufen braucht sie noch Begleitung, die Einkaufsliste schreibt sie selbst. ",
    "Mit dem Bus fährt sie die Strecke zur Arbeit ohne Hilfe, neue Wege übt sie mit uns. ",
    "Termine beim Hausarzt vereinbart sie telefonisch, die Medikamente stellt sie wöchentlich mit Unterstützung. ",
    "In der Wohngruppe übernimmt sie den Küchendienst zuverlässig. ",
    "Konflikte mit Mitbewohnern spricht sie häufiger als früher selbst an. ",
    "Sie besucht seit dem Frühjahr einmal in der Woche den Chor im Stadtteil. ",
    "Das Geld für die Woche teilt sie mit einem Plan ein; Ende des Monats wird es manchmal knapp. ",
    "Nach dem Umzug ihrer Schwester hat sie weniger Kontakt zur Familie und wirkt öfter traurig. ",
    "Die Orientierung in der neuen Umgebung gelingt gut, den Weg zur Bibliothek findet sie allein. ",
    "Sie möchte im nächsten Jahr in eine eigene Wohnung ziehen, mit ambulanter Begleitung. ",
    "Gespräche führt sie offen; bei Behördenbriefen bittet sie um Erklärung in einfacher Sprache. ",
];

/// Goals as they might stand in a Gesamtplan.
const GOALS: &[(&str, &str)] = &[
    (
        "Frau M. kauft einmal pro Woche selbstständig im Supermarkt ein.",
        "Gemeinsames Einkaufen, Einkaufsliste mit Bildern, schrittweiser Rückzug der Begleitung.",
    ),
    (
        "Frau M. nimmt ihre Medikamente regelmäßig und richtet den Wochenplan selbst.",
        "Wöchentliches Stellen mit Anleitung, Erinnerung per Handy.",
    ),
    (
        "Frau M. fährt allein mit dem Bus zur Arbeit und zurück.",
        "Wegetraining, Notfallkarte, Begleitung in den ersten Wochen.",
    ),
    (
        "Frau M. knüpft Kontakte außerhalb der Wohngruppe.",
        "Begleitung zum Chor, Besuch des Stadtteiltreffs.",
    ),
    (
        "Frau M. teilt ihr Geld für die Woche ein.",
        "Haushaltsbuch, wöchentliches Gespräch über Ausgaben.",
    ),
];

/// A small deterministic generator (xorshift64*): no OS randomness in this crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Where a keystroke goes: a text field (with the role allowed to write it) or a goal's text.
enum Target {
    Field(String, Role),
    Goal(String, GoalText),
}

/// A report with `goals` goals and about `edits` single-character edits of history, typed the
/// way a person types: in bursts of a few dozen keystrokes into one field, mostly at the end,
/// sometimes in the middle, with typos corrected by backspace (about one edit in 25 is a
/// deletion). Scalars (name, dates, ratings) are set as well. Each keystroke is its own change.
///
/// # Panics
/// Only if the shipped template is broken, which this crate's tests rule out; use
/// [`try_bench_report`] to get the error instead.
pub fn bench_report(goals: usize, edits: usize) -> Report {
    match try_bench_report(goals, edits) {
        Ok(report) => report,
        Err(e) => panic!("bench_report: {e}"),
    }
}

/// [`bench_report`], returning errors instead of panicking.
pub fn try_bench_report(goals: usize, edits: usize) -> Result<Report> {
    let template = kvjs_template()?;
    let report = Report::create(&template, "bench-report", SAMPLE_CREATED_AT_MS)?;
    build_bench(report, goals, edits)
}

/// [`bench_report`] as a protected report: owned by a fixed key (the provider's), the
/// person's words written under a membership the owner's device grants. For measuring what
/// the gate costs on a whole report (a device joining it). Fixed keys: benchmarks only.
pub fn signed_bench_report(goals: usize, edits: usize) -> Result<Report> {
    let template = kvjs_template()?;
    let key = crate::ParticipantKey::from_seed(&[7; 32]);
    let mut report = Report::create_owned(
        &template,
        crate::trust::Owner {
            key: &key,
            role: Role::Provider,
            name: "Messung",
            nonce: [3; 16],
        },
        SAMPLE_CREATED_AT_MS,
    )?;
    report.add_key(
        Role::Beneficiary,
        crate::ParticipantKey::from_seed(&[8; 32]),
    );
    build_bench(report, goals, edits)
}

fn build_bench(mut report: Report, goal_count: usize, edits: usize) -> Result<Report> {
    let template = report.template().clone();
    fill_scalars(&mut report)?;
    let mut targets = Vec::new();
    for field in template.fields() {
        if field.kind == crate::FieldKind::LongText {
            // The person's own words are theirs to type.
            let role = if field.editors.contains(&Role::Provider) && !field.own_words {
                Role::Provider
            } else {
                Role::Beneficiary
            };
            targets.push(Target::Field(field.id.clone(), role));
        }
    }
    for _ in 0..goal_count {
        let id = report.add_goal(Role::Provider)?;
        targets.push(Target::Goal(id.clone(), GoalText::Text));
        targets.push(Target::Goal(id, GoalText::main_measure()));
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sentence = 0usize;
    let mut offset = 0usize;
    let mut done = 0usize;
    let mut now = SAMPLE_CREATED_AT_MS;
    while done < edits && !targets.is_empty() {
        let target = &targets[rng.below(targets.len())];
        let len = target_len(&report, target)?;
        // Mostly continue at the end; now and then insert at a word boundary in the middle.
        let mut cursor = if len > 0 && rng.chance(15) {
            word_boundary(&target_text(&report, target)?, rng.below(len))
        } else {
            len
        };
        let burst = 20 + rng.below(60);
        for _ in 0..burst {
            if done >= edits {
                break;
            }
            now += 150 + rng.below(250) as i64;
            report.set_now_ms(now);
            if cursor > 0 && rng.chance(4) {
                // A typo: a wrong letter, then backspace. Two edits.
                splice(&mut report, target, cursor, 0, "x")?;
                done += 1;
                if done >= edits {
                    break;
                }
                splice(&mut report, target, cursor, 1, "")?;
                done += 1;
                continue;
            }
            let text = SENTENCES[sentence % SENTENCES.len()];
            let Some(ch) = text.chars().nth(offset) else {
                sentence += 1;
                offset = 0;
                continue;
            };
            offset += 1;
            let mut buf = [0u8; 4];
            splice(&mut report, target, cursor, 0, ch.encode_utf8(&mut buf))?;
            cursor += 1;
            done += 1;
        }
    }
    rate_goals(&mut report)?;
    Ok(report)
}

fn target_text(report: &Report, target: &Target) -> Result<String> {
    match target {
        Target::Field(id, _) => report.text(id),
        Target::Goal(goal, part) => {
            let g = report
                .goals()
                .into_iter()
                .find(|g| &g.id == goal)
                .ok_or(crate::ModelError::UnknownGoal)?;
            Ok(match part {
                GoalText::Text => g.text,
                GoalText::Measure(m) => g
                    .measures
                    .into_iter()
                    .find(|x| &x.id == m)
                    .map(|x| x.text)
                    .unwrap_or_default(),
            })
        }
    }
}

fn target_len(report: &Report, target: &Target) -> Result<usize> {
    Ok(target_text(report, target)?.chars().count())
}

/// The nearest position at or before `pos` just after a space (or 0).
fn word_boundary(text: &str, pos: usize) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut p = pos.min(chars.len());
    while p > 0 && chars[p - 1] != ' ' {
        p -= 1;
    }
    p
}

fn splice(report: &mut Report, target: &Target, pos: usize, del: usize, ins: &str) -> Result<()> {
    match target {
        Target::Field(id, role) => report.splice_text(*role, id, pos, del, ins),
        Target::Goal(goal, part) => {
            report.splice_goal_text(Role::Provider, goal, part.clone(), pos, del, ins)
        }
    }
}

fn date(y: i32, m: u8, d: u8) -> Result<Date> {
    Date::from_ymd(y, m, d)
}

fn fill_scalars(report: &mut Report) -> Result<()> {
    let p = Role::Provider;
    report.set_text(p, "lb_name", "Muster, Maria")?;
    report.set_date(p, "lb_geburtsdatum", Some(date(1988, 4, 17)?))?;
    report.set_text(p, "lb_anschrift", "Lindenstraße 12, 72074 Tübingen")?;
    report.set_text(
        p,
        "einrichtung_name_anschrift",
        "Wohnverbund Neckartal, Ambulant Betreutes Wohnen\nGartenweg 3, 72072 Tübingen",
    )?;
    report.set_text(p, "einrichtung_ansprechpartner", "Jonas Keller")?;
    report.set_text(p, "einrichtung_telefon", "07071 123456")?;
    report.set_text(
        p,
        "einrichtung_email",
        "j.keller@wohnverbund-neckartal.example",
    )?;
    report.set_date(p, "gesamtplan_vom", Some(date(2025, 10, 1)?))?;
    report.set_date_range(
        p,
        "berichtszeitraum",
        DateRange {
            from: Some(date(2025, 11, 1)?),
            to: Some(date(2026, 10, 31)?),
        },
    )?;
    report.set_text(p, "erstellt_von", "Jonas Keller, Bezugsbetreuer")?;
    Ok(())
}

fn rate_goals(report: &mut Report) -> Result<()> {
    let goals = report.goals();
    for (i, goal) in goals.iter().enumerate() {
        let achievement = ["4", "3", "5", "2", "4"][i % 5];
        report.set_goal_achievement(Role::Provider, &goal.id, Some(achievement))?;
        if ["1", "2", "3"].contains(&achievement) {
            let reason = ["2", "6", "4"][i % 3];
            report.set_goal_reason(Role::Provider, &goal.id, Some(reason))?;
        }
    }
    Ok(())
}

/// A complete, plausible report for the demo: every field filled, five goals rated, ready to
/// sign (only the signatures are missing).
pub fn demo_report(id: &str, created_at_ms: i64) -> Result<Report> {
    let mut report = Report::create(&kvjs_template()?, id, created_at_ms)?;
    fill_scalars(&mut report)?;
    let p = Role::Provider;
    let texts: [(&str, &str); 10] = [
        ("entwicklung_selbstversorgung", SENTENCES[0]),
        ("entwicklung_lebensfuehrung", SENTENCES[1]),
        ("entwicklung_kommunikation", SENTENCES[11]),
        ("entwicklung_mobilitaet", SENTENCES[2]),
        ("entwicklung_orientierung", SENTENCES[9]),
        ("entwicklung_gesundheit", SENTENCES[3]),
        ("entwicklung_soziale_integration", SENTENCES[5]),
        ("entwicklung_freizeit", SENTENCES[6]),
        ("entwicklung_allgemein", SENTENCES[8]),
        (
            "anmerkungen_einrichtung",
            "Die Wohngruppe zieht im Frühjahr um; das kann die Orientierung vorübergehend erschweren.",
        ),
    ];
    for (field, text) in texts {
        report.set_text(p, field, text.trim())?;
    }
    report.set_text(
        Role::Beneficiary,
        "wuensche",
        "Ich will in meine eigene Wohnung. Ich will weiter im Chor singen.",
    )?;
    for (text, measures) in GOALS {
        let goal = report.add_goal(p)?;
        report.set_goal_text(p, &goal, text)?;
        report.set_goal_measures(p, &goal, measures)?;
    }
    rate_goals(&mut report)?;
    report.set_text(
        p,
        "anmerkungen_zielerreichung",
        "Zu Nr. 2: Die Erinnerung per Handy hat geholfen. Zu Nr. 4: Der Stadtteiltreff war im Sommer geschlossen.",
    )?;
    Ok(report)
}

/// Two replicas of a protected report for measuring the cost of signing and verifying: the
/// owner's device (it types as the provider and signs every change) and a device that took
/// the report in through the gate (it verifies every change). Fixed keys: for benchmarks only.
pub fn signed_pair() -> Result<(Report, Report)> {
    let template = kvjs_template()?;
    let key = crate::ParticipantKey::from_seed(&[7; 32]);
    let mut owner = Report::create_owned(
        &template,
        crate::trust::Owner {
            key: &key,
            role: Role::Provider,
            name: "Messung",
            nonce: [9; 16],
        },
        SAMPLE_CREATED_AT_MS,
    )?;
    let id = owner.id();
    let whole = crate::trust::SignedChanges::decode(&owner.save())
        .map_err(|_| crate::ModelError::NotAReport("bundle".into()))?;
    let (peer, _) = Report::from_signed(&[whole], &id)?;
    Ok((owner, peer))
}

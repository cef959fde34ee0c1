//! Goals taken from the Gesamtplan as a list: pasted from the plan's document or read from a
//! text file, in a format a person can write by hand (docs/templates.md, "Ziele aus dem
//! Gesamtplan"):
//!
//! ```text
//! Wirkungsziel: Herr B. lebt weiter in seiner eigenen Wohnung.
//! Handlungsziel: Herr B. kauft einmal pro Woche allein ein. (bis 30.06.2027)
//!   Maßnahme: Einkaufstraining mit Begleitung (Frau Berger, bis 31.03.2027)
//! - Herr B. findet eine Freizeitgruppe.
//! ```
//!
//! One goal per line; list markers (`-`, `•`, `*`, `1.`, `1)`) are dropped; a level may lead
//! ("Wirkungsziel:", "Bereichsziel:", "Handlungsziel:"), a target day may close it
//! ("(bis TT.MM.JJJJ)"). A line starting with "Maßnahme:" belongs to the goal above it and may
//! close with who carries it out and by when ("(Frau Berger, bis 31.03.2027)").
//!
//! The whole list is read before anything is written, and a mistake names its line, so a bad
//! file changes nothing.

use crate::goal_plan::{GoalDraft, GoalLevel, GoalOrigin};
use crate::measures::{MeasureDraft, MAX_MEASURES_BY};
use crate::{Date, ModelError, Result};

/// More goals than any plan has: a file that yields more is not a goal list.
pub const MAX_GOALS: usize = 100;
/// The longest line: a goal is a sentence or two, not a document.
pub const MAX_LINE: usize = 1_000;
/// The largest file read.
const MAX_BYTES: usize = 256 * 1024;

/// Reads a goal list from a file a person chose.
pub fn goals_from_file(bytes: &[u8]) -> Result<Vec<GoalDraft>> {
    if bytes.len() > MAX_BYTES {
        return Err(list_error(format!(
            "Die Datei ist mit {} KB zu groß für eine Zielliste (höchstens {} KB).",
            bytes.len() / 1024,
            MAX_BYTES / 1024
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains('\0') => goals_from_text(text),
        _ => Err(list_error(
            "Die Datei enthält keinen Text. Eine Zielliste ist eine Textdatei (.txt) mit einem Ziel pro Zeile."
                .into(),
        )),
    }
}

/// Reads a goal list from pasted text.
pub fn goals_from_text(text: &str) -> Result<Vec<GoalDraft>> {
    let mut goals: Vec<GoalDraft> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let at = |m: String| list_error(format!("Zeile {n}: {m}"));
        if raw.chars().count() > MAX_LINE {
            return Err(at(format!(
                "die Zeile ist länger als {MAX_LINE} Zeichen. Ein Ziel pro Zeile, bitte."
            )));
        }
        let line = strip_marker(raw.trim());
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = strip_prefix_ci(line, &["Maßnahmen:", "Maßnahme:"]) {
            let Some(goal) = goals.last_mut() else {
                return Err(at(
                    "eine Maßnahme braucht ein Ziel in einer Zeile davor.".into()
                ));
            };
            let (text, who, until) = measure_parts(rest).map_err(at)?;
            let by = who.unwrap_or_default();
            if by.chars().count() > MAX_MEASURES_BY {
                return Err(at(format!(
                    "wer die Maßnahme durchführt, hat höchstens {MAX_MEASURES_BY} Zeichen."
                )));
            }
            goal.measures.push(MeasureDraft { text, by, until });
            continue;
        }
        let (level, line) = level_of(line);
        let (text, target) = target_of(line).map_err(at)?;
        if text.is_empty() {
            return Err(at("hier steht kein Ziel.".into()));
        }
        if goals.len() == MAX_GOALS {
            return Err(at(format!(
                "mehr als {MAX_GOALS} Ziele. Ist das wirklich eine Zielliste?"
            )));
        }
        let mut goal = GoalDraft {
            text,
            ..GoalDraft::default()
        };
        goal.plan.level = level;
        goal.plan.target = target;
        goal.plan.origin = Some(GoalOrigin::Gesamtplan);
        goals.push(goal);
    }
    if goals.is_empty() {
        return Err(list_error(
            "Die Liste enthält kein Ziel. Bitte ein Ziel pro Zeile schreiben.".into(),
        ));
    }
    Ok(goals)
}

fn list_error(message: String) -> ModelError {
    ModelError::Workflow(message)
}

/// Drops a leading list marker: "-", "•", "*", "–", "1.", "1)".
fn strip_marker(line: &str) -> &str {
    let line = line.trim_start();
    for marker in ['-', '•', '*', '–', '·'] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')) {
            if rest.starts_with(char::is_whitespace) {
                return rest.trim_start();
            }
        }
    }
    line
}

/// `line` without the first of `prefixes` it starts with (ignoring case), trimmed.
fn strip_prefix_ci<'a>(line: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| {
        let head = line.get(..p.len())?;
        (head.to_lowercase() == p.to_lowercase()).then(|| line[p.len()..].trim())
    })
}

fn level_of(line: &str) -> (Option<GoalLevel>, &str) {
    for level in GoalLevel::ALL {
        let prefix = format!("{}:", level.label());
        if let Some(rest) = strip_prefix_ci(line, &[prefix.as_str()]) {
            return (Some(level), rest);
        }
    }
    (None, line)
}

/// The text before a closing parenthesis, and what is inside it.
fn closing_parenthesis(line: &str) -> Option<(&str, &str)> {
    let body = line.strip_suffix(')')?;
    let open = body.rfind('(')?;
    Some((body[..open].trim_end(), body[open + 1..].trim()))
}

/// "… (bis 30.06.2027)": the goal and its target day.
fn target_of(line: &str) -> std::result::Result<(String, Option<Date>), String> {
    if let Some((text, inside)) = closing_parenthesis(line) {
        if let Some(day) = strip_prefix_ci(inside, &["bis "]).filter(|d| starts_with_digit(d)) {
            return Ok((text.to_string(), Some(german_date(day)?)));
        }
    }
    Ok((line.trim().to_string(), None))
}

/// "Einkaufstraining (Frau Berger, bis 31.03.2027)": the measure, who and by when (each part
/// of the parenthesis optional: "(Frau Berger)", "(bis 31.03.2027)").
fn measure_parts(
    line: &str,
) -> std::result::Result<(String, Option<String>, Option<Date>), String> {
    let Some((text, inside)) = closing_parenthesis(line) else {
        return Ok((line.trim().to_string(), None, None));
    };
    let mut who = None;
    let mut until = None;
    let mut rest = inside;
    // Searched without lowercasing: a lowercase letter can be longer than its capital, and
    // an index into one string must not cut a character of the other.
    let last_bis = inside.char_indices().rev().map(|(i, _)| i).find(|&i| {
        inside
            .get(i..i + 4)
            .is_some_and(|w| w.eq_ignore_ascii_case("bis "))
    });
    if let Some(i) = last_bis {
        let day = inside[i + 4..].trim();
        if starts_with_digit(day) {
            until = Some(german_date(day)?);
            rest = inside[..i].trim_end().trim_end_matches(',').trim_end();
        }
    }
    // "(bis auf Weiteres)" names nobody and no day: it stays part of the measure.
    if !rest.is_empty() && strip_prefix_ci(rest, &["bis "]).is_none() {
        who = Some(rest.to_string());
    }
    if who.is_none() && until.is_none() {
        return Ok((line.trim().to_string(), None, None));
    }
    Ok((text.to_string(), who, until))
}

/// "bis 31.03.2027" is a date (and must be a valid one); "bis auf Weiteres" is words.
fn starts_with_digit(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
}

/// "TT.MM.JJJJ" (also "T.M.JJJJ").
fn german_date(s: &str) -> std::result::Result<Date, String> {
    let bad = || format!("„{s}“ ist kein gültiges Datum (TT.MM.JJJJ).");
    let parts: Vec<&str> = s.trim().split('.').collect();
    let [day, month, year] = parts[..] else {
        return Err(bad());
    };
    let (Ok(day), Ok(month), Ok(year)) =
        (day.parse::<u8>(), month.parse::<u8>(), year.parse::<i32>())
    else {
        return Err(bad());
    };
    if !(1900..=2200).contains(&year) {
        return Err(bad());
    }
    Date::from_ymd(year, month, day).map_err(|_| bad())
}

//! A field's content in plain-language sentences, for reading it aloud.
//!
//! Read-aloud speaks a field's plain label and help, then what is in it. For text that is the
//! text itself; for everything else (a chosen code, a date, a signature, the goals) the
//! sentences here say it the way Leichte Sprache would: a code by its plain label, a date with
//! the month's name, a goal with its number. Empty fields say so, so a listener knows the
//! reading did not just stop.

use crate::date::{Date, DateRange};
use crate::report::{FieldValue, Report};
use crate::sentences::sentences;
use crate::{FieldKind, Result};

impl Report {
    /// What `field` holds, as sentences to read aloud.
    pub fn spoken_value(&self, field: &str) -> Result<Vec<String>> {
        Ok(match self.value(field)? {
            FieldValue::Text(text) => {
                let mut out = spoken_text("Hier steht:", &text)
                    .unwrap_or_else(|| vec!["Hier steht noch nichts.".into()]);
                for w in self.recorded_words(field) {
                    out.extend(self.spoken_recording(&w));
                }
                out
            }
            FieldValue::Date(date) => vec![match date {
                Some(d) => format!("Das Datum ist der {}.", d.spoken()),
                None => "Hier steht noch kein Datum.".into(),
            }],
            FieldValue::DateRange(range) => vec![spoken_range(&range)],
            FieldValue::Choice(code) => match code {
                Some(code) => {
                    let mut out = vec!["Die Antwort ist:".to_string()];
                    out.extend(self.code_sentences(field, &code));
                    out
                }
                None => vec!["Hier ist noch nichts gewählt.".into()],
            },
            FieldValue::Signature(line) if !line.name.trim().is_empty() => {
                vec![format!("Hier hat {} unterschrieben.", line.name.trim())]
            }
            FieldValue::Signature(_) => vec!["Hier hat noch niemand unterschrieben.".into()],
            FieldValue::Goals => self.spoken_goals()?,
        })
    }

    /// The person's words as staff wrote them down: who wrote, the words, and whether the
    /// person said "that is right" (the confirmation).
    pub fn spoken_recording(&self, w: &crate::RecordedWords) -> Vec<String> {
        let writer =
            w.by.as_deref()
                .and_then(|k| self.member_name(k))
                .unwrap_or_else(|| w.role.label().to_string());
        let Some(mut out) = spoken_text(&format!("Das hat {writer} aufgeschrieben:"), w.words())
        else {
            return Vec::new();
        };
        let person = self.title();
        let person = if person.is_empty() {
            "Die Person".to_string()
        } else {
            person
        };
        out.push(match w.confirmation {
            Some(_) => format!("{person} hat gesagt: Das stimmt so."),
            None => format!("{person} hat noch nicht gesagt: Das stimmt so."),
        });
        out
    }

    /// The plain label of `code` in the code list of choice field `field`.
    fn code_sentences(&self, field: &str, code: &str) -> Vec<String> {
        let list = match self.template.field(field).map(|f| &f.kind) {
            Some(FieldKind::Choice { code_list }) => self.template.code_list(code_list),
            _ => None,
        };
        plain_code(list, code)
    }

    fn spoken_goals(&self) -> Result<Vec<String>> {
        let (_, achievement, _) = self.goals_field()?;
        let scale = self.template.code_list(achievement);
        let goals = self.goals();
        let mut out = vec![match goals.len() {
            0 => "Es gibt noch keine Ziele.".to_string(),
            1 => "Es gibt 1 Ziel.".to_string(),
            n => format!("Es gibt {n} Ziele."),
        }];
        for goal in goals {
            let heading = format!("Ziel {}:", goal.number);
            out.extend(
                spoken_text(&heading, &goal.text)
                    .unwrap_or_else(|| vec![heading, "Hier steht noch nichts.".into()]),
            );
            for m in goal.given_measures() {
                out.extend(
                    spoken_text("Diese Hilfe bekommen Sie dafür:", &m.text).unwrap_or_default(),
                );
                if !m.by.trim().is_empty() {
                    out.push(format!("Das macht: {}.", m.by.trim()));
                }
                if let Some(day) = m.until {
                    out.push(format!("Bis zum {}.", day.german()));
                }
            }
            if let Some(code) = &goal.achievement {
                out.push("Der Dienst sagt:".into());
                out.extend(plain_code(scale, code));
            }
            if let Some(code) = &goal.self_rating {
                out.push("Sie sagen:".into());
                out.extend(plain_code(scale, code));
            }
        }
        Ok(out)
    }
}

/// `intro` and the sentences of `text`, or `None` for blank text.
fn spoken_text(intro: &str, text: &str) -> Option<Vec<String>> {
    let parts = sentences(text);
    (!parts.is_empty())
        .then(|| std::iter::once(intro.to_string()).chain(parts.into_iter().map(String::from)))
        .map(Iterator::collect)
}

fn plain_code(list: Option<&crate::CodeList>, code: &str) -> Vec<String> {
    match list.and_then(|l| l.codes.iter().find(|c| c.code == code)) {
        Some(c) => sentences(&c.plain_label)
            .into_iter()
            .map(String::from)
            .collect(),
        None => vec![code.to_string()],
    }
}

fn spoken_range(range: &DateRange) -> String {
    let day = Date::spoken;
    match (&range.from, &range.to) {
        (Some(from), Some(to)) => format!("Vom {} bis zum {}.", day(from), day(to)),
        (Some(from), None) => format!("Ab dem {}.", day(from)),
        (None, Some(to)) => format!("Bis zum {}.", day(to)),
        (None, None) => "Hier steht noch kein Datum.".into(),
    }
}

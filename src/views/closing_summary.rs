//! The conversation's last step: what was agreed, what each person said, who still signs —
//! on the tablet in large type, read aloud to the person, before anyone signs.
//!
//! Every line is made by one function per kind of line, in standard German or Leichte
//! Sprache, and the same functions make what "Vorlesen" reads, so what is heard is what is
//! shown.

use dreieck_model::{
    AgreedGoal, ClosingSummary, Role, SaidHow, Saying, SignatureState, SummarySignature,
};
use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::read_aloud_button::ReadAloudButton;

/// Who is who: the names noted under "Wer ist dabei?", else the role.
#[derive(Clone, PartialEq, Default)]
struct Names(Vec<(Role, String)>);

impl Names {
    fn of(&self, role: Role, plain: bool) -> String {
        let named = self
            .0
            .iter()
            .find(|(r, n)| *r == role && !n.trim().is_empty())
            .map(|(_, n)| n.trim().to_string());
        match (named, plain) {
            // The person is addressed, not named, in Leichte Sprache.
            (_, true) if role == Role::Beneficiary => role.plain_label().to_string(),
            (Some(n), true) => n,
            (Some(n), false) => format!("{n} ({})", role.label()),
            (None, true) => role.plain_label().to_string(),
            (None, false) => role.label().to_string(),
        }
    }
}

#[component]
pub fn ClosingSummaryView(
    /// Goes to the step that holds the signature lines (`None`: no step has them).
    to_signatures: Option<Callback<()>>,
) -> impl IntoView {
    let editor = use_editor();
    let app = use_app();
    let read = Memo::new(move |_| {
        editor.track_all();
        editor
            .read(|r| (r.closing_summary(), Names(r.present())))
            .unwrap_or_default()
    });
    let plain = move || app.plain.get();
    let sentences = Callback::new(move |()| {
        let plain = app.plain.get_untracked();
        read.with_untracked(|(s, names)| spoken(s, names, app.texts_now(), plain))
    });
    let goals = move || {
        read.with(|(s, names)| {
            let plain = plain();
            let t = app.texts();
            if s.goals.is_empty() {
                return view! { <p>{t.goals_none}</p> }.into_any();
            }
            let items = s
                .goals
                .iter()
                .map(|g| {
                    let lines = goal_lines(g, names, t, plain);
                    view! {
                        <li class="summary-goal">
                            <strong>{goal_title(g, t)}</strong>
                            {lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="summary-list summary-goals">{items}</ul> }.into_any()
        })
    };
    let sayings = move || {
        read.with(|(s, names)| {
            let plain = plain();
            let t = app.texts();
            if s.sayings.is_empty() {
                return view! { <p>{t.summary_no_sayings}</p> }.into_any();
            }
            let items = s
                .sayings
                .iter()
                .map(|saying| {
                    let kind = match saying.how {
                        SaidHow::OwnWords(_) => "own",
                        SaidHow::Recorded { .. } => "recorded",
                        SaidHow::Remark => "remark",
                    };
                    view! {
                        <li class=format!("summary-saying summary-saying-{kind}")>
                            <p class="summary-byline">{saying_byline(saying, names, t, plain)}</p>
                            <blockquote>{saying.words.clone()}</blockquote>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="summary-list">{items}</ul> }.into_any()
        })
    };
    let signatures = move || {
        read.with(|(s, _)| {
            let plain = plain();
            let t = app.texts();
            let items = s
                .signatures
                .iter()
                .map(|line| {
                    let signed = matches!(line.state, SignatureState::Signed { .. });
                    let optional = line.optional && !signed;
                    let (label, state) = signature_line(line, t, plain);
                    view! {
                        <li class="summary-signature" class:done=signed class:optional=optional>
                            <span class="summary-signature-label">{label}</span>
                            ": "
                            {state}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p><strong>{signatures_count(s, t)}</strong></p>
                <ul class="summary-list">{items}</ul>
            }
        })
    };
    let still_to_sign = move || read.with(|(s, _)| s.signatures.iter().any(|l| l.still_to_sign()));
    view! {
        <section class="form-section closing-summary" aria-labelledby="zusammenfassung-ziele">
            <div class="summary-actions">
                <ReadAloudButton
                    block="zusammenfassung"
                    what=Signal::derive(move || app.texts().summary_read.to_string())
                    sentences=sentences
                    always=true
                />
            </div>
            <h3 id="zusammenfassung-ziele">{move || app.texts().summary_agreed}</h3>
            {goals}
            <h3>{move || app.texts().summary_sayings}</h3>
            {sayings}
            <h3>{move || app.texts().summary_still_to_sign}</h3>
            {signatures}
            {to_signatures.map(|go| view! {
                <Show when=still_to_sign>
                    <button type="button" class="button primary" on:click=move |_| go.run(())>
                        {move || app.texts().summary_to_signatures}
                    </button>
                </Show>
            })}
        </section>
    }
}

fn goal_title(g: &AgreedGoal, t: &'static Texts) -> String {
    let text = if g.text.is_empty() {
        t.summary_goal_without_text
    } else {
        &g.text
    };
    fill_with(
        t.summary_goal,
        &[("number", &g.number.to_string()), ("text", text)],
    )
}

/// The measures and both ratings of a goal, one line each.
fn goal_lines(g: &AgreedGoal, names: &Names, t: &'static Texts, plain: bool) -> Vec<String> {
    let mut lines: Vec<String> = g
        .measures
        .iter()
        .map(|m| fill(t.summary_measure, m))
        .collect();
    let pick = |l: &dreieck_model::Label| {
        if plain {
            l.plain.clone()
        } else {
            l.standard.clone()
        }
    };
    if let Some(a) = &g.achievement {
        lines.push(fill_with(
            t.summary_achievement,
            &[
                ("provider", &names.of(Role::Provider, plain)),
                ("rating", &pick(a)),
            ],
        ));
    }
    if let Some(s) = &g.self_rating {
        lines.push(fill_with(
            t.summary_self_rating,
            &[
                ("person", &names.of(Role::Beneficiary, plain)),
                ("rating", &pick(s)),
            ],
        ));
    }
    if g.ratings_differ {
        lines.push(t.summary_differ.to_string());
    }
    lines
}

/// Who said it, and how it got into the report.
fn saying_byline(s: &Saying, names: &Names, t: &'static Texts, plain: bool) -> String {
    let about = if plain {
        &s.about.plain
    } else {
        &s.about.standard
    };
    match s.how {
        SaidHow::OwnWords(how) => {
            let how = how.map(|h| format!(", {h}")).unwrap_or_default();
            fill_with(
                t.summary_own,
                &[
                    ("about", about),
                    ("person", &names.of(s.role, plain)),
                    ("how", &how),
                ],
            )
        }
        SaidHow::Recorded { writer, confirmed } => {
            let state = if confirmed {
                t.summary_confirmed
            } else {
                t.summary_not_confirmed
            };
            fill_with(
                t.summary_recorded,
                &[
                    ("about", about),
                    ("person", &names.of(s.role, plain)),
                    ("writer", &names.of(writer, plain)),
                    ("state", state),
                ],
            )
        }
        SaidHow::Remark => fill_with(
            t.summary_remark,
            &[("about", about), ("person", &names.of(s.role, plain))],
        ),
    }
}

fn signatures_count(s: &ClosingSummary, t: &'static Texts) -> String {
    match s.signatures.iter().filter(|l| l.still_to_sign()).count() {
        0 => t.summary_all_signed.to_string(),
        1 => t.summary_one_missing.to_string(),
        n => fill(t.summary_missing, &n.to_string()),
    }
}

/// A signature line's label and its state, apart (the view sets the label in bold).
fn signature_line(line: &SummarySignature, t: &'static Texts, plain: bool) -> (String, String) {
    let label = if plain {
        line.label.plain.clone()
    } else {
        line.label.standard.clone()
    };
    let state = match &line.state {
        SignatureState::Signed { name, date } => fill_with(
            t.summary_signed,
            &[("name", name), ("date", &date.german())],
        ),
        SignatureState::SignedEarlierVersion { name } => {
            fill_with(t.summary_signed_earlier, &[("name", name)])
        }
        SignatureState::Missing | SignatureState::Invalid if line.optional => {
            t.summary_optional.to_string()
        }
        SignatureState::Missing | SignatureState::Invalid => t.summary_unsigned.to_string(),
    };
    (label, state)
}

/// What "Vorlesen" reads: the lines as shown, in the same order.
fn spoken(s: &ClosingSummary, names: &Names, t: &'static Texts, plain: bool) -> Vec<String> {
    let mut out = vec![t.summary_agreed.to_string()];
    for g in &s.goals {
        out.push(goal_title(g, t));
        out.extend(goal_lines(g, names, t, plain));
    }
    out.push(t.summary_sayings.to_string());
    for saying in &s.sayings {
        out.push(saying_byline(saying, names, t, plain));
        out.push(saying.words.clone());
    }
    out.push(signatures_count(s, t));
    out.extend(s.signatures.iter().map(|l| {
        let (label, state) = signature_line(l, t, plain);
        format!("{label}: {state}")
    }));
    out
}

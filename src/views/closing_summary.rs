//! The conversation's last step: what was agreed, what each person said, who still signs —
//! on the tablet in large type, read aloud to the person, before anyone signs.
//!
//! Every line is made by one function per kind of line, in standard German or Leichte
//! Sprache, and the same functions make what "Vorlesen" reads, so what is heard is what is
//! shown.

use dreieck_model::{
    AgreedGoal, ClosingSummary, Role, SaidHow, Saying, SignatureState, SummarySignature,
};
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
        read.with_untracked(|(s, names)| spoken(s, names, plain))
    });
    let goals = move || {
        read.with(|(s, names)| {
            let plain = plain();
            if s.goals.is_empty() {
                let none = if plain {
                    "Es gibt noch keine Ziele."
                } else {
                    "Noch keine Ziele."
                };
                return view! { <p>{none}</p> }.into_any();
            }
            let items = s
                .goals
                .iter()
                .map(|g| {
                    let lines = goal_lines(g, names, plain);
                    view! {
                        <li class="summary-goal">
                            <strong>{goal_title(g, plain)}</strong>
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
            if s.sayings.is_empty() {
                let none = if plain {
                    "Hier steht noch nichts in Ihren eigenen Worten."
                } else {
                    "Noch nichts in eigenen Worten."
                };
                return view! { <p>{none}</p> }.into_any();
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
                            <p class="summary-byline">{saying_byline(saying, names, plain)}</p>
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
            let items = s
                .signatures
                .iter()
                .map(|line| {
                    let signed = matches!(line.state, SignatureState::Signed { .. });
                    let optional = line.optional && !signed;
                    view! {
                        <li class="summary-signature" class:done=signed class:optional=optional>
                            {signature_line(line, plain)}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p><strong>{signatures_count(s, plain)}</strong></p>
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
                    what="Zusammenfassung"
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

fn goal_title(g: &AgreedGoal, plain: bool) -> String {
    let text = if g.text.is_empty() {
        if plain {
            "Hier steht noch kein Ziel."
        } else {
            "(noch ohne Text)"
        }
    } else {
        &g.text
    };
    format!("Ziel {}: {text}", g.number)
}

/// The measures and both ratings of a goal, one line each.
fn goal_lines(g: &AgreedGoal, names: &Names, plain: bool) -> Vec<String> {
    let mut lines: Vec<String> = g
        .measures
        .iter()
        .map(|m| {
            if plain {
                format!("Hilfe dafür: {m}")
            } else {
                format!("Maßnahme: {m}")
            }
        })
        .collect();
    if let Some(a) = &g.achievement {
        lines.push(if plain {
            format!("{} sagt: {}", names.of(Role::Provider, true), a.plain)
        } else {
            format!("Zielerreichung: {}", a.standard)
        });
    }
    if let Some(s) = &g.self_rating {
        lines.push(if plain {
            format!("Sie sagen: {}", s.plain)
        } else {
            format!(
                "Selbsteinschätzung von {}: {}",
                names.of(Role::Beneficiary, false),
                s.standard
            )
        });
    }
    if g.ratings_differ {
        lines.push(
            if plain {
                "Sie sehen das anders als der Dienst. Darüber können Sie sprechen."
            } else {
                "Die beiden Einschätzungen sind verschieden."
            }
            .to_string(),
        );
    }
    lines
}

/// Who said it, and how it got into the report.
fn saying_byline(s: &Saying, names: &Names, plain: bool) -> String {
    let about = if plain {
        &s.about.plain
    } else {
        &s.about.standard
    };
    match (s.how, plain) {
        (SaidHow::OwnWords(_), true) => format!("{about} Das haben Sie selbst gesagt:"),
        (SaidHow::OwnWords(how), false) => {
            let how = how.map(|h| format!(", {h}")).unwrap_or_default();
            format!(
                "{about} – in eigenen Worten von {}{how}",
                names.of(s.role, false)
            )
        }
        (SaidHow::Recorded { writer, confirmed }, true) => {
            let state = if confirmed {
                "Sie haben gesagt: Das stimmt so."
            } else {
                "Sie haben noch nicht gesagt: Das stimmt so."
            };
            format!(
                "{about} Das haben Sie gesagt. {} hat das aufgeschrieben. {state}",
                names.of(writer, true)
            )
        }
        (SaidHow::Recorded { writer, confirmed }, false) => {
            let state = if confirmed {
                "bestätigt"
            } else {
                "noch nicht bestätigt"
            };
            format!(
                "{about} – gesagt von {} · aufgeschrieben von {} · {state}",
                names.of(s.role, false),
                names.of(writer, false)
            )
        }
        (SaidHow::Remark, true) => format!("{} hat dazu geschrieben:", names.of(s.role, true)),
        (SaidHow::Remark, false) => {
            format!("{about} – Anmerkung von {}", names.of(s.role, false))
        }
    }
}

fn signatures_count(s: &ClosingSummary, plain: bool) -> String {
    let missing = s.signatures.iter().filter(|l| l.still_to_sign()).count();
    match (missing, plain) {
        (0, true) => "Alle haben unterschrieben.".to_string(),
        (0, false) => "Alle nötigen Unterschriften sind da.".to_string(),
        (1, _) => "Es fehlt noch 1 Unterschrift.".to_string(),
        (n, _) => format!("Es fehlen noch {n} Unterschriften."),
    }
}

fn signature_line(line: &SummarySignature, plain: bool) -> String {
    let label = if plain {
        &line.label.plain
    } else {
        &line.label.standard
    };
    let state = match (&line.state, plain) {
        (SignatureState::Signed { name, .. }, true) => format!("{name} hat unterschrieben."),
        (SignatureState::Signed { name, date }, false) => {
            format!("unterschrieben von {name} am {}", date.german())
        }
        (SignatureState::SignedEarlierVersion { name }, true) => format!(
            "{name} hat unterschrieben. Danach hat jemand den Bericht geändert. {name} unterschreibt bitte noch einmal."
        ),
        (SignatureState::SignedEarlierVersion { name }, false) => format!(
            "unterschrieben von {name}, danach geändert: bitte neu unterschreiben"
        ),
        (SignatureState::Missing | SignatureState::Invalid, true) if line.optional => {
            "Diese Unterschrift brauchen wir nur manchmal.".to_string()
        }
        (SignatureState::Missing | SignatureState::Invalid, false) if line.optional => {
            "nicht unterschrieben (nur wenn nötig)".to_string()
        }
        (SignatureState::Missing | SignatureState::Invalid, true) => {
            "Hier fehlt noch die Unterschrift.".to_string()
        }
        (SignatureState::Missing | SignatureState::Invalid, false) => {
            "noch nicht unterschrieben".to_string()
        }
    };
    format!("{label}: {state}")
}

/// What "Vorlesen" reads: the lines as shown, in the same order.
fn spoken(s: &ClosingSummary, names: &Names, plain: bool) -> Vec<String> {
    let mut out = Vec::new();
    out.push(
        if plain {
            "Ihre Ziele."
        } else {
            "Was vereinbart wurde."
        }
        .to_string(),
    );
    for g in &s.goals {
        out.push(goal_title(g, plain));
        out.extend(goal_lines(g, names, plain));
    }
    out.push(
        if plain {
            "Das haben alle gesagt."
        } else {
            "Was jede Person gesagt hat."
        }
        .to_string(),
    );
    for saying in &s.sayings {
        out.push(saying_byline(saying, names, plain));
        out.push(saying.words.clone());
    }
    out.push(signatures_count(s, plain));
    out.extend(s.signatures.iter().map(|l| signature_line(l, plain)));
    out
}

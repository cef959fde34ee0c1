//! The report as the paper form: an A4 layout to print or save as PDF with the browser.
//!
//! Read-only and rendered from the report as it is now: every shown section with its fields
//! as label and value, the goals as the form's table with the legends of the scale and the
//! reasons, the signature blocks with the drawn signatures and their state. The footer with
//! name and period repeats on every printed page (a table footer); page numbers come from
//! the `@page` margin boxes in `style/printout.css`.

use dreieck_model::{
    Field, FieldKind, FieldValue, GoalPart, PrintedSection, Report, Section, Verification,
};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::views::staff_only::StaffOnlyNotice;

use crate::route::Route;
use crate::state::editor::Editor;
use crate::state::platform::format_timestamp;
use crate::views::signature_pad::{stroke_view, VIEW_H, VIEW_W};

#[component]
pub fn PrintReport(editor: Editor) -> impl IntoView {
    let Some(content) = editor.read(page_content) else {
        return ().into_any();
    };
    let back = Route::Report(editor.id()).href();
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <div class="print-tools">
            <StaffOnlyNotice />
            <button type="button" class="button primary" on:click=print>{move || use_app().texts().print_button}</button>
            <a href=back>{move || use_app().texts().print_back}</a>
        </div>
        <article class="printout" aria-label="Druckansicht">
            {content}
        </article>
    }
    .into_any()
}

/// Everything on the paper, read in one go, in the paper's order (`Template::paper_parts`).
fn page_content(r: &Report) -> AnyView {
    let t = r.template().clone();
    let subject = title_field(r);
    let period = t
        .fields()
        .find(|f| matches!(f.kind, FieldKind::DateRange))
        .and_then(|f| r.display_value(&f.id).ok())
        .unwrap_or_default();
    let verifications = r.verify_signatures();
    let parts = t
        .paper_parts()
        .into_iter()
        .map(|part| {
            let in_part = part.heading.is_some();
            let sections = part
                .sections
                .iter()
                .filter(|s| r.is_section_shown(&s.section.id))
                .map(|s| print_section(r, s, in_part, &verifications))
                .collect_view();
            match part.heading {
                Some(heading) => view! {
                    <section class="print-part">
                        <h3 class="print-part-title">{heading.to_string()}</h3>
                        {sections}
                    </section>
                }
                .into_any(),
                None => sections.into_any(),
            }
        })
        .collect_view();
    let footer = [subject.clone(), period]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let acceptance = acceptance_line(r).map(|(line, changed)| {
        view! {
            <section class="print-acceptance">
                <p id="druck-angenommen">{line}</p>
                {changed.map(|c| view! { <p>{c}</p> })}
            </section>
        }
    });
    // A layout table: the browser repeats a table's footer on every printed page, which is
    // how name and period reach the foot of each page (CSS margin boxes take no content
    // from the page). Which template made the report is for whoever files it, so it is the
    // footer's small print, not a line under the title.
    view! {
        <table class="print-frame" role="presentation">
            <tfoot>
                <tr>
                    <td class="print-footer">
                        {footer}
                        <span class="print-template">{format!("Vorlage {} · Fassung {}", t.id, t.version)}</span>
                    </td>
                </tr>
            </tfoot>
            <tbody>
                <tr>
                    <td>
                        <header class="print-head">
                            <h2 class="print-title">{t.name.clone()}</h2>
                        </header>
                        {parts}
                        {acceptance}
                    </td>
                </tr>
            </tbody>
        </table>
    }
    .into_any()
}

/// "Vom Leistungsträger angenommen am …", with what changed after it, for the file copy.
fn acceptance_line(r: &Report) -> Option<(String, Option<String>)> {
    let a = r.acceptance()?;
    let by =
        a.by.as_deref()
            .and_then(|k| r.member_name(k))
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
    let line = format!("Vom Leistungsträger angenommen am {}{by}.", a.date.german());
    let changed = a.changed.filter(|c| !c.is_empty()).map(|ids| {
        let labels: Vec<String> = ids
            .iter()
            .filter_map(|id| r.template().field(id))
            .map(|f| r.template().paper_label(f).to_string())
            .collect();
        format!("Nach der Annahme geändert: {}.", labels.join(", "))
    });
    Some((line, changed))
}

/// The name the report is about (the first short text field, as in the case list).
fn title_field(r: &Report) -> String {
    r.template()
        .fields()
        .find(|f| matches!(f.kind, FieldKind::ShortText))
        .and_then(|f| r.display_value(&f.id).ok())
        .unwrap_or_default()
}

/// A field's value as the paper form writes it: a period as "von … bis …".
fn paper_value(r: &Report, field: &str) -> String {
    match r.value(field) {
        Ok(FieldValue::DateRange(range)) if range.from.is_some() || range.to.is_some() => {
            let day = |d: Option<dreieck_model::Date>| d.map(|d| d.german()).unwrap_or_default();
            format!("von {} bis {}", day(range.from), day(range.to))
        }
        _ => r.display_value(field).unwrap_or_default(),
    }
}

/// `in_part`: the section sits under a part's heading, so its own heading is one level down.
fn print_section(
    r: &Report,
    printed: &PrintedSection<'_>,
    in_part: bool,
    verifications: &[(String, Verification)],
) -> AnyView {
    let s = printed.section;
    let rows = s
        .fields
        .iter()
        .filter(|f| r.is_shown(&f.id))
        .map(|f| match &f.kind {
            FieldKind::Goals {
                achievement_codes,
                reason_codes,
            } => print_goals(r, achievement_codes, reason_codes),
            FieldKind::Signature { .. } => {
                let state = verifications
                    .iter()
                    .find(|(id, _)| id == &f.id)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Verification::Unsigned);
                print_signature(r, &f.id, r.template().paper_label(f), state)
            }
            FieldKind::Choice { code_list } => {
                let chosen = match r.value(&f.id) {
                    Ok(FieldValue::Choice(code)) => code,
                    _ => None,
                };
                let options = r.template().code_list(code_list).cloned();
                print_row(s, f, r.template().paper_label(f), print_choices(options, chosen))
            }
            _ => {
                let value = paper_value(r, &f.id);
                let own = f
                    .own_words
                    .then(|| r.own_words(&f.id).ok())
                    .flatten()
                    .map(|o| {
                        let how = o.input_label().map(|l| format!(", {l}")).unwrap_or_default();
                        let remark = (!o.remark.trim().is_empty()).then(|| {
                            view! { <p class="print-remark">"Anmerkung der Fachkraft: " {o.remark.clone()}</p> }
                        });
                        let recorded = r
                            .recorded_words(&f.id)
                            .into_iter()
                            .filter(|w| !w.words().trim().is_empty())
                            .map(|w| {
                                let byline = r.recorded_byline(&w);
                                let state = r.confirmation_line(&w);
                                view! {
                                    <div class="print-recorded">
                                        <p class="print-recorded-by">{format!("({byline})")}</p>
                                        <p class="print-recorded-text">{format!("„{}“", w.words())}</p>
                                        <p class="print-recorded-state">{state}</p>
                                    </div>
                                }
                            })
                            .collect_view();
                        view! {
                            <p class="print-own">{format!("(in eigenen Worten der leistungsberechtigten Person{how})")}</p>
                            {recorded}
                            {remark}
                        }
                    });
                let label = r.template().paper_label(f);
                print_row(s, f, label, view! { {value} {own} }.into_any())
            }
        })
        .collect_view();
    let heading = printed.title.map(|title| {
        let title = title.to_string();
        if in_part {
            view! { <h4 class="print-section-title">{title}</h4> }.into_any()
        } else {
            view! { <h3 class="print-section-title">{title}</h3> }.into_any()
        }
    });
    let notes = printed
        .notes
        .iter()
        .map(|n| view! { <p class="print-note">{n.clone()}</p> })
        .collect_view();
    view! {
        <section class="print-section">
            {heading}
            {notes}
            {rows}
        </section>
    }
    .into_any()
}

/// A field as label and value. A field that is the whole section ("Wünsche und Vorstellungen
/// …") has its label as the section's heading already; on paper it is written once.
fn print_row(s: &Section, f: &Field, label: &str, value: AnyView) -> AnyView {
    if f.label.trim() == s.title.trim() {
        view! {
            <div class="print-row whole">
                <div class="print-value">{value}</div>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="print-row">
                <div class="print-label">{label.to_string()}</div>
                <div class="print-value">{value}</div>
            </div>
        }
        .into_any()
    }
}

/// A choice as the paper form has it: every option with its box, the chosen one crossed, so
/// the paper shows what was not chosen too ("☐ ja ☒ nein").
fn print_choices(options: Option<dreieck_model::CodeList>, chosen: Option<String>) -> AnyView {
    let Some(list) = options else {
        return chosen.unwrap_or_default().into_any();
    };
    list.codes
        .into_iter()
        .map(|c| {
            let on = chosen.as_deref() == Some(c.code.as_str());
            view! {
                <span class="print-choice">
                    <span aria-hidden="true">{if on { "☒ " } else { "☐ " }}</span>
                    {on.then(|| view! { <span class="visually-hidden">"gewählt: "</span> })}
                    {c.label}
                </span>
            }
        })
        .collect_view()
        .into_any()
}

/// The legends first, then the table, as on the form; columns in the template's paper order.
fn print_goals(r: &Report, achievement: &str, reason: &str) -> AnyView {
    let t = r.template();
    let columns = t.goal_columns();
    let scale = t.code_list(achievement).cloned();
    let reasons = t.code_list(reason).cloned();
    let rows = r
        .goals()
        .into_iter()
        .map(|g| {
            // The plan in small print under the goal and the measures.
            let goal_note = [
                g.plan.level.map(|l| l.label().to_string()),
                g.plan
                    .target
                    .map(|d| format!("zu erreichen bis {}", d.german())),
                g.plan.origin.map(|o| o.label().to_string()),
            ];
            let with_note = |text: &str, note: &[Option<String>]| {
                let note: Vec<&str> = note.iter().flatten().map(String::as_str).collect();
                if note.is_empty() {
                    text.to_string()
                } else {
                    format!("{text}\n({})", note.join(" · "))
                }
            };
            // Each measure on its lines, who carries it out and by when in parentheses under it;
            // a dash before each when there are several.
            let given: Vec<_> = g.given_measures().collect();
            let measures = given
                .iter()
                .map(|m| {
                    let text = m.text.trim();
                    let text = if given.len() > 1 {
                        format!("– {text}")
                    } else {
                        text.to_string()
                    };
                    let note = m.who_and_when();
                    with_note(&text, &[(!note.is_empty()).then_some(note)])
                })
                .collect::<Vec<_>>()
                .join("\n");
            let cells = columns
                .iter()
                .map(|c| {
                    let (class, text) = match c.part {
                        GoalPart::Number => ("num", g.number.to_string()),
                        GoalPart::Goal => ("text", with_note(&g.text, &goal_note)),
                        GoalPart::Measures => ("text", measures.clone()),
                        GoalPart::Achievement => ("num", g.achievement.clone().unwrap_or_default()),
                        GoalPart::Reason => ("num", g.reason.clone().unwrap_or_default()),
                        GoalPart::SelfRating => ("num", g.self_rating.clone().unwrap_or_default()),
                    };
                    view! { <td class=class>{text}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let headings = columns
        .iter()
        .map(|c| view! { <th scope="col" class=column_class(c.part)>{c.label.clone()}</th> })
        .collect_view();
    let legend = |list: Option<dreieck_model::CodeList>| {
        list.map(|l| {
            view! {
                <div class="print-legend">
                    <p class="print-legend-title">{format!("{}:", l.label)}</p>
                    <ul class="print-codes">
                        {l.codes
                            .iter()
                            .map(|c| view! { <li>{format!("({}) {}", c.code, c.label)}</li> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    };
    let self_rating = columns
        .iter()
        .find(|c| c.part == GoalPart::SelfRating)
        .map(|c| {
            view! {
                <p class="print-legend-note">
                    {format!(
                        "{}: die leistungsberechtigte Person schätzt selbst ein, auf derselben Skala.",
                        c.label
                    )}
                </p>
            }
        });
    view! {
        <div class="print-legends">{legend(scale)} {legend(reasons)}</div>
        {self_rating}
        <table class="print-goals">
            <thead>
                <tr>{headings}</tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Text columns share the width; the code columns are as wide as their heading's longest word.
fn column_class(part: GoalPart) -> &'static str {
    match part {
        GoalPart::Goal | GoalPart::Measures => "col-text",
        GoalPart::Number => "col-number",
        GoalPart::Achievement | GoalPart::Reason | GoalPart::SelfRating => "col-code",
    }
}

fn print_signature(r: &Report, field: &str, label: &str, state: Verification) -> AnyView {
    let record = r.signature_record(field).ok().flatten();
    let body = match record {
        None => view! { <div class="print-sign-line"></div><p class="print-sign-state">"nicht unterschrieben"</p> }.into_any(),
        Some(record) => {
            let drawing = (!record.typed()).then(|| {
                view! {
                    <svg
                        class="signature-drawing"
                        viewBox=format!("0 0 {VIEW_W} {VIEW_H}")
                        role="img"
                        aria-label=format!("Gezeichnete Unterschrift von {}", record.name)
                    >
                        {record.strokes.to_points().into_iter().map(stroke_view).collect_view()}
                    </svg>
                }
            });
            let state = match state {
                Verification::Valid => "gültig".to_string(),
                Verification::ValidForEarlierVersion { .. } => {
                    "gilt für eine frühere Fassung".to_string()
                }
                Verification::Invalid(why) => format!("ungültig: {}", why.message()),
                Verification::Unsigned => String::new(),
            };
            view! {
                {drawing}
                <div class="print-sign-line"></div>
                <p class="print-sign-by">
                    {format!(
                        "{} ({}), {} – unterschrieben am {}",
                        record.name,
                        record.role.label(),
                        record.date.german(),
                        format_timestamp(record.time_ms as f64),
                    )}
                </p>
                <p class="print-sign-state">{state}</p>
            }
            .into_any()
        }
    };
    view! {
        <div class="print-signature">
            <div class="print-label">{label.to_string()}</div>
            {body}
        </div>
    }
    .into_any()
}

//! The report as the paper form: an A4 layout to print or save as PDF with the browser.
//!
//! Read-only and rendered from the report as it is now: every shown section with its fields
//! as label and value, the goals as the form's table with the legends of the scale and the
//! reasons, the signature blocks with the drawn signatures and their state. The footer with
//! name and period repeats on every printed page (a table footer); page numbers come from
//! the `@page` margin boxes in `style/printout.css`.

use dreieck_model::{FieldKind, Report, Section, Verification};
use leptos::prelude::*;

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
            <button type="button" class="button primary" on:click=print>"Drucken oder als PDF speichern"</button>
            <a href=back>"Zurück zum Bericht"</a>
        </div>
        <article class="printout" aria-label="Druckansicht">
            {content}
        </article>
    }
    .into_any()
}

/// Everything on the paper, read in one go.
fn page_content(r: &Report) -> AnyView {
    let t = r.template().clone();
    let subject = title_field(r);
    let period = t
        .fields()
        .find(|f| matches!(f.kind, FieldKind::DateRange))
        .and_then(|f| r.display_value(&f.id).ok())
        .unwrap_or_default();
    let verifications = r.verify_signatures();
    let sections = t
        .sections
        .iter()
        .filter(|s| r.is_section_shown(&s.id))
        .map(|s| print_section(r, s, &verifications))
        .collect_view();
    let footer = [subject.clone(), period]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    // A layout table: the browser repeats a table's footer on every printed page, which is
    // how name and period reach the foot of each page (CSS margin boxes take no content
    // from the page).
    view! {
        <table class="print-frame" role="presentation">
            <tfoot>
                <tr>
                    <td class="print-footer">{footer}</td>
                </tr>
            </tfoot>
            <tbody>
                <tr>
                    <td>
                        <header class="print-head">
                            <h2 class="print-title">{t.name.clone()}</h2>
                            <p class="print-version">{format!("Vorlage {} · Fassung {}", t.id, t.version)}</p>
                        </header>
                        {sections}
                    </td>
                </tr>
            </tbody>
        </table>
    }
    .into_any()
}

/// The name the report is about (the first short text field, as in the case list).
fn title_field(r: &Report) -> String {
    r.template()
        .fields()
        .find(|f| matches!(f.kind, FieldKind::ShortText))
        .and_then(|f| r.display_value(&f.id).ok())
        .unwrap_or_default()
}

fn print_section(r: &Report, s: &Section, verifications: &[(String, Verification)]) -> AnyView {
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
                print_signature(r, &f.id, &f.label, state)
            }
            _ => {
                let value = r.display_value(&f.id).unwrap_or_default();
                let own = f
                    .own_words
                    .then(|| r.own_words(&f.id).ok())
                    .flatten()
                    .map(|o| {
                        let how = o.input_label().map(|l| format!(", {l}")).unwrap_or_default();
                        let remark = (!o.remark.trim().is_empty()).then(|| {
                            view! { <p class="print-remark">"Anmerkung der Fachkraft: " {o.remark.clone()}</p> }
                        });
                        view! {
                            <p class="print-own">{format!("(in eigenen Worten der leistungsberechtigten Person{how})")}</p>
                            {remark}
                        }
                    });
                view! {
                    <div class="print-row">
                        <div class="print-label">{f.label.clone()}</div>
                        <div class="print-value">{value} {own}</div>
                    </div>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <section class="print-section">
            <h3>{s.title.clone()}</h3>
            {rows}
        </section>
    }
    .into_any()
}

fn print_goals(r: &Report, achievement: &str, reason: &str) -> AnyView {
    let t = r.template();
    let scale = t.code_list(achievement).cloned();
    let reasons = t.code_list(reason).cloned();
    let rows = r
        .goals()
        .into_iter()
        .map(|g| {
            view! {
                <tr>
                    <td class="num">{g.number}</td>
                    <td class="text">{g.text.clone()}</td>
                    <td class="text">{g.measures.clone()}</td>
                    <td class="num">{g.achievement.clone().unwrap_or_default()}</td>
                    <td class="num">{g.reason.clone().unwrap_or_default()}</td>
                    <td class="num">{g.self_rating.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let legend = |list: Option<dreieck_model::CodeList>| {
        list.map(|l| {
            view! {
                <p class="print-legend">
                    <strong>{format!("{}: ", l.label)}</strong>
                    {l.codes
                        .iter()
                        .map(|c| format!("({}) {}", c.code, c.label))
                        .collect::<Vec<_>>()
                        .join(" · ")}
                </p>
            }
        })
    };
    view! {
        <table class="print-goals">
            <thead>
                <tr>
                    <th scope="col">"Nr."</th>
                    <th scope="col">"Nennung des Ziels"</th>
                    <th scope="col">"Maßnahmen"</th>
                    <th scope="col">"Zielerreichung"</th>
                    <th scope="col">"Grund"</th>
                    <th scope="col">"Selbst­einschätzung"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {legend(scale)}
        {legend(reasons)}
        <p class="print-legend">"Selbsteinschätzung: die leistungsberechtigte Person auf derselben Skala."</p>
    }
    .into_any()
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

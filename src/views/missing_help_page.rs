//! "Fehlende Hilfebausteine": the gaps noted in every report on this device, by area, each
//! with the report it came from; and the list for the planning level as CSV, without names.

use dreieck_model::{help_area, missing_help_csv, PlanningRow, HELP_AREAS};
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::case_list::{reports, CaseList, Entry, ListState};
use crate::state::platform::{download_file, today};
use crate::state::summary::display_title;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::back_to_list::BackToList;
use crate::views::list_state_message::list_state_message;
use crate::views::staff_only::StaffOnlyNotice;

/// One gap as listed: the area, the text, when, and which report.
#[derive(Clone, Debug, PartialEq)]
struct Gap {
    area: String,
    text: String,
    date: Option<String>,
    report_id: String,
    report_title: String,
    form: String,
}

fn gaps(entries: &[Entry]) -> Vec<Gap> {
    reports(entries)
        .flat_map(|s| {
            s.missing_help.iter().map(|f| Gap {
                area: f.area.clone(),
                text: f.text.clone(),
                date: f.date.clone(),
                report_id: s.id.clone(),
                report_title: display_title(&s.title),
                form: s.template_name.clone(),
            })
        })
        .collect()
}

/// The areas in the order of [`HELP_AREAS`], each with its gaps (newest first); areas this
/// build does not know come last, under their code.
fn by_area(mut all: Vec<Gap>) -> Vec<(String, Vec<Gap>)> {
    all.sort_by(|a, b| b.date.cmp(&a.date));
    let mut groups: Vec<(String, Vec<Gap>)> = Vec::new();
    for area in HELP_AREAS {
        let (these, rest): (Vec<Gap>, Vec<Gap>) =
            all.into_iter().partition(|g| g.area == area.code);
        all = rest;
        if !these.is_empty() {
            groups.push((area.label.to_string(), these));
        }
    }
    for gap in all {
        match groups.iter_mut().find(|(label, _)| *label == gap.area) {
            Some((_, list)) => list.push(gap),
            None => groups.push((gap.area.clone(), vec![gap])),
        }
    }
    groups
}

#[component]
pub fn MissingHelpPage() -> impl IntoView {
    let app = use_app();
    let list = CaseList::new();
    if let Some(store) = app.store() {
        list.reload(store);
    }
    let all = move || list.entries.with(|e| gaps(e));
    let error = RwSignal::new(None::<String>);
    let download = move |_| {
        let rows: Vec<PlanningRow> = all()
            .into_iter()
            .map(|g| PlanningRow {
                area: g.area,
                text: g.text,
                date: g.date,
                form: g.form,
            })
            .collect();
        let day = today().map(|d| d.iso()).unwrap_or_default();
        let name = format!("fehlende-hilfebausteine-{day}.csv");
        let csv = missing_help_csv(&rows);
        error.set(download_file(csv.as_bytes(), &name, "text/csv;charset=utf-8").err());
    };
    view! {
        <div class="page missing-help-page">
            <BackToList />
            <h1 id=PAGE_TITLE_ID tabindex="-1">"Fehlende Hilfebausteine"</h1>
            <StaffOnlyNotice />
            <p class="section-help">
                "Hilfen, die gebraucht wurden und nicht da waren, aus allen Berichten auf diesem Gerät. Die Liste für die Planung enthält Bereich, Beschreibung, Datum und Formular, aber keine Namen."
            </p>
            {move || match list.state.get() {
                ListState::Loading | ListState::Failed(_) => {
                    list.state.with(list_state_message).unwrap_or_else(|| ().into_any())
                }
                ListState::Ready => {
                    let groups = by_area(all());
                    if groups.is_empty() {
                        return view! {
                            <p class="message empty">"In keinem Bericht ist ein fehlender Hilfebaustein eingetragen."</p>
                        }
                            .into_any();
                    }
                    let total: usize = groups.iter().map(|(_, g)| g.len()).sum();
                    view! {
                        <p>
                            <button class="button primary" id="planung-csv" on:click=download>
                                {format!(
                                    "Liste für die Planung herunterladen (CSV, {total} {})",
                                    if total == 1 { "Eintrag" } else { "Einträge" },
                                )}
                            </button>
                        </p>
                        {groups
                            .into_iter()
                            .map(|(label, list)| view! { <AreaGaps label=label gaps=list /> })
                            .collect_view()}
                    }
                        .into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
        </div>
    }
}

/// One area's gaps.
#[component]
fn AreaGaps(label: String, gaps: Vec<Gap>) -> impl IntoView {
    let heading = format!("{label} ({})", gaps.len());
    let plain = gaps
        .first()
        .and_then(|g| help_area(&g.area))
        .map(|a| a.plain_label);
    view! {
        <section class="form-section gap-area">
            <h2>{heading}</h2>
            {plain.filter(|p| *p != label).map(|p| view! { <p class="section-help">{p}</p> })}
            <ul class="missing-help-list">
                {gaps
                    .into_iter()
                    .map(|g| {
                        let when = g
                            .date
                            .as_deref()
                            .and_then(|d| dreieck_model::Date::parse_iso(d).ok())
                            .map(|d| format!(", eingetragen am {}", d.german()))
                            .unwrap_or_default();
                        view! {
                            <li class="missing-help-item">
                                <div>
                                    <p class="missing-help-text">{g.text}</p>
                                    <p class="case-meta">
                                        <a href=Route::Report(g.report_id).href()>
                                            {format!("Bericht von {}", g.report_title)}
                                        </a>
                                        {format!(" · {}{when}", g.form)}
                                    </p>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

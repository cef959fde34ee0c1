//! "Wirkung über alle Berichte": goal achievement and reasons across the reports on this
//! device, grouped by life area, goal level, year or provider, with the person's own rating
//! beside the provider's and the change from one report to the next. Only counts are shown
//! and exported, and never for a group of fewer than five people (`dreieck_model::impact`).

use dreieck_model::{
    aggregate, builtin_templates, change, impact_csv, Dimension, FieldKind, MIN_PEOPLE,
};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::case_list::{CaseList, ListState};
use crate::state::impact::impact_goals;
use crate::state::platform::{download_file, today};
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::back_to_list::BackToList;
use crate::views::impact_chart::{ImpactChart, CODE_COLOURS};
use crate::views::list_state_message::list_state_message;
use crate::views::staff_only::StaffOnlyNotice;

/// The KVJS scales' texts (achievement 1–5, reason 1–6), for the legends.
fn scales() -> (Vec<String>, Vec<String>) {
    let kvjs = builtin_templates()
        .into_iter()
        .find(|t| t.id == "kvjs-ergebnisbericht");
    let labels = |pick: fn(&FieldKind) -> Option<&String>, n: usize| -> Vec<String> {
        let list = kvjs.as_ref().and_then(|t| {
            let field = t.fields().find(|f| pick(&f.kind).is_some())?;
            t.code_list(pick(&field.kind)?).cloned()
        });
        (1..=n)
            .map(|c| {
                let code = c.to_string();
                list.as_ref()
                    .and_then(|l| l.codes.iter().find(|x| x.code == code))
                    .map_or_else(|| code.clone(), |x| x.label.clone())
            })
            .collect()
    };
    (
        labels(
            |k| match k {
                FieldKind::Goals {
                    achievement_codes, ..
                } => Some(achievement_codes),
                _ => None,
            },
            5,
        ),
        labels(
            |k| match k {
                FieldKind::Goals { reason_codes, .. } => Some(reason_codes),
                _ => None,
            },
            6,
        ),
    )
}

#[component]
pub fn ImpactPage() -> impl IntoView {
    let app = use_app();
    let list = CaseList::new();
    if let Some(store) = app.store() {
        list.reload(store);
    }
    let by = RwSignal::new(Dimension::Area);
    let goals = Memo::new(move |_| list.entries.with(|e| impact_goals(e)));
    let result = Memo::new(move |_| goals.with(|g| aggregate(g, by.get())));
    let changed = Memo::new(move |_| goals.with(|g| change(g)));
    let (achievement_labels, reason_labels) = scales();
    let achievement_labels = StoredValue::new(achievement_labels);
    let reason_labels = StoredValue::new(reason_labels);
    let error = RwSignal::new(None::<String>);
    let download = move |_| {
        let dimension = by.get_untracked();
        let csv = result.with_untracked(|r| impact_csv(r, dimension));
        let day = today().map(|d| d.iso()).unwrap_or_default();
        let name = format!("wirkung-{}-{day}.csv", dimension.code());
        error.set(download_file(csv.as_bytes(), &name, "text/csv;charset=utf-8").err());
    };
    let rule = format!(
        "Gezeigt werden nur Zahlen, keine Namen und keine Texte. Eine Gruppe mit weniger als {MIN_PEOPLE} Personen wird nicht gezeigt. Ziele, die in einer Auswertung in eine so kleine Gruppe fallen, zählen in keiner Auswertung mit: so lässt sich auch durch Vergleichen nichts über einzelne Menschen herausfinden."
    );

    let content = move || {
        let r = result.get();
        let dimension = by.get();
        if r.groups.is_empty() {
            return view! {
                <p class="message empty" id="wirkung-leer">
                    {format!(
                        "Noch keine Auswertung möglich: Es braucht Berichte mit bewerteten Zielen von mindestens {MIN_PEOPLE} Personen in jeder Gruppe."
                    )}
                </p>
            }
                .into_any();
        }
        let withheld = (r.withheld_goals > 0).then(|| {
            view! {
                <p class="message warn" id="wirkung-zurueckgehalten">
                    {format!(
                        "{} Ziele sind nicht enthalten: Sie fallen in eine Gruppe mit weniger als {MIN_PEOPLE} Personen ({} Gruppe(n) bei „{}“).",
                        r.withheld_goals,
                        r.withheld,
                        dimension.label(),
                    )}
                </p>
            }
        });
        let a_labels = achievement_labels.get_value();
        let r_labels = reason_labels.get_value();
        let legend = a_labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                view! {
                    <li>
                        <svg class="legend-swatch" viewBox="0 0 10 10" aria-hidden="true">
                            <rect width="10" height="10" fill=CODE_COLOURS[i]></rect>
                        </svg>
                        {format!("({}) {l}", i + 1)}
                    </li>
                }
            })
            .collect_view();
        let rows = r
            .groups
            .iter()
            .chain(std::iter::once(&r.total))
            .map(|g| {
                let total = g.label == r.total.label;
                view! {
                    <tr class:impact-total=total>
                        <th scope="row">{g.label.clone()}</th>
                        <td>{g.people}</td>
                        <td>{g.goals}</td>
                        {g.achievement.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                        <td>{g.unrated}</td>
                    </tr>
                }
            })
            .collect_view();
        let person_rows = r
            .groups
            .iter()
            .chain(std::iter::once(&r.total))
            .map(|g| {
                let total = g.label == r.total.label;
                let rated: usize = g.self_rating.iter().sum();
                view! {
                    <tr class:impact-total=total>
                        <th scope="row">{g.label.clone()}</th>
                        {g.self_rating.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                        <td>{g.goals - rated}</td>
                        <td>{g.ratings_differ}</td>
                    </tr>
                }
            })
            .collect_view();
        let reason_rows = r
            .groups
            .iter()
            .chain(std::iter::once(&r.total))
            .map(|g| {
                view! {
                    <tr class:impact-total=g.label == r.total.label>
                        <th scope="row">{g.label.clone()}</th>
                        {g.reason.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                    </tr>
                }
            })
            .collect_view();
        view! {
            {withheld}
            <section class="form-section impact-section" aria-labelledby="wirkung-erreichung">
                <h2 id="wirkung-erreichung">{format!("Zielerreichung nach {}", dimension.label())}</h2>
                <figure class="impact-figure">
                    <ImpactChart groups=r.groups.clone() caption_id="wirkung-bild".to_string() />
                    <figcaption id="wirkung-bild">
                        {format!(
                            "Anteile der Zielerreichung je {}: oben die Einschätzung der Einrichtung, darunter die der Person selbst. Die Zahlen stehen in der Tabelle.",
                            dimension.label(),
                        )}
                    </figcaption>
                </figure>
                <ul class="impact-legend" aria-label="Zielerreichung">
                    {legend}
                    <li>
                        <svg class="legend-swatch" viewBox="0 0 10 10" aria-hidden="true">
                            <rect x="0.5" y="0.5" width="9" height="9" fill="none" stroke="#6b7280" stroke-dasharray="2 1.5"></rect>
                        </svg>
                        "ohne Bewertung"
                    </li>
                </ul>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Tabelle der Zielerreichung">
                    <table class="impact-table" id="wirkung-tabelle">
                        <caption>"Zielerreichung, eingeschätzt von der Einrichtung (Ziele je Stufe 1–5)"</caption>
                        <thead>
                            <tr>
                                <th scope="col">{dimension.label()}</th>
                                <th scope="col">"Personen"</th>
                                <th scope="col">"Ziele"</th>
                                {(1..=5).map(|c| view! { <th scope="col" title=a_labels[c - 1].clone()>{format!("Stufe {c}")}</th> }).collect_view()}
                                <th scope="col">"ohne"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Tabelle der Selbsteinschätzung">
                    <table class="impact-table" id="wirkung-person-tabelle">
                        <caption>"Selbsteinschätzung der Personen, auf derselben Skala (Ziele je Stufe 1–5)"</caption>
                        <thead>
                            <tr>
                                <th scope="col">{dimension.label()}</th>
                                {(1..=5).map(|c| view! { <th scope="col" title=a_labels[c - 1].clone()>{format!("Stufe {c}")}</th> }).collect_view()}
                                <th scope="col">"ohne"</th>
                                <th scope="col">"weicht von der Einrichtung ab"</th>
                            </tr>
                        </thead>
                        <tbody>{person_rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="form-section impact-section" aria-labelledby="wirkung-gruende">
                <h2 id="wirkung-gruende">"Gründe bei Nicht-Erreichung"</h2>
                <ol class="impact-reasons">
                    {r_labels.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}
                </ol>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Tabelle der Gründe">
                    <table class="impact-table" id="wirkung-gruende-tabelle">
                        <caption>"Ziele je Grund (1–6)"</caption>
                        <thead>
                            <tr>
                                <th scope="col">{dimension.label()}</th>
                                {(1..=6).map(|c| view! { <th scope="col" title=r_labels[c - 1].clone()>{format!("Grund {c}")}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>{reason_rows}</tbody>
                    </table>
                </div>
            </section>
        }
            .into_any()
    };
    let change_view = move || {
        let c = changed.get();
        let text = if c.withheld {
            format!(
                "Noch nicht auswertbar: Es braucht mindestens {MIN_PEOPLE} Personen mit zwei Berichten mit bewerteten Zielen."
            )
        } else {
            format!(
                "{} Personen mit zwei Berichten: Die mittlere Zielerreichung ist bei {} gestiegen, bei {} gleich geblieben und bei {} gesunken.",
                c.people, c.better, c.same, c.worse
            )
        };
        view! {
            <section class="form-section impact-section" aria-labelledby="wirkung-verlauf">
                <h2 id="wirkung-verlauf">"Vom einen Bericht zum nächsten"</h2>
                <p id="wirkung-veraenderung">{text}</p>
            </section>
        }
    };
    view! {
        <div class="page impact-page">
            <BackToList />
            <h1 id=PAGE_TITLE_ID tabindex="-1">"Wirkung über alle Berichte"</h1>
            <StaffOnlyNotice />
            <p class="section-help">
                "Wie die Ziele erreicht wurden und warum nicht, aus allen Berichten auf diesem Gerät: nach Lebensbereich, Zielebene, Jahr oder Einrichtung, mit der Einschätzung der Person neben der der Einrichtung."
            </p>
            <p class="impact-rule" id="wirkung-regel">{rule}</p>
            {move || match list.state.get() {
                ListState::Loading | ListState::Failed(_) => {
                    list.state.with(list_state_message).unwrap_or_else(|| ().into_any())
                }
                ListState::Ready => {
                    view! {
                        <div class="impact-tools">
                            <div class="filter">
                                <label for="wirkung-nach">"Auswerten nach"</label>
                                <select
                                    id="wirkung-nach"
                                    class="control"
                                    on:change=move |ev| {
                                        if let Some(d) = Dimension::from_code(&event_target_value(&ev)) {
                                            by.set(d);
                                        }
                                    }
                                >
                                    {Dimension::ALL
                                        .into_iter()
                                        .map(|d| {
                                            view! {
                                                <option value=d.code() selected=move || by.get() == d>
                                                    {d.label()}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                            <button
                                class="button primary"
                                id="wirkung-csv"
                                disabled=move || result.with(|r| r.groups.is_empty())
                                on:click=download
                            >
                                "Auswertung herunterladen (CSV)"
                            </button>
                            <button
                                class="button"
                                id="wirkung-drucken"
                                disabled=move || result.with(|r| r.groups.is_empty())
                                on:click=move |_| {
                                    let _ = window().print();
                                }
                            >
                                "Drucken"
                            </button>
                        </div>
                        {content}
                        {change_view}
                    }
                        .into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
        </div>
    }
}

//! The controls above the case list: a person's name, the status, the form, the Anlass, when
//! the approval ends, only overdue reports, and the order (deadline, change, name, the end of
//! the reporting or the approval period: what a caseworker plans by). Native form controls: each has its label, works with keyboard and touch, and is
//! announced as what it is.

use dreieck_model::{Date, Status};
use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::case_list::{Filter, Order};
use crate::views::case_panel::status_label;

/// The value of the status filter's "every status" option.
const ALL: &str = "alle";

#[component]
pub fn CaseFilters(
    filter: RwSignal<Filter>,
    order: RwSignal<Order>,
    /// The forms and the occasions the listed reports have (`case_list::choices`).
    choices: Signal<(Vec<String>, Vec<String>)>,
) -> impl IntoView {
    let app = use_app();
    let on_form = move |ev| {
        let value = event_target_value(&ev);
        filter.update(|f| f.form = (value != ALL).then_some(value));
    };
    let on_occasion = move |ev| {
        let value = event_target_value(&ev);
        filter.update(|f| f.occasion = (value != ALL).then_some(value));
    };
    let on_approval = move |ev| {
        let value = event_target_value(&ev);
        filter.update(|f| f.approval_ends_by = Date::parse_iso(&value).ok());
    };
    // A select of the values the list has, "alle" first; the chosen one stays offered even
    // when no report has it any more, so the control never shows something else than it holds.
    let select = move |id: &'static str,
                       label: fn(&'static Texts) -> &'static str,
                       values: Signal<Vec<String>>,
                       chosen: Signal<Option<String>>,
                       on_change: Box<dyn Fn(leptos::ev::Event) + Send + Sync>| {
        view! {
            <div class="filter">
                <label for=id>{move || label(app.texts())}</label>
                <select id=id on:change=on_change>
                    <option value=ALL selected=move || chosen.get().is_none()>{move || app.texts().filter_all}</option>
                    {move || {
                        let mut all = values.get();
                        if let Some(c) = chosen.get() {
                            if !all.contains(&c) {
                                all.push(c);
                            }
                        }
                        all.into_iter()
                            .map(|v| {
                                let selected = chosen.get().as_ref() == Some(&v);
                                view! {
                                    <option value=v.clone() selected=selected>
                                        {v.clone()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
        }
    };
    let forms = select(
        "filter-formular",
        |t| t.filter_form,
        Signal::derive(move || choices.with(|c| c.0.clone())),
        Signal::derive(move || filter.with(|f| f.form.clone())),
        Box::new(on_form),
    );
    let occasions = move || {
        let has = choices.with(|c| !c.1.is_empty()) || filter.with(|f| f.occasion.is_some());
        has.then(|| {
            select(
                "filter-anlass",
                |t| t.filter_occasion,
                Signal::derive(move || choices.with(|c| c.1.clone())),
                Signal::derive(move || filter.with(|f| f.occasion.clone())),
                Box::new(on_occasion),
            )
        })
    };
    let on_person = move |ev| {
        let value = event_target_value(&ev);
        filter.update(|f| f.person = value);
    };
    let on_status = move |ev| {
        let value = event_target_value(&ev);
        filter.update(|f| f.status = Status::from_code(&value));
    };
    let on_overdue = move |ev| {
        let checked = event_target_checked(&ev);
        filter.update(|f| f.overdue_only = checked);
    };
    let on_review = move |ev| {
        let checked = event_target_checked(&ev);
        filter.update(|f| f.review_only = checked);
    };
    let on_order = move |ev| order.set(Order::from_code(&event_target_value(&ev)));
    view! {
        <div class="case-filters" role="group" aria-label=move || app.texts().filter_label>
            <div class="search">
                <label for="suche">{move || app.texts().filter_search}</label>
                <input
                    id="suche"
                    type="search"
                    autocomplete="off"
                    prop:value=move || filter.with(|f| f.person.clone())
                    on:input=on_person
                />
            </div>
            <div class="filter">
                <label for="filter-status">{move || app.texts().filter_status}</label>
                <select id="filter-status" on:change=on_status>
                    <option value=ALL selected=move || filter.with(|f| f.status.is_none())>
                        {move || app.texts().filter_all}
                    </option>
                    {Status::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option
                                    value=s.code()
                                    selected=move || filter.with(|f| f.status == Some(s))
                                >
                                    {move || status_label(app.texts(), s)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            {forms}
            {occasions}
            <div class="filter">
                <label for="filter-bewilligung">{move || app.texts().filter_approval}</label>
                <input
                    id="filter-bewilligung"
                    class="control control-date"
                    type="date"
                    prop:value=move || {
                        filter.with(|f| f.approval_ends_by.map(|d| d.iso()).unwrap_or_default())
                    }
                    on:change=on_approval
                />
            </div>
            <div class="filter">
                <label for="sortierung">{move || app.texts().filter_order}</label>
                <select id="sortierung" on:change=on_order>
                    {Order::ALL
                        .into_iter()
                        .map(|o| {
                            view! {
                                <option value=o.code() selected=move || order.get() == o>
                                    {move || o.label(app.texts())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <label class="choice filter-overdue">
                <input
                    type="checkbox"
                    id="nur-ueberfaellig"
                    prop:checked=move || filter.with(|f| f.overdue_only)
                    on:change=on_overdue
                />
                <span>{move || app.texts().filter_overdue}</span>
            </label>
            <label class="choice filter-overdue">
                <input
                    type="checkbox"
                    id="nur-rueckfragen"
                    prop:checked=move || filter.with(|f| f.review_only)
                    on:change=on_review
                />
                <span>{move || app.texts().filter_questions}</span>
            </label>
        </div>
    }
}

//! The controls above the case list: a person's name, the status, only overdue reports, and
//! the order. Native form controls: each has its label, works with keyboard and touch, and is
//! announced as what it is.

use dreieck_model::Status;
use leptos::prelude::*;

use crate::state::case_list::{Filter, Order};

/// The value of the status filter's "every status" option.
const ALL: &str = "alle";

#[component]
pub fn CaseFilters(filter: RwSignal<Filter>, order: RwSignal<Order>) -> impl IntoView {
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
    let on_order = move |ev| order.set(Order::from_code(&event_target_value(&ev)));
    view! {
        <div class="case-filters" role="group" aria-label="Berichte filtern und sortieren">
            <div class="search">
                <label for="suche">"Suchen nach Name"</label>
                <input
                    id="suche"
                    type="search"
                    autocomplete="off"
                    prop:value=move || filter.with(|f| f.person.clone())
                    on:input=on_person
                />
            </div>
            <div class="filter">
                <label for="filter-status">"Stand"</label>
                <select id="filter-status" on:change=on_status>
                    <option value=ALL selected=move || filter.with(|f| f.status.is_none())>
                        "alle"
                    </option>
                    {Status::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option
                                    value=s.code()
                                    selected=move || filter.with(|f| f.status == Some(s))
                                >
                                    {s.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="sortierung">"Sortieren nach"</label>
                <select id="sortierung" on:change=on_order>
                    {Order::ALL
                        .into_iter()
                        .map(|o| {
                            view! {
                                <option value=o.code() selected=move || order.get() == o>
                                    {o.label()}
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
                <span>"nur überfällige"</span>
            </label>
        </div>
    }
}

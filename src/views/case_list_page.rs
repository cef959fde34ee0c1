//! "Berichte": every report on this device, earliest deadline first, with filters by person,
//! status and deadline, and create, import, delete.

use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::case_list::{arrange, CaseList, Entry, Filter, ListState, Order};
use crate::state::platform::{focus_element, today};
use crate::state::session::unsaved_reports;
use crate::state::summary::display_title;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::broken_row::BrokenRow;
use crate::views::case_filters::CaseFilters;
use crate::views::case_row::CaseRow;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::deleted_notices::DeletedNotices;
use crate::views::import_button::ImportButton;
use crate::views::list_state_message::list_state_message;
use crate::views::new_report::NewReport;
use crate::views::storage_usage::StorageUsage;
use crate::views::undo_toasts::undo_button_id;

#[component]
pub fn CaseListPage() -> impl IntoView {
    let app = use_app();
    let list = CaseList::new();
    let filter = RwSignal::new(Filter::default());
    let order = RwSignal::new(Order::Due);
    // The day deadlines are judged against; a device without a date judges none overdue.
    let today = today();
    // The report the delete dialog asks about: (id, title).
    let confirm = RwSignal::new(None::<(String, String)>);

    // Load now, and again after a delete has reached storage.
    Effect::new(move |_| {
        app.deletes.deleted.track();
        if let Some(store) = app.store() {
            list.reload(store);
        }
    });

    // Edits the disk refused stay in this tab's memory; say so, with the way back to them.
    let unsaved = unsaved_reports();

    let visible = move || {
        let entries: Vec<Entry> = list
            .entries
            .get()
            .into_iter()
            .filter(|e| !app.deletes.is_pending(e.id()))
            .collect();
        filter.with(|f| arrange(&entries, f, order.get(), today))
    };
    let missing_help_count = move || {
        list.entries.with(|entries| {
            entries
                .iter()
                .map(|e| match e {
                    Entry::Report(s) => s.missing_help.len(),
                    Entry::Broken { .. } => 0,
                })
                .sum::<usize>()
        })
    };

    let ask_delete =
        Callback::new(move |(id, title): (String, String)| confirm.set(Some((id, title))));
    let confirm_message = Signal::derive(move || {
        confirm
            .get()
            .map(|(_, title)| format!("Bericht von {} wirklich löschen?", display_title(&title)))
    });
    let on_confirm = move || {
        if let Some((id, title)) = confirm.get_untracked() {
            confirm.set(None);
            app.deletes.schedule(id.clone(), title);
            request_animation_frame(move || {
                focus_element(&undo_button_id(&id));
            });
        }
    };
    let on_cancel = move || confirm.set(None);

    view! {
        <div class="page case-list-page">
            <div class="page-head">
                <h1 id=PAGE_TITLE_ID tabindex="-1">"Berichte"</h1>
            </div>
            <DeletedNotices />
            <NewReport />
            <ImportButton on_imported=Callback::new(move |()| {
                if let Some(store) = app.store() {
                    list.reload(store);
                }
            }) />
            {(!unsaved.is_empty())
                .then(|| {
                    view! {
                        <div class="message error" role="alert">
                            <p>
                                "Nicht alle Änderungen sind gespeichert. Bitte den Bericht öffnen und „Erneut versuchen“ wählen, bevor diese Seite geschlossen wird:"
                            </p>
                            <ul>
                                {unsaved
                                    .into_iter()
                                    .map(|(id, title)| {
                                        view! {
                                            <li>
                                                <a href=Route::Report(id).href()>
                                                    {display_title(&title)}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                })}
            <CaseFilters filter=filter order=order />
            <p class="missing-help-link">
                <a href=Route::MissingHelp.href()>
                    {move || format!("Fehlende Hilfebausteine aller Berichte ({})", missing_help_count())}
                </a>
            </p>
            {move || match list.state.get() {
                ListState::Loading | ListState::Failed(_) => {
                    list.state.with(list_state_message).unwrap_or_else(|| ().into_any())
                }
                ListState::Ready => {
                    view! {
                        <Show
                            when=move || !visible().is_empty()
                            fallback=move || {
                                let text = if filter.with(Filter::is_empty) {
                                    "Auf diesem Gerät sind noch keine Berichte. Mit „Neuer Bericht“ beginnen."
                                } else {
                                    "Kein Bericht passt zu diesen Filtern."
                                };
                                view! { <p class="message empty">{text}</p> }
                            }
                        >
                            <ul class="case-list" aria-label="Berichte auf diesem Gerät">
                                <For
                                    each=visible
                                    key=|e| format!("{e:?}")
                                    children=move |entry| match entry {
                                        Entry::Report(summary) => {
                                            view! { <CaseRow summary=summary today=today on_delete=ask_delete /> }
                                                .into_any()
                                        }
                                        Entry::Broken { id, error } => {
                                            view! { <BrokenRow id=id error=error /> }.into_any()
                                        }
                                    }
                                />
                            </ul>
                        </Show>
                    }
                        .into_any()
                }
            }}
            <StorageUsage />
            // Beside the storage it protects; the header keeps only "Sperren" (once set), so it
            // still fits a tablet's width.
            <p class="device-lock-link">
                <a href=Route::Lock.href()>
                    {if dreieck::storage::vault::has_pin() {
                        "Sperre dieses Geräts einstellen"
                    } else {
                        "Gerät mit einer PIN schützen"
                    }}
                </a>
            </p>
            <ConfirmDialog
                message=confirm_message
                confirm_label="Löschen"
                on_confirm=Callback::new(move |()| on_confirm())
                on_cancel=Callback::new(move |()| on_cancel())
            />
        </div>
    }
}

//! "Berichte": every report on this device, newest change first, with search, create, import,
//! delete.

use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::case_list::{matches_search, CaseList, Entry, ListState};
use crate::state::platform::focus_element;
use crate::state::session::unsaved_reports;
use crate::state::summary::display_title;
use crate::views::app_shell::PAGE_TITLE_ID;
use crate::views::broken_row::BrokenRow;
use crate::views::case_row::CaseRow;
use crate::views::confirm_dialog::ConfirmDialog;
use crate::views::import_button::ImportButton;
use crate::views::new_report::NewReport;
use crate::views::storage_usage::StorageUsage;
use crate::views::undo_toasts::undo_button_id;

#[component]
pub fn CaseListPage() -> impl IntoView {
    let app = use_app();
    let list = CaseList::new();
    let query = RwSignal::new(String::new());
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
        let q = query.get();
        list.entries
            .get()
            .into_iter()
            .filter(|e| !app.deletes.is_pending(e.id()))
            .filter(|e| match e {
                Entry::Report(s) => matches_search(&display_title(&s.title), &q),
                Entry::Broken { .. } => q.trim().is_empty(),
            })
            .collect::<Vec<_>>()
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
            <div class="search">
                <label for="suche">"Suchen nach Name"</label>
                <input
                    id="suche"
                    type="search"
                    autocomplete="off"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </div>
            {move || match list.state.get() {
                ListState::Loading => {
                    view! { <p class="message" role="status">"Berichte werden geladen …"</p> }
                        .into_any()
                }
                ListState::Failed(e) => {
                    view! {
                        <p class="message error" role="alert">
                            "Die Berichte konnten nicht gelesen werden: "
                            {e}
                        </p>
                    }
                        .into_any()
                }
                ListState::Ready => {
                    view! {
                        <Show
                            when=move || !visible().is_empty()
                            fallback=move || {
                                let text = if query.get().trim().is_empty() {
                                    "Auf diesem Gerät sind noch keine Berichte. Mit „Neuer Bericht“ beginnen."
                                } else {
                                    "Kein Bericht passt zu dieser Suche."
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
                                            view! { <CaseRow summary=summary on_delete=ask_delete /> }
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
            <ConfirmDialog
                message=confirm_message
                confirm_label="Löschen"
                on_confirm=Callback::new(move |()| on_confirm())
                on_cancel=Callback::new(move |()| on_cancel())
            />
        </div>
    }
}

//! On the case list: the reports deleted for everyone since the person last looked, each
//! with who deleted it and when, until "Ausblenden". A copy still stored here (the page
//! closed before it was removed) goes now.

use dreieck_texts::{fill, fill_with, Texts};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::app_context::use_app;
use crate::state::deleted_reports::{self, DeletedReport};
use crate::state::platform::format_timestamp;
use crate::state::session;
use crate::state::summary::display_title;

fn sentence(d: &DeletedReport, t: &'static Texts, plain: bool) -> String {
    let when = format_timestamp(d.time_ms as f64);
    let title = display_title(&d.title);
    let who = if plain { d.who_plain() } else { d.who() };
    let text = if d.at_retention_end {
        t.deleted_retention_list
    } else {
        t.deleted_by_list
    };
    fill_with(text, &[("title", &title), ("when", &when), ("who", &who)])
}

#[component]
pub fn DeletedNotices() -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(deleted_reports::list());
    // A report found deleted in the background (`state::deletion_check`) joins the list.
    Effect::new(move |_| {
        app.deletes.deleted.track();
        list.set(deleted_reports::list());
    });
    // A copy left behind by a page closed mid-way is removed now.
    if let Some(store) = app.store() {
        let ids: Vec<String> = list.get_untracked().into_iter().map(|d| d.id).collect();
        if !ids.is_empty() {
            spawn_local(async move {
                let stored = store.ids().await.unwrap_or_default();
                let mut removed = false;
                for id in ids.into_iter().filter(|id| stored.contains(id)) {
                    if store.delete(&id).await.is_ok() {
                        session::forget(&id);
                        removed = true;
                    }
                }
                if removed {
                    app.deletes.deleted.update(|n| *n += 1);
                }
            });
        }
    }
    move || {
        let plain = app.plain.get();
        let t = app.texts();
        let items = list.get();
        (!items.is_empty()).then(|| {
            view! {
                <section class="deleted-notices" aria-labelledby="geloescht-titel">
                    <h2 id="geloescht-titel">
                        {t.deleted_list_title}
                    </h2>
                    <ul>
                        {items
                            .into_iter()
                            .map(|d| {
                                let id = d.id.clone();
                                let label = fill(t.deleted_hide_label, &display_title(&d.title));
                                view! {
                                    <li class="deleted-notice">
                                        <p>{sentence(&d, t, plain)}</p>
                                        <button
                                            class="button"
                                            aria-label=label
                                            on:click=move |_| {
                                                if deleted_reports::dismiss(&id).is_ok() {
                                                    list.set(deleted_reports::list());
                                                }
                                            }
                                        >
                                            {t.deleted_hide}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

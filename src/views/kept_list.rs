//! "Nur beim Server": the reports this device took off itself after submission. Each can be
//! fetched back (the relay still holds it) or let go from this list.

use dreieck::storage::Summary;
use dreieck_model::Date;
use dreieck_texts::fill;
use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;
use crate::state::summary::display_title;
use crate::views::case_row::{retention_flag, Copies};

#[component]
pub fn KeptList(
    kept: RwSignal<Vec<Summary>>,
    /// The day retention periods are judged against.
    today: Option<Date>,
    /// Asks to let a report go from the list; the page confirms first.
    on_let_go: Callback<Summary>,
) -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || kept.with(|k| !k.is_empty())>
            <section class="kept" aria-labelledby="nur-beim-server">
                <h2 id="nur-beim-server" tabindex="-1">
                    {move || app.texts().kept_title.to_string()}
                </h2>
                <p class="hint">
                    {move || app.texts().kept_hint.to_string()}
                </p>
                <ul class="case-list" aria-label=move || app.texts().kept_label>
                    <For
                        each=move || kept.get()
                        key=|s| s.id.clone()
                        children=move |summary| {
                            let title = display_title(&summary.title);
                            let t = app.texts_now();
                            let back = fill(t.kept_fetch_label, &title);
                            let go = fill(t.kept_let_go_label, &title);
                            let retention = retention_flag(&summary, today, Copies::OnlyAtRelay, app.texts_now());
                            let href = Route::FetchBack(summary.id.clone()).href();
                            let form = summary.template_name.clone();
                            view! {
                                <li class="case kept-case">
                                    <div class="case-body">
                                        <span class="case-title">{title}</span>
                                        <span class="case-meta">{form}</span>
                                        <span class="case-state">
                                            <span class="status status-beim-server">{t.kept_status}</span>
                                            {retention}
                                        </span>
                                    </div>
                                    <a class="button" href=href aria-label=back>{t.kept_fetch}</a>
                                    <button
                                        class="button quiet danger-text"
                                        aria-label=go
                                        on:click=move |_| on_let_go.run(summary.clone())
                                    >
                                        {t.list_let_go_confirm}
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
            </section>
        </Show>
    }
}

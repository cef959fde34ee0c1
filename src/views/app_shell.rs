//! The frame around every view: skip link, header with navigation and role, main, toasts.

use leptos::prelude::*;

use crate::route::{use_route, Route};
use crate::state::app_context::use_app;
use crate::state::platform::focus_element;
use crate::views::case_list_page::CaseListPage;
use crate::views::editor_page::{EditorPage, Mode};
use crate::views::first_use::{self, FirstUse};
use crate::views::impact_page::ImpactPage;
use crate::views::join_page::{JoinPage, Source};
use crate::views::lock_page::LockPage;
use crate::views::missing_help_page::MissingHelpPage;
use crate::views::plain_language_switch::PlainLanguageSwitch;
use crate::views::role_select::RoleSelect;
use crate::views::template_editor_page::TemplateEditorPage;
use crate::views::templates_page::TemplatesPage;
use crate::views::undo_toasts::UndoToasts;

/// The id of the `<main>` element, target of the skip link.
const MAIN_ID: &str = "hauptinhalt";
/// Every page gives its `<h1>` this id (and `tabindex=-1`), so focus can move there after
/// navigating: a screen reader then announces the new page instead of staying silent.
pub const PAGE_TITLE_ID: &str = "seitentitel";

#[component]
pub fn AppShell() -> impl IntoView {
    let app = use_app();
    let route = use_route();
    // The first start asks for a PIN before any page (`first_use`).
    let asking_pin = RwSignal::new(first_use::wanted());

    // After a navigation (not on the first load) move focus to the new page's heading.
    Effect::new(move |previous: Option<Route>| {
        let current = route.get();
        if previous.is_some_and(|p| p != current) {
            request_animation_frame(|| {
                focus_element(PAGE_TITLE_ID);
            });
        }
        current
    });

    view! {
        // The skip link must not change the hash (that is the router), so it moves focus itself.
        <a
            class="skip-link"
            href=format!("#{MAIN_ID}")
            on:click=move |ev| {
                ev.prevent_default();
                focus_element(MAIN_ID);
            }
        >
            {move || app.texts().skip_to_content}
        </a>
        <header class="app-header">
            <div class="app-header-inner">
                <a class="brand" href=Route::CaseList.href()>
                    <span class="brand-mark" aria-hidden="true">"▲"</span>
                    {move || app.texts().app_name}
                </a>
                <nav class="app-nav" aria-label=move || app.texts().nav_label>
                    <a href=Route::CaseList.href()>{move || app.texts().nav_reports}</a>
                    <a href=Route::Templates.href()>{move || app.texts().nav_templates}</a>
                </nav>
                <LockButton />
                <PlainLanguageSwitch />
                <RoleSelect />
            </div>
        </header>
        <main id=MAIN_ID tabindex="-1">
            {move || if asking_pin.get() {
                view! { <FirstUse asking=asking_pin /> }.into_any()
            } else { match route.get() {
                Route::CaseList => view! { <CaseListPage /> }.into_any(),
                Route::Report(id) => view! { <EditorPage id=id mode=Mode::Edit /> }.into_any(),
                Route::Own(id) => view! { <EditorPage id=id mode=Mode::Own /> }.into_any(),
                Route::Conversation(id) => {
                    view! { <EditorPage id=id mode=Mode::Conversation /> }.into_any()
                }
                Route::Print(id) => view! { <EditorPage id=id mode=Mode::Print /> }.into_any(),
                Route::MissingHelp => view! { <MissingHelpPage /> }.into_any(),
                Route::Impact => view! { <ImpactPage /> }.into_any(),
                Route::Join(rest) => view! { <JoinPage source=Source::Link(rest) /> }.into_any(),
                Route::FetchBack(id) => view! { <JoinPage source=Source::Kept(id) /> }.into_any(),
                Route::Templates => view! { <TemplatesPage /> }.into_any(),
                Route::Lock => view! { <LockPage /> }.into_any(),
                Route::TemplateEditor { id, version } => {
                    view! { <TemplateEditorPage id=id version=version /> }.into_any()
                }
            }}}
        </main>
        <UndoToasts />
    }
}

/// "Sperren" in the header once the device has a PIN, and why it stayed open if it did.
#[component]
fn LockButton() -> impl IntoView {
    let app = use_app();
    let problem = expect_context::<crate::state::device_lock::LockProblem>();
    let has_pin = dreieck::storage::vault::has_pin;
    view! {
        <Show when=move || { use_route().get(); has_pin() }>
            <button
                type="button"
                id="sperren"
                class="button lock-button"
                on:click=move |_| crate::state::device_lock::lock_now(problem, true)
            >
                <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                    <rect x="5" y="11" width="14" height="9" rx="1" />
                    <path d="M8 11V8a4 4 0 0 1 8 0v3" />
                </svg>
                {move || app.texts().lock_now}
            </button>
        </Show>
        <Show when=move || problem.with(Option::is_some)>
            <p class="message error lock-problem" role="alert">{move || problem.get()}</p>
        </Show>
    }
}

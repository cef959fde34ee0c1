//! The way back to the case list, above every page that is not the list.

use leptos::prelude::*;

use crate::route::Route;
use crate::state::app_context::use_app;

#[component]
pub fn BackToList() -> impl IntoView {
    let app = use_app();
    view! {
        <nav class="breadcrumb" aria-label=move || app.texts().back_label>
            <a href=Route::CaseList.href()>
                <span aria-hidden="true">"←\u{a0}"</span>
                {move || app.texts().back_to_list}
            </a>
        </nav>
    }
}

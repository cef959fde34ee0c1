//! The way back to the case list, above every page that is not the list.

use leptos::prelude::*;

use crate::route::Route;

#[component]
pub fn BackToList() -> impl IntoView {
    view! {
        <nav class="breadcrumb" aria-label="Zurück">
            <a href=Route::CaseList.href()>
                <span aria-hidden="true">"←\u{a0}"</span>
                "Alle Berichte"
            </a>
        </nav>
    }
}

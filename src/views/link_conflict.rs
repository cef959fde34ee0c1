//! An invitation link for a report this device already has, naming another room and key than
//! the device uses (or any, while it does not share the report): what using the link would do,
//! and the choice. Opening the report without the link is the default and has the focus.

use dreieck_texts::Texts;
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::platform::focus_element;
use crate::sync::invitation::Fit;

const TITLE_ID: &str = "link-konflikt-titel";
const TEXT_ID: &str = "link-konflikt-text";
const KEEP_ID: &str = "link-nicht-verwenden";

/// The heading, the explanation (a sentence a line) and the label of the button that uses the
/// link.
fn wording(fit: Fit, t: &'static Texts) -> (&'static str, &'static str, &'static str) {
    match fit {
        Fit::NotShared => (t.link_here_title, t.link_here_text, t.link_here_use),
        // `Same` never asks; should it get here, the stronger warning is the safe one.
        Fit::Different | Fit::Same => (
            t.link_elsewhere_title,
            t.link_elsewhere_text,
            t.link_elsewhere_use,
        ),
    }
}

#[component]
pub fn LinkConflict(
    fit: Fit,
    /// Which report, as the case list names it ("" while unknown).
    #[prop(into)]
    report: String,
    /// Opens the report with the room and key it has (or unshared), ignoring the link.
    on_keep: Callback<()>,
    /// Uses the link's room and key for the report.
    on_use: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let (title, lines, use_label) = wording(fit, app.texts_now());
    // The harmless choice has the focus, so Enter or a screen reader starts there; the button
    // is described by the explanation.
    request_animation_frame(|| {
        focus_element(KEEP_ID);
    });
    view! {
        <section class="link-conflict" aria-labelledby=TITLE_ID>
            <h2 id=TITLE_ID>{title}</h2>
            {(!report.is_empty()).then(|| view! { <p class="link-conflict-report">{report}</p> })}
            <div id=TEXT_ID class="link-conflict-text">
                {lines.lines().map(|line| view! { <p>{line}</p> }).collect_view()}
            </div>
            <div class="link-conflict-choices">
                <button
                    id=KEEP_ID
                    type="button"
                    class="button primary"
                    aria-describedby=TEXT_ID
                    on:click=move |_| on_keep.run(())
                >
                    {app.texts_now().link_keep}
                </button>
                <button type="button" class="button danger-text" on:click=move |_| on_use.run(())>
                    {use_label}
                </button>
            </div>
        </section>
    }
}

//! An invitation link for a report this device already has, naming another room and key than
//! the device uses (or any, while it does not share the report): what using the link would do,
//! and the choice. Opening the report without the link is the default and has the focus.

use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::platform::focus_element;
use crate::sync::invitation::Fit;

const TITLE_ID: &str = "link-konflikt-titel";
const TEXT_ID: &str = "link-konflikt-text";
const KEEP_ID: &str = "link-nicht-verwenden";

/// The heading, the explanation (a sentence a line) and the label of the button that uses the
/// link; in Leichte Sprache with `plain`.
fn wording(fit: Fit, plain: bool) -> (&'static str, &'static [&'static str], &'static str) {
    match (fit, plain) {
        (Fit::NotShared, true) => (
            "Diesen Bericht gibt es hier schon",
            &[
                "Diesen Bericht gibt es schon auf diesem Gerät.",
                "Mit dem Link geht der ganze Bericht an einen anderen Ort.",
                "Haben Sie den Link von einer Person, der Sie vertrauen? Nur dann ist das richtig.",
                "Sind Sie unsicher? Dann öffnen Sie den Bericht ohne den Link.",
            ],
            "Link verwenden",
        ),
        (Fit::Different | Fit::Same, true) => (
            "Dieser Link führt an einen anderen Ort",
            &[
                "Diesen Bericht gibt es schon auf diesem Gerät.",
                "Sie teilen ihn schon mit anderen.",
                "Mit dem Link geht der ganze Bericht an einen anderen Ort.",
                "Haben Sie den Link von einer Person, der Sie vertrauen? Nur dann ist das richtig.",
                "Sind Sie unsicher? Dann öffnen Sie den Bericht ohne den Link.",
            ],
            "Anderen Ort verwenden",
        ),
        (Fit::NotShared, false) => (
            "Diesen Bericht gibt es hier schon",
            &[
                "Diesen Bericht gibt es auf diesem Gerät schon. Er wird von hier aus noch nicht geteilt.",
                "Wenn Sie diesen Link verwenden, wird der Bericht mit allen Einträgen über den Link geteilt.",
                "Das ist nur richtig, wenn Sie den Link von einer Person bekommen haben, der Sie vertrauen.",
                "Wenn Sie unsicher sind: Öffnen Sie den Bericht ohne den Link.",
            ],
            "Link verwenden",
        ),
        // `Same` never asks; should it get here, the stronger warning is the safe one.
        (Fit::Different | Fit::Same, false) => (
            "Dieser Link führt an einen anderen Ort",
            &[
                "Diesen Bericht gibt es auf diesem Gerät schon, und er wird schon über einen anderen Zugang geteilt.",
                "Wenn Sie diesen Link verwenden, wird der Bericht mit allen Einträgen an einen anderen Ort übertragen.",
                "Das ist nur richtig, wenn Sie den Link von einer Person bekommen haben, der Sie vertrauen, und der alte Zugang nicht mehr gilt.",
                "Wenn Sie unsicher sind: Öffnen Sie den Bericht ohne den Link.",
            ],
            "Neuen Zugang verwenden",
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
    let plain = use_app().plain.get_untracked();
    let (title, lines, use_label) = wording(fit, plain);
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
                {lines.iter().map(|line| view! { <p>{*line}</p> }).collect_view()}
            </div>
            <div class="link-conflict-choices">
                <button
                    id=KEEP_ID
                    type="button"
                    class="button primary"
                    aria-describedby=TEXT_ID
                    on:click=move |_| on_keep.run(())
                >
                    "Bericht öffnen, Link nicht verwenden"
                </button>
                <button type="button" class="button danger-text" on:click=move |_| on_use.run(())>
                    {use_label}
                </button>
            </div>
        </section>
    }
}

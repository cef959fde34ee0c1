//! In the person's own view: what others wrote about the person, field by field, under the
//! section it belongs to, each with who wrote it. Only to read; the person's answer goes into
//! their own words or the conversation.

use dreieck_model::{Role, Written};
use dreieck_texts::{fill, plain::PLAIN, Texts};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::views::read_aloud_button::ReadAloudButton;

pub const WRITTEN_HEADING: &str = "andere-geschrieben";

#[component]
pub fn WrittenByOthers(written: Memo<Vec<Written>>) -> impl IntoView {
    let app = use_app();
    let spoken = Callback::new(move |()| written.with_untracked(|w| written_sentences(w)));
    let entries = move || {
        let plain = app.plain.get();
        written.with(|all| {
            if all.is_empty() {
                return view! { <p>{app.texts().person_nothing_written}</p> }.into_any();
            }
            let mut section = None;
            all.iter()
                .map(|w| {
                    let title = if plain {
                        &w.section.plain
                    } else {
                        &w.section.standard
                    };
                    let heading = (section.as_ref() != Some(title)).then(|| {
                        section = Some(title.clone());
                        view! { <h3 class="written-section">{title.clone()}</h3> }
                    });
                    let (about, value) = if plain {
                        (w.about.plain.clone(), w.value.plain.clone())
                    } else {
                        (w.about.standard.clone(), w.value.standard.clone())
                    };
                    view! {
                        {heading}
                        <div class="written">
                            <p class="written-about"><strong>{about}</strong></p>
                            <p class="written-by">{by(w.writer, app.texts(), plain)}</p>
                            <blockquote>{value}</blockquote>
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section class="form-section written-by-others" aria-labelledby=WRITTEN_HEADING>
            <div class="section-head">
                <h2 id=WRITTEN_HEADING>
                    {move || app.texts().person_written_by_others}
                </h2>
                <ReadAloudButton
                    block=WRITTEN_HEADING
                    what=PLAIN.person_written_by_others
                    sentences=spoken
                    always=true
                />
            </div>
            {entries}
        </section>
    }
}

/// Who wrote it: "Der Dienst hat das geschrieben:" / "geschrieben von: Einrichtung/Dienst".
fn by(writer: Role, t: &Texts, plain: bool) -> String {
    let name = if plain {
        writer.plain_label()
    } else {
        writer.label()
    };
    fill(t.person_written_by, name)
}

/// What "Vorlesen" reads: each entry as shown in Leichte Sprache.
pub fn written_sentences(all: &[Written]) -> Vec<String> {
    let mut out = vec![format!("{}.", PLAIN.person_written_by_others)];
    if all.is_empty() {
        out.push(PLAIN.person_nothing_written.to_string());
    }
    for w in all {
        out.extend(
            dreieck_model::sentences(&w.about.plain)
                .into_iter()
                .map(String::from),
        );
        out.push(by(w.writer, &PLAIN, true));
        out.extend(
            dreieck_model::sentences(&w.value.plain)
                .into_iter()
                .map(String::from),
        );
    }
    out
}

//! A text in standard German or, in Leichte Sprache, in its plain version one sentence per
//! line, with the sentence being read aloud highlighted.

use dreieck_model::sentences;
use leptos::prelude::*;

use crate::state::app_context::use_app;

/// The number of sentences read-aloud counts for `text` (see [`PlainText`]'s `first`).
pub fn sentence_count(text: &str) -> usize {
    sentences(text).len()
}

/// `plain` split into sentences, each a span that is highlighted while read-aloud reads
/// sentence `first + i` of `block`.
#[component]
pub fn PlainText(
    #[prop(into)] block: String,
    first: usize,
    #[prop(into)] text: String,
) -> impl IntoView {
    let reader = use_app().reader;
    let block = StoredValue::new(block);
    sentences(&text)
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let index = first + i;
            let reading = move || block.with_value(|b| reader.sentence(b) == Some(index));
            view! { <span class="sentence" class:reading=reading>{s.to_string()}</span> " " }
        })
        .collect_view()
}

/// `standard`, or `plain` as [`PlainText`] while Leichte Sprache is on.
#[component]
pub fn Words(
    #[prop(into)] standard: String,
    #[prop(into)] plain: String,
    /// The read-aloud block these words belong to, and the number of their first sentence.
    #[prop(into)]
    block: String,
    #[prop(optional)] first: usize,
) -> impl IntoView {
    let app = use_app();
    move || {
        if app.plain.get() {
            view! { <PlainText block=block.clone() first=first text=plain.clone() /> }.into_any()
        } else {
            standard.clone().into_any()
        }
    }
}

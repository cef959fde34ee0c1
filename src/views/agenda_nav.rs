//! The conversation's agenda: every step as a list (the current one marked), and "Zurück" /
//! "Weiter". Moving writes the step into the report, so every device follows.

use dreieck_model::AgendaStep;
use leptos::prelude::*;

use crate::state::app_context::use_app;

#[component]
pub fn AgendaNav(
    /// The agenda and the index of the current step.
    state: Memo<(Vec<AgendaStep>, usize)>,
    go_to: Callback<String>,
    /// The second navigation below the step: buttons only.
    #[prop(optional)]
    bottom: bool,
) -> impl IntoView {
    let app = use_app();
    let key_at = move |delta: isize| {
        state.with(|(agenda, i)| {
            i.checked_add_signed(delta)
                .and_then(|j| agenda.get(j))
                .map(|s| s.key.clone())
        })
    };
    let title = move |s: &AgendaStep| app.words(&s.title, &s.plain_title).to_string();
    let position = move || {
        state.with(|(agenda, i)| {
            agenda
                .get(*i)
                .map(|s| format!("Schritt {} von {}: {}", i + 1, agenda.len(), title(s)))
        })
    };
    let list = (!bottom).then(|| {
        view! {
            <ol class="agenda-list">
                {move || {
                    state.with(|(agenda, current)| {
                        agenda
                            .iter()
                            .enumerate()
                            .map(|(i, s)| {
                                let key = s.key.clone();
                                let here = i == *current;
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="button agenda-step"
                                            aria-current=here.then_some("step")
                                            on:click=move |_| go_to.run(key.clone())
                                        >
                                            {title(s)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    })
                }}
            </ol>
        }
    });
    let heading = (!bottom).then(|| {
        view! { <h2 class="step-title" id="gespraech-schritt">{position}</h2> }
    });
    view! {
        <nav class="agenda" aria-label=if bottom { "Gespräch: Schritte (unten)" } else { "Gespräch: Schritte" }>
            {list}
            <div class="agenda-buttons">
                <button
                    type="button"
                    class="button"
                    disabled=move || key_at(-1).is_none()
                    on:click=move |_| {
                        if let Some(k) = key_at(-1) {
                            go_to.run(k)
                        }
                    }
                >
                    "Zurück"
                </button>
                <button
                    type="button"
                    class="button primary"
                    disabled=move || key_at(1).is_none()
                    on:click=move |_| {
                        if let Some(k) = key_at(1) {
                            go_to.run(k)
                        }
                    }
                >
                    "Weiter"
                </button>
            </div>
        </nav>
        {heading}
    }
}

//! The section pictograms of Leichte Sprache, drawn as simple line pictures in one style.
//! Decorative: the heading beside them says the same in words.

use dreieck_model::Pictogram;
use leptos::prelude::*;

/// Path data (and circles as `c cx cy r`) for each pictogram on a 40 × 40 grid.
fn shapes(p: Pictogram) -> &'static [&'static str] {
    match p {
        Pictogram::Person => &["c 20 12 6", "M8 35c0-9 5-13 12-13s12 4 12 13"],
        Pictogram::People => &[
            "c 14 13 5",
            "c 28 15 4",
            "M4 34c0-7 4-11 10-11s10 4 10 11",
            "M24 24c1-1 2.5-1.5 4-1.5 5 0 8 3.5 8 9.5",
        ],
        Pictogram::House => &["M5 20 20 7l15 13", "M10 16v18h20V16", "M17 34v-9h6v9"],
        Pictogram::Document => &["M11 5h13l6 6v24H11z", "M24 5v6h6", "M15 18h11M15 23h11M15 28h7"],
        Pictogram::Growth => &[
            "M20 35V17",
            "M20 25c-6 0-10-4-10-10 6 0 10 4 10 10z",
            "M20 19c0-7 4-11 11-11 0 7-4 11-11 11z",
            "M10 35h20",
        ],
        Pictogram::Heart => &[
            "M20 33C8 24 5 18 5 13.5 5 9 8.5 6 12.5 6c3.5 0 6 2 7.5 5 1.5-3 4-5 7.5-5C31.5 6 35 9 35 13.5 35 18 32 24 20 33z",
        ],
        Pictogram::Speech => &["M6 8h28v18H17l-7 7v-7H6z", "M12 14h16M12 20h10"],
        Pictogram::Target => &["c 20 20 15", "c 20 20 9.5", "c 20 20 4"],
        Pictogram::Pen => &["M9 31l2-7L27 8l5 5-16 16z", "M24 11l5 5", "M6 36h28"],
        Pictogram::Place => &[
            "M20 36S9 24 9 16a11 11 0 0 1 22 0c0 8-11 20-11 20z",
            "c 20 16 4",
        ],
        Pictogram::Hand => &[
            "M12 35l-4-12c-1-3 3-4 4-1l2 4V9c0-2.5 3.5-2.5 3.5 0v11V7c0-2.5 3.5-2.5 3.5 0v13V9c0-2.5 3.5-2.5 3.5 0v12-8c0-2.5 3.5-2.5 3.5 0v12c0 6-2 10-5 13z",
        ],
        Pictogram::Star => &["M20 5l4.4 9.6 10.6 1-8 7.1 2.4 10.3L20 27.6 10.6 33l2.4-10.3-8-7.1 10.6-1z"],
        Pictogram::Question => &[
            "c 20 20 15",
            "M15 16c0-3.5 2.5-6 5.5-6s5.5 2.2 5.5 5c0 4.5-5.5 4.5-5.5 9v1",
            "c 20.5 30 1",
        ],
    }
}

#[component]
pub fn PictogramView(pictogram: Pictogram) -> impl IntoView {
    let parts = shapes(pictogram)
        .iter()
        .map(|s| match s.strip_prefix("c ") {
            Some(circle) => {
                let mut n = circle.split(' ');
                let (cx, cy, r) = (n.next(), n.next(), n.next());
                view! { <circle cx=cx r=r cy=cy /> }.into_any()
            }
            None => view! { <path d=*s /> }.into_any(),
        })
        .collect_view();
    view! {
        <svg class="pictogram" viewBox="0 0 40 40" width="48" height="48" aria-hidden="true" focusable="false">
            {parts}
        </svg>
    }
}

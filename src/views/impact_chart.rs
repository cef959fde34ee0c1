//! Goal achievement of each group as stacked bars: the provider's Zielerreichung and, under it,
//! the person's own rating, each as shares of 1–5. An SVG, so it prints sharp; one image for
//! screen readers, named by its caption, with the numbers in the table beside it.

use dreieck_model::Group;
use leptos::prelude::*;

/// Colours of the codes 1–5 (Verschlechterung … völlig erreicht), each at least 3:1 against
/// white (WCAG 1.4.11); white gaps keep neighbours apart.
pub const CODE_COLOURS: [&str; 5] = ["#a4161a", "#c2410c", "#8a5a00", "#2f6f9f", "#1e6b34"];

const WIDTH: f64 = 640.0;
const LABEL: f64 = 190.0;
const BAR: f64 = 16.0;
const ROW: f64 = 50.0;

#[component]
pub fn ImpactChart(groups: Vec<Group>, caption_id: String) -> impl IntoView {
    let height = ROW * groups.len() as f64 + 10.0;
    let rows = groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let top = 8.0 + ROW * i as f64;
            view! {
                <text x="0" y=top + 12.0 class="chart-label">{shorten(&g.label)}</text>
                <text x=LABEL - 8.0 y=top + 12.0 text-anchor="end" class="chart-kind">"Einrichtung"</text>
                {bar(&g.achievement, g.unrated, top)}
                <text x=LABEL - 8.0 y=top + BAR + 16.0 text-anchor="end" class="chart-kind">"Person"</text>
                {bar(&g.self_rating, g.goals - g.self_rating.iter().sum::<usize>(), top + BAR + 4.0)}
            }
        })
        .collect_view();
    view! {
        <svg
            class="impact-chart"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby=caption_id
        >
            {rows}
        </svg>
    }
}

/// One stacked bar of the counts per code, as shares of the bar's width; the goals without a
/// rating close it as an empty, dashed share, so that a few ratings do not look like all.
fn bar(counts: &[usize; 5], unrated: usize, top: f64) -> impl IntoView {
    let rated: usize = counts.iter().sum();
    let total = rated + unrated;
    let span = WIDTH - LABEL;
    let mut x = LABEL;
    let mut parts = Vec::new();
    if unrated > 0 {
        let w = span * (unrated as f64) / (total as f64);
        parts.push(
            view! {
                <rect
                    x=LABEL + span - w
                    y=top
                    width=w
                    height=BAR
                    fill="none"
                    stroke="#6b7280"
                    stroke-dasharray="4 3"
                ></rect>
            }
            .into_any(),
        );
    }
    for (i, n) in counts.iter().enumerate() {
        if *n == 0 || total == 0 {
            continue;
        }
        let w = span * (*n as f64) / (total as f64);
        parts.push(
            view! {
                <rect x=x y=top width=w height=BAR fill=CODE_COLOURS[i] stroke="#ffffff" stroke-width="1"></rect>
            }
            .into_any(),
        );
        x += w;
    }
    parts.collect_view()
}

/// Long provider names end in "…" in the chart (the table has them whole).
fn shorten(label: &str) -> String {
    const MAX: usize = 24;
    if label.chars().count() <= MAX {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}

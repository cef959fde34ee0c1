//! A face for a level of a scale, drawn as a small SVG: the corners of the mouth go from a
//! frown (first level) through a straight line to a wide smile (last level). Decorative: the
//! text beside it carries the meaning.

use leptos::prelude::*;

#[component]
pub fn Face(
    /// 0-based level.
    level: usize,
    /// Number of levels on the scale.
    levels: usize,
) -> impl IntoView {
    // -1.0 (saddest) ..= 1.0 (happiest).
    let mood = if levels > 1 {
        2.0 * level as f64 / (levels - 1) as f64 - 1.0
    } else {
        0.0
    };
    let curve = 27.0 + 8.0 * mood;
    let mouth = format!("M12 27 Q20 {curve:.1} 28 27");
    view! {
        <svg class="face" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">
            <circle cx="20" cy="20" r="18" />
            <circle class="eye" cx="14" cy="16" r="2.2" />
            <circle class="eye" cx="26" cy="16" r="2.2" />
            <path d=mouth />
        </svg>
    }
}

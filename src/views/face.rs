//! A face for a level of a scale, drawn as a small SVG. Decorative: the text beside it carries
//! the meaning. Neighbouring levels must still look different at a glance on a tablet, not
//! only by a hair of the mouth's curve: the mouth goes from a frown to a smile with its
//! corners moving too, the lowest level frowns with worried brows, and the highest laughs with an
//! open mouth and smiling eyes.

use leptos::prelude::*;

/// What is drawn for one level: the mouth's path, whether it is open (filled), the brows' path
/// and whether the eyes smile.
#[derive(Debug, Clone, PartialEq)]
struct Features {
    mouth: String,
    open: bool,
    brows: Option<&'static str>,
    smiling_eyes: bool,
}

/// -1.0 (saddest) ..= 1.0 (happiest) for `level` of `levels`.
fn mood(level: usize, levels: usize) -> f64 {
    if levels > 1 {
        2.0 * level.min(levels - 1) as f64 / (levels - 1) as f64 - 1.0
    } else {
        0.0
    }
}

fn features(mood: f64) -> Features {
    let happiest = mood > 0.99;
    let saddest = mood < -0.99;
    // The corners rise as the middle falls: a smile; the other way round: a frown.
    let corner = 27.0 - 3.0 * mood;
    let middle = 27.0 + 9.0 * mood;
    let mouth = if happiest {
        format!("M11 {corner:.1} Q20 39 29 {corner:.1} Z")
    } else {
        format!("M12 {corner:.1} Q20 {middle:.1} 28 {corner:.1}")
    };
    Features {
        mouth,
        open: happiest,
        brows: saddest.then_some("M9 12 L16 9 M31 12 L24 9"),
        smiling_eyes: happiest,
    }
}

#[component]
pub fn Face(
    /// 0-based level.
    level: usize,
    /// Number of levels on the scale.
    levels: usize,
) -> impl IntoView {
    let f = features(mood(level, levels));
    let eyes = if f.smiling_eyes {
        view! { <path class="eyes-smiling" d="M11 17 Q14 13 17 17 M23 17 Q26 13 29 17" /> }
            .into_any()
    } else {
        view! {
            <circle class="eye" cx="14" cy="16" r="2.2" />
            <circle class="eye" cx="26" cy="16" r="2.2" />
        }
        .into_any()
    };
    view! {
        <svg class="face" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">
            <circle cx="20" cy="20" r="18" />
            {eyes}
            {f.brows.map(|d| view! { <path d=d /> })}
            <path class:mouth-open=f.open d=f.mouth />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_level_of_a_five_level_scale_draws_a_face_of_its_own() {
        let faces: Vec<Features> = (0..5).map(|l| features(mood(l, 5))).collect();
        for (i, a) in faces.iter().enumerate() {
            for b in &faces[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // The two top levels, which looked alike: a smile and an open laugh with smiling eyes.
        assert!(!faces[3].open && faces[4].open && faces[4].smiling_eyes);
        assert!(faces[0].brows.is_some() && faces[1].brows.is_none());
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn neighbours_differ_by_more_than_a_hair() {
        // The mouth's middle moves at least 4 of 40 units from one level to the next.
        let middle = |m: f64| 27.0 + 9.0 * m;
        for l in 0..4 {
            let step = middle(mood(l + 1, 5)) - middle(mood(l, 5));
            assert!(step >= 4.0, "level {l}: {step}");
        }
    }
}

//! A QR code for a link, as inline SVG (scanned by the camera of the device that joins).

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG markup of a QR code for `text`, or `None` when it does not fit a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(220, 220)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

#[component]
pub fn QrCode(text: String, label: String) -> impl IntoView {
    match qr_svg(&text) {
        // The markup is generated here from a link, not taken from anywhere else.
        Some(svg) => {
            view! { <div class="qr-code" role="img" aria-label=label inner_html=svg></div> }
                .into_any()
        }
        None => {
            view! { <p class="message">"Für diesen Link lässt sich kein QR-Code erzeugen."</p> }
                .into_any()
        }
    }
}

//! How much of the device's storage the app uses: a full disk is the one thing that can stop
//! saving, so people should see it coming.

use dreieck_texts::fill_with;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Bytes in German notation with one decimal: "1,2 MB", "3,4 GB".
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["Byte", "KB", "MB", "GB", "TB"];
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit]).replace('.', ",")
    }
}

#[component]
pub fn StorageUsage() -> impl IntoView {
    let app = crate::state::app_context::use_app();
    let usage = RwSignal::new(None::<(f64, f64)>);
    spawn_local(async move {
        let estimate = dreieck::storage::estimate().await;
        let _ = usage.try_set(estimate);
    });
    move || {
        usage.get().map(|(used, quota)| {
            // Above 80 % a write may soon be refused: say so before it happens.
            let nearly_full = quota > 0.0 && used / quota > 0.8;
            view! {
                <p class="storage-usage" class:error=nearly_full>
                    {fill_with(
                        app.texts().storage_used,
                        &[("used", &format_bytes(used)), ("total", &format_bytes(quota))],
                    )}
                    {nearly_full.then(|| format!(" {}", app.texts().storage_nearly_full))}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn bytes_in_german() {
        assert_eq!(format_bytes(512.0), "512 Byte");
        assert_eq!(format_bytes(1_234_567.0), "1,2 MB");
        assert_eq!(format_bytes(3_400_000_000.0), "3,4 GB");
    }
}

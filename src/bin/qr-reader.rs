//! The QR reader: a Web Worker the page starts only when the camera must read a code and the
//! browser has no `BarcodeDetector` of its own (src/sync/qr_scan.rs). It lives apart from the
//! app's own wasm so that `rqrr` is neither downloaded into nor compiled with the page at every
//! start: a few people ever connect two devices without a server, everybody opens the app.
//!
//! Messages in: `{ width, height, pixels }`, `pixels` an RGBA `Uint8ClampedArray` of the
//! camera's frame (transferred, not copied). Messages out: `"ready"` once, then for each frame
//! `{ text }` with the first code's text, or `{ text: null }`. Frames are read and dropped.

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}

// The reading itself is for the browser (and its tests); a native build has only the stub
// `main` above.
/// Frames larger than this are not read (a camera frame is at most 4K; more is not a frame).
#[cfg(any(target_arch = "wasm32", test))]
const MAX_PIXELS: usize = 4096 * 4096;

/// The first QR code in an RGBA picture of `w` × `h` pixels, as text.
#[cfg(any(target_arch = "wasm32", test))]
fn decode_rgba(rgba: &[u8], w: usize, h: usize) -> Option<String> {
    let pixels = w.checked_mul(h).filter(|&n| n > 0 && n <= MAX_PIXELS)?;
    if rgba.len() < pixels * 4 {
        return None;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let i = (y * w + x) * 4;
        // Luma from RGB (BT.601), enough to tell dark modules from light.
        ((u32::from(rgba[i]) * 299 + u32::from(rgba[i + 1]) * 587 + u32::from(rgba[i + 2]) * 114)
            / 1000) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

#[cfg(target_arch = "wasm32")]
mod worker {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    pub fn start() {
        let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
            return;
        };
        let reply = scope.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let text = read(&event.data());
            let answer = js_sys::Object::new();
            let text = text.map_or(JsValue::NULL, |t| JsValue::from_str(&t));
            let _ = js_sys::Reflect::set(&answer, &JsValue::from_str("text"), &text);
            let _ = reply.post_message(&answer);
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        // Messages sent before this point found no listener: the page waits for this.
        let _ = scope.post_message(&JsValue::from_str("ready"));
    }

    /// One frame from the page; anything else is no code.
    fn read(data: &JsValue) -> Option<String> {
        let number = |key: &str| {
            js_sys::Reflect::get(data, &JsValue::from_str(key))
                .ok()?
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= 16_384.0)
                .map(|n| n as usize)
        };
        let (w, h) = (number("width")?, number("height")?);
        let pixels: js_sys::Uint8ClampedArray =
            js_sys::Reflect::get(data, &JsValue::from_str("pixels"))
                .ok()?
                .dyn_into()
                .ok()?;
        if pixels.length() as usize != w.checked_mul(h)?.checked_mul(4)? {
            return None;
        }
        super::decode_rgba(&pixels.to_vec(), w, h)
    }
}

#[cfg(test)]
mod tests {
    use super::decode_rgba;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// `text` as a QR code in an RGBA picture: 4 pixels a module, a quiet zone of 4 modules.
    fn picture(text: &str) -> (Vec<u8>, usize) {
        let code = qrcode::QrCode::new(text.as_bytes()).expect("fits a QR code");
        let modules = code.width();
        let colors = code.to_colors();
        let side = (modules + 8) * 4;
        let mut rgba = vec![255u8; side * side * 4];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / 4).wrapping_sub(4), (y / 4).wrapping_sub(4));
                if mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark
                {
                    rgba[(y * side + x) * 4..][..3].fill(0);
                }
            }
        }
        (rgba, side)
    }

    #[wasm_bindgen_test]
    fn a_code_on_the_screen_is_read_back() {
        let text = "DK1:8M.G3K1Q6:OPQ2+Z0F1L$9JF5 %E";
        let (rgba, side) = picture(text);
        assert_eq!(decode_rgba(&rgba, side, side).as_deref(), Some(text));
    }

    #[wasm_bindgen_test]
    fn frames_that_are_not_pictures_hold_no_code() {
        assert_eq!(decode_rgba(&[], 0, 0), None);
        assert_eq!(decode_rgba(&[0; 16], 2, 2), None);
        // Claims more pixels than it carries, or more than a camera makes.
        assert_eq!(decode_rgba(&[0; 16], 100, 100), None);
        assert_eq!(decode_rgba(&[0; 16], usize::MAX, 2), None);
        // A real code, cut short.
        let (rgba, side) = picture("DK1:abc");
        assert_eq!(decode_rgba(&rgba[..rgba.len() / 2], side, side), None);
    }
}

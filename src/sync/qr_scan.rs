//! Reading a QR code with the device's camera.
//!
//! The camera's picture is shown in a `<video>`; a few times a second its current frame is
//! read. Where the browser has a `BarcodeDetector` that knows QR codes (Android, macOS,
//! ChromeOS), it reads the frame; elsewhere `rqrr` (pure Rust) reads the frame's grey values.
//! The picture never leaves the device and is not kept: each frame is dropped once read.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, MediaStream,
    MediaStreamConstraints,
};

/// How often a frame is read.
const EVERY_MS: u64 = 250;

/// A running camera; stops when dropped.
pub struct Scanner {
    stream: MediaStream,
    interval: Option<IntervalHandle>,
}

impl Drop for Scanner {
    fn drop(&mut self) {
        if let Some(i) = self.interval.take() {
            i.clear();
        }
        for track in self.stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
    }
}

/// Why the camera could not be used, in German.
fn camera_error(e: &JsValue) -> String {
    let name = js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => {
            "Die Kamera ist nicht freigegeben. Bitte erlauben Sie der App die Kamera.".into()
        }
        "NotFoundError" | "OverconstrainedError" => "Dieses Gerät hat keine Kamera.".into(),
        "NotReadableError" => "Die Kamera wird gerade von einer anderen App benutzt.".into(),
        _ => "Die Kamera lässt sich nicht einschalten.".into(),
    }
}

/// Starts the camera into `video` and calls `found` with the text of each QR code read
/// (the caller decides when it has what it needs and drops the scanner).
pub async fn start(
    video: HtmlVideoElement,
    found: impl Fn(String) + 'static,
) -> Result<Scanner, String> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or("Dieser Browser kann die Kamera nicht benutzen.")?;
    let constraints = MediaStreamConstraints::new();
    let video_constraints = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &video_constraints,
        &JsValue::from_str("facingMode"),
        &JsValue::from_str("environment"),
    );
    constraints.set_video(&video_constraints);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| camera_error(&e))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| camera_error(&e))?
        .dyn_into()
        .map_err(|_| "Die Kamera lässt sich nicht einschalten.".to_string())?;
    video.set_src_object(Some(&stream));
    video.set_muted(true);
    let _ = video.play();
    let detector = barcode_detector();
    let busy = Rc::new(RefCell::new(false));
    let found = Rc::new(found);
    let interval = set_interval_with_handle(
        {
            let video = video.clone();
            move || {
                if *busy.borrow() || video.video_width() == 0 {
                    return;
                }
                match &detector {
                    Some(detector) => {
                        *busy.borrow_mut() = true;
                        let (detector, video, busy, found) =
                            (detector.clone(), video.clone(), busy.clone(), found.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            if let Some(text) = detect(&detector, &video).await {
                                found(text);
                            }
                            *busy.borrow_mut() = false;
                        });
                    }
                    None => {
                        if let Some(text) = read_frame(&video) {
                            found(text);
                        }
                    }
                }
            }
        },
        Duration::from_millis(EVERY_MS),
    )
    .ok();
    Ok(Scanner { stream, interval })
}

/// The browser's own QR reader, if it has one.
fn barcode_detector() -> Option<JsValue> {
    let window = web_sys::window()?;
    let class = js_sys::Reflect::get(&window, &JsValue::from_str("BarcodeDetector")).ok()?;
    let class: js_sys::Function = class.dyn_into().ok()?;
    let options = js_sys::Object::new();
    let formats = js_sys::Array::of1(&JsValue::from_str("qr_code"));
    js_sys::Reflect::set(&options, &JsValue::from_str("formats"), &formats).ok()?;
    js_sys::Reflect::construct(&class, &js_sys::Array::of1(&options)).ok()
}

async fn detect(detector: &JsValue, video: &HtmlVideoElement) -> Option<String> {
    let detect = js_sys::Reflect::get(detector, &JsValue::from_str("detect")).ok()?;
    let detect: js_sys::Function = detect.dyn_into().ok()?;
    let promise: js_sys::Promise = detect.call1(detector, video).ok()?.dyn_into().ok()?;
    let codes: js_sys::Array = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let first = codes.get(0);
    js_sys::Reflect::get(&first, &JsValue::from_str("rawValue"))
        .ok()?
        .as_string()
}

/// Reads the video's current frame with `rqrr`.
fn read_frame(video: &HtmlVideoElement) -> Option<String> {
    let (w, h) = (video.video_width(), video.video_height());
    let document = web_sys::window()?.document()?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(w);
    canvas.set_height(h);
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context
        .draw_image_with_html_video_element(video, 0.0, 0.0)
        .ok()?;
    let data = context
        .get_image_data(0.0, 0.0, f64::from(w), f64::from(h))
        .ok()?
        .data();
    decode_rgba(&data, w as usize, h as usize)
}

/// The first QR code in an RGBA picture of `w` × `h` pixels, as text.
pub fn decode_rgba(rgba: &[u8], w: usize, h: usize) -> Option<String> {
    if w == 0 || h == 0 || rgba.len() < w * h * 4 {
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

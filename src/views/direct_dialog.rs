//! "Ohne Internet verbinden": two devices in one room with no server (a home visit, a tablet's
//! hotspot) find their direct channel by showing and scanning QR codes in turn. One shows its
//! offer, the other scans it and shows its answer, the first scans that. The codes are sealed
//! under the report's key (`dreieck_sync::direct::Card`): a code of another report does not
//! open, and nobody without the report learns anything from a photo of it.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::{Dialog, Video};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::sync::direct::Scanned;
use crate::sync::link::Link;
use crate::sync::qr_scan::{self, Scanner};
use crate::views::qr_code::qr_svg;
use dreieck_session::status::Path;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Choose,
    /// This device shows its offer.
    ShowOffer,
    /// The camera reads the other device's code (`true`: the answer to this device's offer).
    Scan {
        answer: bool,
    },
    /// This device shows its answer to the offer it scanned.
    ShowAnswer,
}

struct Words {
    intro: &'static [&'static str],
    show: &'static str,
    scan: &'static str,
    show_offer: &'static [&'static str],
    scan_answer: &'static str,
    scanning: &'static [&'static str],
    show_answer: &'static [&'static str],
    connected: &'static str,
}

fn words(plain: bool) -> Words {
    if plain {
        Words {
            intro: &[
                "Zwei Geräte verbinden sich direkt.",
                "Dafür braucht man kein Internet.",
                "Ein Gerät zeigt ein Bild mit Punkten.",
                "Das Bild heißt Code.",
                "Das andere Gerät liest den Code mit der Kamera.",
                "Wichtig: Die App muss auf beiden Geräten schon da sein.",
                "Und beide Geräte brauchen diesen Bericht.",
            ],
            show: "Code zeigen",
            scan: "Code lesen",
            show_offer: &[
                "Das andere Gerät liest jetzt diesen Code.",
                "Dann zeigt das andere Gerät einen neuen Code.",
                "Den lesen Sie hier mit der Kamera.",
            ],
            scan_answer: "Antwort lesen",
            scanning: &["Halten Sie die Kamera auf den Code vom anderen Gerät."],
            show_answer: &[
                "Das erste Gerät liest jetzt diesen Code.",
                "Dann sind die Geräte verbunden.",
            ],
            connected: "Die Geräte sind direkt verbunden.",
        }
    } else {
        Words {
            intro: &[
                "Zwei Geräte im selben Raum verbinden sich direkt, auch ohne Internet: Ein Gerät \
                 zeigt einen Code, das andere liest ihn mit der Kamera und zeigt eine Antwort, \
                 die das erste liest.",
                "Auf beiden Geräten muss die App schon einmal mit Internet geöffnet worden sein, \
                 und beide müssen diesen Bericht haben.",
            ],
            show: "Code zeigen",
            scan: "Code scannen",
            show_offer: &[
                "Scannen Sie diesen Code mit dem anderen Gerät. Es zeigt dann einen \
                 Antwort-Code, den Sie hier mit „Antwort scannen“ lesen.",
            ],
            scan_answer: "Antwort scannen",
            scanning: &["Halten Sie die Kamera auf den Code des anderen Geräts."],
            show_answer: &[
                "Zeigen Sie diesen Code dem ersten Gerät. Es liest ihn mit „Antwort scannen“; \
                 dann sind die Geräte verbunden.",
            ],
            connected: "Direkt verbunden.",
        }
    }
}

#[component]
pub fn DirectButton(link: Link) -> impl IntoView {
    let app = use_app();
    let dialog = NodeRef::<Dialog>::new();
    let video = NodeRef::<Video>::new();
    let step = RwSignal::new(Step::Choose);
    // This device's code (offer or answer), once the browser has described its side.
    let code = ArcRwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let connected = {
        let status = link.status.clone();
        Memo::new(move |_| status.with(|s| s.path() == Path::Direct))
    };
    let link = StoredValue::new_local(link);
    let scanner = StoredValue::new_local(None::<Scanner>);
    let directs = move || {
        let directs = link.with_value(Link::directs);
        if directs.is_none() {
            error.set(Some(
                "Direkte Verbindungen sind auf diesem Gerät ausgeschaltet.".into(),
            ));
        }
        directs
    };

    let stop_camera = move || scanner.set_value(None);
    let open = move |_| {
        step.set(Step::Choose);
        error.set(None);
        if let Some(el) = dialog.get() {
            if el.show_modal().is_err() {
                el.set_open(true);
            }
        }
    };
    let close = move |_| {
        stop_camera();
        if let Some(el) = dialog.get() {
            el.close();
        }
    };
    let show = {
        let code = code.clone();
        move |_| {
            error.set(None);
            code.set(None);
            let Some(directs) = directs() else { return };
            match directs.show_offer(code.clone()) {
                Ok(()) => step.set(Step::ShowOffer),
                Err(e) => error.set(Some(e)),
            }
        }
    };
    // Starts the camera; each code read goes to the link's direct channels.
    let scan = {
        let code = code.clone();
        move |answer: bool| {
            error.set(None);
            step.set(Step::Scan { answer });
            let Some(directs) = directs() else { return };
            let code = code.clone();
            // The video element is in the view once the step shows.
            request_animation_frame(move || {
                let Some(el) = video.get_untracked() else {
                    return;
                };
                let taken = Rc::new(RefCell::new(false));
                let found = move |text: String| {
                    if *taken.borrow() {
                        return;
                    }
                    match directs.scanned(&text, code.clone()) {
                        Ok(Scanned::Offer) => step.set(Step::ShowAnswer),
                        Ok(Scanned::Answer) => step.set(Step::ShowOffer),
                        Err(e) => {
                            error.set(Some(e));
                            return;
                        }
                    }
                    *taken.borrow_mut() = true;
                    error.set(None);
                    // Not dropped inside its own timer: after this task.
                    leptos::task::spawn_local(async move { scanner.set_value(None) });
                };
                // The reader did not load after all: said, and the camera goes off.
                let failed = move |e: String| {
                    error.set(Some(e));
                    leptos::task::spawn_local(async move { scanner.set_value(None) });
                };
                leptos::task::spawn_local(async move {
                    match qr_scan::start(el, found, failed).await {
                        Ok(s) => scanner.set_value(Some(s)),
                        Err(e) => error.set(Some(e)),
                    }
                });
            });
        }
    };
    let scan_offer = {
        let scan = scan.clone();
        move |_| scan(false)
    };
    let scan_answer = move |_| scan(true);
    let shown_code = {
        let code = code.clone();
        move || code.get()
    };

    view! {
        <button class="button" id="ohne-internet" on:click=open>
            "Ohne Internet verbinden"
        </button>
        <dialog
            node_ref=dialog
            class="direct-dialog"
            aria-labelledby="direkt-titel"
            on:close=move |_| stop_camera()
        >
            <h2 id="direkt-titel">"Ohne Internet verbinden"</h2>
            {move || {
                let w = words(app.plain.get());
                match step.get() {
                    Step::Choose => view! {
                        <div class="direct-choose">
                            {w.intro.iter().map(|l| view! { <p>{*l}</p> }).collect_view()}
                            <div class="confirm-actions">
                                <button class="button" on:click=show.clone()>{w.show}</button>
                                <button class="button" on:click=scan_offer.clone()>{w.scan}</button>
                            </div>
                        </div>
                    }
                        .into_any(),
                    Step::ShowOffer | Step::ShowAnswer => {
                        let lines = if step.get() == Step::ShowOffer { w.show_offer } else { w.show_answer };
                        let offer = step.get() == Step::ShowOffer;
                        let shown_code = shown_code.clone();
                        view! {
                            <div class="direct-show">
                                {lines.iter().map(|l| view! { <p>{*l}</p> }).collect_view()}
                                {move || match shown_code() {
                                    Some(text) => {
                                        let svg = qr_svg(&text).unwrap_or_default();
                                        view! {
                                            <div
                                                class="qr-code direct-code"
                                                role="img"
                                                aria-label="Code für das andere Gerät"
                                                data-code=text
                                                inner_html=svg
                                            ></div>
                                        }
                                            .into_any()
                                    }
                                    None => view! { <p class="message">"Der Code wird erstellt …"</p> }.into_any(),
                                }}
                                {offer.then(|| view! {
                                    <button class="button" on:click=scan_answer.clone()>{w.scan_answer}</button>
                                })}
                            </div>
                        }
                            .into_any()
                    }
                    Step::Scan { .. } => view! {
                        <div class="direct-scan">
                            {w.scanning.iter().map(|l| view! { <p>{*l}</p> }).collect_view()}
                            <video node_ref=video class="camera" aria-label="Kamerabild" playsinline=true></video>
                        </div>
                    }
                        .into_any(),
                }
            }}
            <p class="direct-state" role="status">
                {move || connected.get().then(|| words(app.plain.get()).connected)}
            </p>
            {move || error.get().map(|e| view! { <p class="message error" role="alert">{e}</p> })}
            <div class="confirm-actions">
                <button class="button primary" on:click=close>"Fertig"</button>
            </div>
        </dialog>
    }
}

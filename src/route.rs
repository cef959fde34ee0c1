//! Routing by the URL hash (`#/` case list, `#/bericht/<id>` editor).
//!
//! The hash never reaches a server, so the service worker only ever has to answer for `/` and
//! the static files: every view works offline from the one cached `index.html`. No router crate
//! is needed for two views.

use leptos::prelude::*;

/// The views the app can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `#/`: all reports on this device.
    CaseList,
    /// `#/bericht/<id>`: one report in the editor.
    Report(String),
    /// `#/bericht/<id>/gespraech`: the report in conversation mode (one step at a time).
    Conversation(String),
    /// `#/bericht/<id>/druck`: the report as the paper form, to print or save as PDF.
    Print(String),
    /// `#/fehlende-hilfen`: the "fehlender Hilfebaustein" flags of every report on the device.
    MissingHelp,
    /// `#/einladung/...`: an invitation to a shared report (the rest of the path, parsed by
    /// [`crate::sync::invitation::Invitation::parse`] so a damaged link gets its own message).
    Join(String),
}

impl Route {
    /// Reads a route from a hash such as `#/bericht/abc`; anything unknown is the case list,
    /// so an old or mistyped link still lands somewhere useful.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        if path.trim_end_matches('/') == "fehlende-hilfen" {
            return Route::MissingHelp;
        }
        match path.split_once('/') {
            Some(("bericht", rest)) => match rest.split_once('/') {
                Some((id, "gespraech")) if is_valid_id(id) => Route::Conversation(id.to_string()),
                Some((id, "druck")) if is_valid_id(id) => Route::Print(id.to_string()),
                None if is_valid_id(rest) => Route::Report(rest.to_string()),
                _ => Route::CaseList,
            },
            Some(("einladung", rest)) => Route::Join(rest.to_string()),
            _ => Route::CaseList,
        }
    }

    /// The hash link for this route, for `href` attributes.
    pub fn href(&self) -> String {
        match self {
            Route::CaseList => "#/".to_string(),
            Route::Report(id) => format!("#/bericht/{id}"),
            Route::Conversation(id) => format!("#/bericht/{id}/gespraech"),
            Route::Print(id) => format!("#/bericht/{id}/druck"),
            Route::MissingHelp => "#/fehlende-hilfen".to_string(),
            Route::Join(rest) => format!("#/einladung/{rest}"),
        }
    }
}

/// Report ids are random hex; anything else in the hash is not taken as an id (it would end up
/// in storage keys and element ids).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The route in the address bar right now.
pub fn current() -> Route {
    let hash = window().location().hash().unwrap_or_default();
    Route::parse(&hash)
}

/// Goes to `route`; the `hashchange` listener of [`use_route`] updates the view.
pub fn navigate(route: &Route) {
    // Setting the hash cannot fail in a normal page; if it does, the view simply stays.
    let _ = window().location().set_hash(&route.href());
}

/// A signal that follows the URL hash for the lifetime of the app.
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(current());
    let handle = window_event_listener_untyped("hashchange", move |_| {
        let next = current();
        if route.get_untracked() != next {
            set_route.set(next);
        }
    });
    on_cleanup(move || handle.remove());
    route
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn parses_routes() {
        assert_eq!(Route::parse(""), Route::CaseList);
        assert_eq!(Route::parse("#/"), Route::CaseList);
        assert_eq!(
            Route::parse("#/bericht/ab12"),
            Route::Report("ab12".to_string())
        );
        assert_eq!(Route::parse("#/bericht/"), Route::CaseList);
        assert_eq!(Route::parse("#/bericht/<script>"), Route::CaseList);
        assert_eq!(Route::parse("#/unbekannt"), Route::CaseList);
        assert_eq!(
            Route::parse("#/bericht/ab12/gespraech"),
            Route::Conversation("ab12".to_string())
        );
        assert_eq!(Route::parse("#/bericht/ab12/anders"), Route::CaseList);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn href_round_trips() {
        let r = Route::Report("0f3a".to_string());
        assert_eq!(Route::parse(&r.href()), r);
        let c = Route::Conversation("0f3a".to_string());
        assert_eq!(Route::parse(&c.href()), c);
        assert_eq!(Route::parse(&Route::MissingHelp.href()), Route::MissingHelp);
        assert_eq!(Route::parse("#/fehlende-hilfen/"), Route::MissingHelp);
        let p = Route::Print("0f3a".to_string());
        assert_eq!(Route::parse(&p.href()), p);
        assert_eq!(Route::parse(&Route::CaseList.href()), Route::CaseList);
    }
}

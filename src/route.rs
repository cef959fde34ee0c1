//! Routing by the URL hash (`#/` case list, `#/bericht/<id>` editor, `#/vorlagen` templates).
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
    /// `#/bericht/<id>/meins`: the person supported's own view of the report (`PersonView`).
    Own(String),
    /// `#/fehlende-hilfen`: the "fehlender Hilfebaustein" flags of every report on the device.
    MissingHelp,
    /// `#/wirkung`: Wirkungsorientierung, goal achievement across the reports on the device.
    Impact,
    /// `#/vorlagen`: the templates on this device; import, download, remove.
    Templates,
    /// `#/sperre`: the device's PIN and when it locks.
    Lock,
    /// `#/vorlagen/<id>/<version>`: a template in the editor for labels and order.
    TemplateEditor { id: String, version: String },
    /// `#/einladung/...`: an invitation to a shared report (the rest of the path, parsed by
    /// [`crate::sync::invitation::Invitation::parse`] so a damaged link gets its own message).
    Join(String),
    /// `#/zurueckholen/<id>`: a report this device took off itself, fetched back from its room.
    FetchBack(String),
}

impl Route {
    /// Reads a route from a hash such as `#/bericht/abc`; anything unknown is the case list,
    /// so an old or mistyped link still lands somewhere useful.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        if path.trim_end_matches('/') == "fehlende-hilfen" {
            return Route::MissingHelp;
        }
        if path.trim_end_matches('/') == "wirkung" {
            return Route::Impact;
        }
        if path.trim_end_matches('/') == "sperre" {
            return Route::Lock;
        }
        match path.split_once('/') {
            Some(("bericht", rest)) => match rest.split_once('/') {
                Some((id, "gespraech")) if is_valid_id(id) => Route::Conversation(id.to_string()),
                Some((id, "druck")) if is_valid_id(id) => Route::Print(id.to_string()),
                Some((id, "meins")) if is_valid_id(id) => Route::Own(id.to_string()),
                None if is_valid_id(rest) => Route::Report(rest.to_string()),
                _ => Route::CaseList,
            },
            Some(("einladung", rest)) => Route::Join(rest.to_string()),
            Some(("zurueckholen", id)) if is_valid_id(id) => Route::FetchBack(id.to_string()),
            Some(("vorlagen", "")) => Route::Templates,
            Some(("vorlagen", rest)) => match rest.split_once('/') {
                Some((id, version)) if is_template_key(id) && is_template_key(version) => {
                    Route::TemplateEditor {
                        id: id.to_string(),
                        version: version.to_string(),
                    }
                }
                _ => Route::Templates,
            },
            _ if path == "vorlagen" => Route::Templates,
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
            Route::Own(id) => format!("#/bericht/{id}/meins"),
            Route::MissingHelp => "#/fehlende-hilfen".to_string(),
            Route::Impact => "#/wirkung".to_string(),
            Route::Join(rest) => format!("#/einladung/{rest}"),
            Route::FetchBack(id) => format!("#/zurueckholen/{id}"),
            Route::Templates => "#/vorlagen".to_string(),
            Route::Lock => "#/sperre".to_string(),
            Route::TemplateEditor { id, version } => format!("#/vorlagen/{id}/{version}"),
        }
    }
}

impl Route {
    /// Where a report opens for `role`: the person supported gets their own view, with the
    /// whole form one link away; staff get the whole form.
    pub fn opening(role: dreieck_model::Role, id: String) -> Route {
        if role == dreieck_model::Role::Beneficiary {
            Route::Own(id)
        } else {
            Route::Report(id)
        }
    }
}

/// Report ids are random hex; anything else in the hash is not taken as an id (it would end up
/// in storage keys and element ids).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Template ids and versions: what `Template::from_json` allows (letters without umlauts,
/// digits, `.`, `-`, `_`), so every template on the device has an editor link.
pub fn is_template_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
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

/// Goes to `route` in place of the current history entry, so that Back does not return to
/// what was there. After an invitation link: the link carries the document key, which must
/// not stay in the address bar or in the history. `location.replace` with only a new hash
/// replaces the entry without loading the page and fires `hashchange` like [`navigate`].
pub fn replace(route: &Route) {
    let location = window().location();
    // The page's own address with the new hash (a bare `#...` would resolve against a
    // `<base>`, if the page ever had one). As in `navigate`: if it fails, the view stays.
    let Ok(href) = location.href() else { return };
    let page = href.split_once('#').map_or(href.as_str(), |(page, _)| page);
    let _ = location.replace(&format!("{page}{}", route.href()));
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
        assert_eq!(Route::parse("#/vorlagen"), Route::Templates);
        assert_eq!(Route::parse("#/vorlagen/"), Route::Templates);
        assert_eq!(
            Route::parse("#/vorlagen/kvjs-ergebnisbericht/2026.1"),
            Route::TemplateEditor {
                id: "kvjs-ergebnisbericht".to_string(),
                version: "2026.1".to_string()
            }
        );
        assert_eq!(Route::parse("#/vorlagen/a b/1"), Route::Templates);
        assert_eq!(Route::parse("#/vorlagen/kvjs"), Route::Templates);
        assert_eq!(Route::parse("#/vorlagen/kvjs/1/x"), Route::Templates);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn href_round_trips() {
        let r = Route::Report("0f3a".to_string());
        assert_eq!(Route::parse(&r.href()), r);
        let c = Route::Conversation("0f3a".to_string());
        assert_eq!(Route::parse(&c.href()), c);
        assert_eq!(Route::parse(&Route::MissingHelp.href()), Route::MissingHelp);
        assert_eq!(Route::parse(&Route::Impact.href()), Route::Impact);
        assert_eq!(Route::parse("#/fehlende-hilfen/"), Route::MissingHelp);
        let p = Route::Print("0f3a".to_string());
        assert_eq!(Route::parse(&p.href()), p);
        let o = Route::Own("0f3a".to_string());
        assert_eq!(Route::parse(&o.href()), o);
        assert_eq!(o.href(), "#/bericht/0f3a/meins");
        assert_eq!(
            Route::opening(dreieck_model::Role::Beneficiary, "0f3a".into()),
            o
        );
        assert_eq!(
            Route::opening(dreieck_model::Role::Caseworker, "0f3a".into()),
            Route::Report("0f3a".into())
        );
        assert_eq!(Route::parse(&Route::CaseList.href()), Route::CaseList);
        assert_eq!(Route::parse(&Route::Templates.href()), Route::Templates);
        let e = Route::TemplateEditor {
            id: "verein_bericht".to_string(),
            version: "2027.1-b".to_string(),
        };
        assert_eq!(Route::parse(&e.href()), e);
        let f = Route::FetchBack("0f3a".to_string());
        assert_eq!(Route::parse(&f.href()), f);
        assert_eq!(Route::parse("#/zurueckholen/a b"), Route::CaseList);
    }
}

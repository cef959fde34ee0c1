//! The data behind the case list: the stored reports, and which of them no longer load.

use std::cell::RefCell;
use std::collections::HashMap;

use dreieck::storage::{ReportStore, Summary};
use dreieck_model::Report;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::platform::lowercase;
use crate::state::summary::summary_of;

/// One row of the case list.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Report(Summary),
    /// A stored document that does not load; the German reason.
    Broken {
        id: String,
        error: String,
    },
}

impl Entry {
    pub fn id(&self) -> &str {
        match self {
            Entry::Report(s) => &s.id,
            Entry::Broken { id, .. } => id,
        }
    }

    fn updated_ms(&self) -> f64 {
        match self {
            Entry::Report(s) => s.updated_ms,
            Entry::Broken { .. } => f64::INFINITY,
        }
    }
}

/// How the list is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum ListState {
    Loading,
    Ready,
    Failed(String),
}

thread_local! {
    /// Reports already checked to load, by id, with the `updated_ms` they were checked at:
    /// a document is only loaded again after it changed, so the list stays quick.
    static VERIFIED: RefCell<HashMap<String, f64>> = RefCell::new(HashMap::new());
}

/// The entries of the case list and how loading went.
#[derive(Clone, Copy)]
pub struct CaseList {
    pub entries: RwSignal<Vec<Entry>>,
    pub state: RwSignal<ListState>,
}

impl CaseList {
    pub fn new() -> CaseList {
        CaseList {
            entries: RwSignal::new(Vec::new()),
            state: RwSignal::new(ListState::Loading),
        }
    }

    /// Reads the summaries (fast, shown at once), then checks in the background that every
    /// stored document loads, and shows those that do not as broken, so that a damaged report
    /// is visible and its bytes can be saved instead of silently vanishing from the list.
    pub fn reload(self, store: ReportStore) {
        spawn_local(async move {
            let summaries = match store.summaries().await {
                Ok(s) => s,
                Err(e) => {
                    let _ = self.state.try_set(ListState::Failed(e.to_string()));
                    return;
                }
            };
            let mut entries: Vec<Entry> = summaries.into_iter().map(Entry::Report).collect();
            sort(&mut entries);
            if self.entries.try_set(entries.clone()).is_some() {
                return; // the view is gone
            }
            let _ = self.state.try_set(ListState::Ready);

            let ids = match store.ids().await {
                Ok(ids) => ids,
                Err(e) => {
                    let _ = self.state.try_set(ListState::Failed(e.to_string()));
                    return;
                }
            };
            for id in ids {
                let known = entries.iter().find_map(|e| match e {
                    Entry::Report(s) if s.id == id => Some(s.updated_ms),
                    _ => None,
                });
                if let Some(updated) = known {
                    if VERIFIED.with(|v| v.borrow().get(&id) == Some(&updated)) {
                        continue;
                    }
                }
                let entry = match check(&store, &id).await {
                    Ok(summary) => match known {
                        Some(updated) => {
                            VERIFIED.with(|v| v.borrow_mut().insert(id.clone(), updated));
                            continue;
                        }
                        // Stored without a summary: list it under what the document says.
                        None => Entry::Report(summary),
                    },
                    Err(error) => Entry::Broken {
                        id: id.clone(),
                        error,
                    },
                };
                entries.retain(|e| e.id() != id);
                entries.push(entry);
                sort(&mut entries);
                if self.entries.try_set(entries.clone()).is_some() {
                    return;
                }
            }
        });
    }
}

/// Loads one stored document: a summary made from it (for a document stored without one), or
/// why it does not load.
async fn check(store: &ReportStore, id: &str) -> Result<Summary, String> {
    let bytes = store.load(id).await.map_err(|e| e.to_string())?;
    let report = Report::load(&bytes).map_err(|e| e.to_string())?;
    let title = crate::state::summary::title_field(report.template());
    Ok(summary_of(&report, title.as_deref(), 0.0))
}

/// Newest change first; broken documents on top, where they are noticed.
fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| b.updated_ms().total_cmp(&a.updated_ms()));
}

/// Whether `title` matches the search text: case-insensitive, on any part of the name.
pub fn matches_search(title: &str, query: &str) -> bool {
    let q = lowercase(query.trim());
    q.is_empty() || lowercase(title).contains(&q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn search_is_case_insensitive_and_partial() {
        assert!(matches_search("Müller, Anna", "müll"));
        assert!(matches_search("Müller, Anna", "ANNA"));
        assert!(matches_search("Müller, Anna", "  "));
        assert!(!matches_search("Müller, Anna", "Schmidt"));
    }
}

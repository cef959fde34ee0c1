//! The data behind the case list: the stored reports, which of them no longer load, and how
//! they are filtered and ordered (by deadline first: a caseworker with a hundred reports needs
//! to see which are due).

use std::cell::RefCell;
use std::collections::HashMap;

use dreieck::storage::{Period, ReportStore, Summary};
use dreieck_model::{due_state, Date, DueState, Report, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::platform::lowercase;
use crate::state::summary::summary_of;

/// One row of the case list.
// Nearly every row is a report; boxing its summary would cost an allocation per row and buy
// nothing for the rare broken one.
#[allow(clippy::large_enum_variant)]
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

/// The summaries of the entries that are reports (broken documents have none).
pub fn reports(entries: &[Entry]) -> impl Iterator<Item = &Summary> {
    entries.iter().filter_map(|e| match e {
        Entry::Report(s) => Some(s),
        Entry::Broken { .. } => None,
    })
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
    /// a document is only loaded again after it changed, so the list stays quick. Beside it,
    /// the summary made from the document where the stored one was behind it.
    static VERIFIED: RefCell<HashMap<String, (f64, Option<Summary>)>> =
        RefCell::new(HashMap::new());
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
                let verified = known.and_then(|updated| {
                    VERIFIED.with(|v| match v.borrow().get(&id) {
                        Some((at, healed)) if *at == updated => Some(healed.clone()),
                        _ => None,
                    })
                });
                let entry = match verified {
                    Some(None) => continue,
                    Some(Some(healed)) => Entry::Report(healed),
                    None => match check(&store, &id).await {
                        Ok(summary) => match known {
                            // The summary is written a moment after the edits it describes (at
                            // most once a second while typing); a page closed in that moment
                            // leaves an older one stored. The list shows what the document says.
                            Some(updated) => {
                                let fresh = Summary {
                                    updated_ms: updated,
                                    ..summary
                                };
                                let current = entries
                                    .iter()
                                    .any(|e| matches!(e, Entry::Report(s) if *s == fresh));
                                let healed = (!current).then(|| fresh.clone());
                                VERIFIED.with(|v| {
                                    v.borrow_mut().insert(id.clone(), (updated, healed.clone()))
                                });
                                match healed {
                                    Some(fresh) => Entry::Report(fresh),
                                    None => continue,
                                }
                            }
                            // Stored without a summary: list it under what the document says.
                            None => Entry::Report(summary),
                        },
                        Err(error) => Entry::Broken {
                            id: id.clone(),
                            error,
                        },
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

/// Loads one stored document: a summary made from it (for a document stored without one, or
/// with one older than the document), or why it does not load.
async fn check(store: &ReportStore, id: &str) -> Result<Summary, String> {
    let bytes = store.load(id).await.map_err(|e| e.to_string())?;
    let report = Report::load(&bytes).map_err(|e| e.to_string())?;
    let title = crate::state::summary::title_field(report.template());
    Ok(summary_of(&report, title.as_deref(), 0.0))
}

/// Newest change first; broken documents on top, where they are noticed (the order they are
/// loaded in; [`arrange`] orders what is shown).
fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| b.updated_ms().total_cmp(&a.updated_ms()));
}

/// Whether `title` matches the search text: case-insensitive, on any part of the name.
pub fn matches_search(title: &str, query: &str) -> bool {
    let q = lowercase(query.trim());
    q.is_empty() || lowercase(title).contains(&q)
}

/// The status of a listed report; a summary from before statuses were kept is a draft until
/// the report changes.
pub fn status_of(summary: &Summary) -> Status {
    Status::from_code(&summary.status).unwrap_or(Status::Draft)
}

/// The deadline of a listed report that still has to be met: none once it is submitted.
pub fn open_deadline(summary: &Summary) -> Option<Date> {
    if status_of(summary) == Status::Submitted {
        return None;
    }
    summary.due.as_deref().and_then(|d| Date::parse_iso(d).ok())
}

/// How urgent a listed report is on `today` (`None`: no open deadline, or no date known).
pub fn urgency(summary: &Summary, today: Option<Date>) -> Option<DueState> {
    open_deadline(summary)
        .zip(today)
        .map(|(d, today)| due_state(d, today))
}

/// The order of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Earliest open deadline first; reports without one after them, submitted ones last.
    Due,
    /// Newest change first.
    Changed,
    /// By the person's name.
    Name,
    /// The period the report covers, the one ending first first (Berichtszeitraum, Teilnahme).
    Period,
    /// The approval period, the one running out first first: what the caseworker plans by.
    Approval,
}

impl Order {
    pub const ALL: [Order; 5] = [
        Order::Due,
        Order::Changed,
        Order::Name,
        Order::Period,
        Order::Approval,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Order::Due => "frist",
            Order::Changed => "geaendert",
            Order::Name => "name",
            Order::Period => "zeitraum",
            Order::Approval => "bewilligung",
        }
    }

    pub fn label(self, t: &'static dreieck_texts::Texts) -> &'static str {
        match self {
            Order::Due => t.order_due,
            Order::Changed => t.order_changed,
            Order::Name => t.order_name,
            Order::Period => t.order_period,
            Order::Approval => t.order_approval,
        }
    }

    pub fn from_code(code: &str) -> Order {
        Order::ALL
            .into_iter()
            .find(|o| o.code() == code)
            .unwrap_or(Order::Due)
    }
}

/// What the list is narrowed to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Part of the person's name.
    pub person: String,
    /// Only reports in this status.
    pub status: Option<Status>,
    /// Only reports whose deadline has passed.
    pub overdue_only: bool,
    /// Only reports of this form (its name).
    pub form: Option<String>,
    /// Only reports written for this occasion (the Anlass's label).
    pub occasion: Option<String>,
    /// Only reports whose approval period ends on or before this day.
    pub approval_ends_by: Option<Date>,
    /// Only reports with remarks still in the review (asked or answered, not done).
    pub review_only: bool,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.person.trim().is_empty()
            && self.status.is_none()
            && !self.overdue_only
            && self.form.is_none()
            && self.occasion.is_none()
            && self.approval_ends_by.is_none()
            && !self.review_only
    }

    fn lets_through(&self, s: &Summary, today: Option<Date>) -> bool {
        matches_search(
            &crate::state::summary::display_title(&s.title),
            &self.person,
        ) && self.status.is_none_or(|wanted| status_of(s) == wanted)
            && (!self.overdue_only || urgency(s, today) == Some(DueState::Ueberfaellig))
            && self.form.as_ref().is_none_or(|f| &s.template_name == f)
            && self
                .occasion
                .as_ref()
                .is_none_or(|o| s.occasion.as_ref() == Some(o))
            && self
                .approval_ends_by
                .is_none_or(|by| period_end(s.approval.as_ref()).is_some_and(|end| end <= by))
            && (!self.review_only || s.remarks_open + s.remarks_answered > 0)
    }
}

/// The last day of a listed period, where filled.
pub fn period_end(period: Option<&Period>) -> Option<Date> {
    period
        .and_then(|p| p.to.as_deref())
        .and_then(|d| Date::parse_iso(d).ok())
}

/// The forms and the occasions the listed reports have, each once, sorted: the choices of the
/// list's filters (a filter for something no report has would only find nothing).
pub fn choices(entries: &[Entry]) -> (Vec<String>, Vec<String>) {
    let mut forms = std::collections::BTreeSet::new();
    let mut occasions = std::collections::BTreeSet::new();
    for e in entries {
        if let Entry::Report(s) = e {
            forms.insert(s.template_name.clone());
            if let Some(o) = &s.occasion {
                occasions.insert(o.clone());
            }
        }
    }
    (forms.into_iter().collect(), occasions.into_iter().collect())
}

/// The entries `filter` lets through, in `order`. Broken documents are shown whenever no
/// filter is set, on top, where they are noticed.
pub fn arrange(
    entries: &[Entry],
    filter: &Filter,
    order: Order,
    today: Option<Date>,
) -> Vec<Entry> {
    let mut shown: Vec<Entry> = entries
        .iter()
        .filter(|e| match e {
            Entry::Report(s) => filter.lets_through(s, today),
            Entry::Broken { .. } => filter.is_empty(),
        })
        .cloned()
        .collect();
    let changed = |e: &Entry| -e.updated_ms();
    match order {
        Order::Changed => shown.sort_by(|a, b| changed(a).total_cmp(&changed(b))),
        Order::Name => shown.sort_by_cached_key(|e| match e {
            Entry::Report(s) => (1, lowercase(s.title.trim()).is_empty(), lowercase(&s.title)),
            Entry::Broken { id, .. } => (0, false, id.clone()),
        }),
        Order::Period | Order::Approval => shown.sort_by(|a, b| {
            // Broken documents first, then by the period's end, those without one last.
            let rank = |e: &Entry| match e {
                Entry::Broken { .. } => (0, None),
                Entry::Report(s) => {
                    let period = if order == Order::Period {
                        s.period.as_ref()
                    } else {
                        s.approval.as_ref()
                    };
                    match period_end(period) {
                        Some(end) => (1, Some(end)),
                        None => (2, None),
                    }
                }
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| changed(a).total_cmp(&changed(b)))
        }),
        Order::Due => shown.sort_by(|a, b| {
            let rank = |e: &Entry| match e {
                Entry::Broken { .. } => (0, None),
                Entry::Report(s) => match (open_deadline(s), status_of(s)) {
                    (Some(d), _) => (1, Some(d)),
                    (None, Status::Submitted) => (3, None),
                    (None, _) => (2, None),
                },
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| changed(a).total_cmp(&changed(b)))
        }),
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page closed in the moment between an edit and its summary leaves the older summary
    /// stored: the list shows the report as its document says, once it has checked it.
    #[cfg(target_arch = "wasm32")]
    #[wasm_bindgen_test::wasm_bindgen_test]
    async fn a_summary_older_than_its_document_is_shown_as_the_document_says() {
        use crate::state::summary::title_field;
        use crate::state::test_support::{store, until};
        use dreieck_model::{builtin_templates, Role};

        let _ = any_spawner::Executor::init_wasm_bindgen();
        let reports = store().await;
        let template = builtin_templates().remove(0);
        let Ok(mut report) = Report::create(&template, "liste-veraltet", 1_000) else {
            panic!("create failed");
        };
        let title = title_field(report.template());
        let older = summary_of(&report, title.as_deref(), 2_000.0);
        if let Err(e) = report.set_text(Role::Provider, "lb_name", "Neu, Nora") {
            panic!("edit failed: {e}");
        }
        if let Err(e) = reports
            .compact("liste-veraltet", &report.save(), &older)
            .await
        {
            panic!("store failed: {e}");
        }
        let list = CaseList::new();
        list.reload(reports);
        let title_shown = move || {
            list.entries.with_untracked(|e| {
                e.iter().find_map(|e| match e {
                    Entry::Report(s) if s.id == "liste-veraltet" => Some(s.title.clone()),
                    _ => None,
                })
            })
        };
        until("the list shows the name the document holds", || {
            title_shown().as_deref() == Some("Neu, Nora")
        })
        .await;
        // Checked once per change: a second reload shows it at once, without loading again.
        list.reload(store().await);
        until("the list keeps it", || {
            title_shown().as_deref() == Some("Neu, Nora")
        })
        .await;
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn search_is_case_insensitive_and_partial() {
        assert!(matches_search("Müller, Anna", "müll"));
        assert!(matches_search("Müller, Anna", "ANNA"));
        assert!(matches_search("Müller, Anna", "  "));
        assert!(!matches_search("Müller, Anna", "Schmidt"));
    }

    fn report(id: &str, title: &str, status: Status, due: Option<&str>, updated: f64) -> Entry {
        Entry::Report(Summary {
            id: id.into(),
            title: title.into(),
            template_name: "KVJS".into(),
            created_ms: 0.0,
            updated_ms: updated,
            status: status.code().into(),
            due: due.map(str::to_string),
            ..Summary::default()
        })
    }

    fn ids(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(Entry::id).collect()
    }

    fn sample() -> Vec<Entry> {
        vec![
            report(
                "later",
                "Berger, Jan",
                Status::Draft,
                Some("2026-12-20"),
                5.0,
            ),
            report("none", "Celik, Ece", Status::InConversation, None, 9.0),
            report(
                "sent",
                "Adler, Tom",
                Status::Submitted,
                Some("2026-11-01"),
                8.0,
            ),
            report(
                "overdue",
                "müller, anna",
                Status::Signed,
                Some("2026-11-30"),
                1.0,
            ),
            Entry::Broken {
                id: "kaputt".into(),
                error: "beschädigt".into(),
            },
        ]
    }

    fn today() -> Option<Date> {
        Date::from_ymd(2026, 12, 3).ok()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn due_order_puts_the_earliest_open_deadline_first_and_submitted_last() {
        let all = arrange(&sample(), &Filter::default(), Order::Due, today());
        assert_eq!(ids(&all), ["kaputt", "overdue", "later", "none", "sent"]);
        let by_change = arrange(&sample(), &Filter::default(), Order::Changed, today());
        assert_eq!(
            ids(&by_change),
            ["kaputt", "none", "sent", "later", "overdue"]
        );
        let by_name = arrange(&sample(), &Filter::default(), Order::Name, today());
        assert_eq!(
            ids(&by_name),
            ["kaputt", "sent", "later", "none", "overdue"]
        );
    }

    /// Reports with what a caseworker plans by: form, Anlass, periods.
    fn planned() -> Vec<Entry> {
        let period = |label: &str, to: Option<&str>| {
            Some(Period {
                label: label.into(),
                from: Some("2025-01-01".into()),
                to: to.map(str::to_string),
            })
        };
        let kvjs = |id: &str, approval_to: Option<&str>, report_to: &str, updated: f64| {
            Entry::Report(Summary {
                id: id.into(),
                title: id.into(),
                template_name: "Ergebnisbericht".into(),
                updated_ms: updated,
                period: period("Berichtszeitraum", Some(report_to)),
                approval: approval_to.and_then(|to| period("Bewilligungszeitraum", Some(to))),
                ..Summary::default()
            })
        };
        let feedback = |id: &str, occasion: &str, to: &str| {
            Entry::Report(Summary {
                id: id.into(),
                title: id.into(),
                template_name: "Feedbackbogen".into(),
                occasion: Some(occasion.into()),
                period: period("Teilnahme", Some(to)),
                ..Summary::default()
            })
        };
        vec![
            kvjs("k-march", Some("2027-03-31"), "2026-12-31", 1.0),
            kvjs("k-none", None, "2026-06-30", 2.0),
            kvjs("k-jan", Some("2027-01-31"), "2027-01-31", 3.0),
            feedback("f-abbruch", "Abbruch", "2026-05-31"),
            feedback(
                "f-regulaer",
                "Regulärer Abschluss des Angebotes",
                "2026-09-30",
            ),
        ]
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn sorts_by_the_periods_and_filters_by_form_occasion_and_approval_end() {
        let all = Filter::default();
        assert_eq!(
            ids(&arrange(&planned(), &all, Order::Approval, today())),
            ["k-jan", "k-march", "k-none", "f-abbruch", "f-regulaer"]
        );
        assert_eq!(
            ids(&arrange(&planned(), &all, Order::Period, today())),
            ["f-abbruch", "k-none", "f-regulaer", "k-march", "k-jan"]
        );
        let by_form = Filter {
            form: Some("Feedbackbogen".into()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&arrange(&planned(), &by_form, Order::Name, today())),
            ["f-abbruch", "f-regulaer"]
        );
        let by_occasion = Filter {
            occasion: Some("Abbruch".into()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&arrange(&planned(), &by_occasion, Order::Due, today())),
            ["f-abbruch"]
        );
        let ending = Filter {
            approval_ends_by: Date::parse_iso("2027-02-28").ok(),
            ..Filter::default()
        };
        assert_eq!(
            ids(&arrange(&planned(), &ending, Order::Due, today())),
            ["k-jan"]
        );
        assert!(!ending.is_empty() && !by_occasion.is_empty() && !by_form.is_empty());
        let (forms, occasions) = choices(&planned());
        assert_eq!(forms, ["Ergebnisbericht", "Feedbackbogen"]);
        assert_eq!(occasions, ["Abbruch", "Regulärer Abschluss des Angebotes"]);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_submitted_report_is_never_overdue() {
        let Entry::Report(sent) = &sample()[2] else {
            panic!("a report");
        };
        assert_eq!(urgency(sent, today()), None);
        let Entry::Report(open) = &sample()[3] else {
            panic!("a report");
        };
        assert_eq!(urgency(open, today()), Some(DueState::Ueberfaellig));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn filters_by_status_person_and_overdue_and_hide_broken_rows_while_filtering() {
        let by_status = Filter {
            status: Some(Status::InConversation),
            ..Filter::default()
        };
        assert_eq!(
            ids(&arrange(&sample(), &by_status, Order::Due, today())),
            ["none"]
        );
        let by_person = Filter {
            person: "MÜLLER".into(),
            ..Filter::default()
        };
        assert_eq!(
            ids(&arrange(&sample(), &by_person, Order::Due, today())),
            ["overdue"]
        );
        let overdue = Filter {
            overdue_only: true,
            ..Filter::default()
        };
        assert_eq!(
            ids(&arrange(&sample(), &overdue, Order::Due, today())),
            ["overdue"]
        );
    }
}

//! The report, independent of any screen, disk or network.
//!
//! A report is one Automerge document. Its shape is not hard-coded: a [`Template`] (plain data,
//! parsed from JSON) names the sections and fields, their German and plain-language labels and
//! which roles may edit them, and the document embeds the template it was created from, so a
//! report renders the same on every device and outlives changes to the template. [`Report`] is
//! the typed API over the document: every read and write goes through it, so the rest of the
//! product never touches Automerge paths. Typed text is Automerge `Text` (concurrent typing keeps
//! everybody's words); choices and dates are scalars, and where two replicas set one concurrently
//! the API hands back every value instead of silently choosing.
//!
//! Nothing here reads the clock or the environment: callers pass "now" and "today" in, which
//! keeps the crate deterministic in tests and usable in the browser, where `Instant::now` panics.

pub mod at_rest;
mod bytes;
mod closing_summary;
mod conversation;
mod date;
mod display;
mod due;
mod error;
mod export;
mod goal_list;
mod goal_plan;
mod goals;
mod history;
mod impact;
mod json_locator;
pub mod live;
pub mod measures;
mod missing_help;
mod own_words;
mod paper;
mod person_key;
mod person_page;
mod pictogram;
mod recorded_words;
mod report;
mod report_file;
mod retention;
pub(crate) mod review;
mod role;
pub mod sample;
pub mod sealed_file;
mod sentences;
mod signing;
mod spoken;
mod status;
mod template;
mod template_edit;
mod template_library;
#[cfg(test)]
mod testing;
pub mod text_control;
mod text_diff;
mod touched;
pub mod trust;
pub mod undo;
mod validation;

pub use closing_summary::{
    AgreedGoal, ClosingSummary, Label, SaidHow, Saying, SignatureState, SummarySignature,
};
pub use conversation::{AgendaPart, AgendaStep, MAX_PARTICIPANT_NAME, SUMMARY_STEP};
pub use date::{Date, DateRange};
pub use due::{deadline, due, due_state, has_deadline_rule, Due, DueState, SOON_DAYS};
pub use error::ModelError;
pub use export::{
    missing_help_csv, PlanningRow, CSV_EXTENSION, JSON_EXTENSION, JSON_FORMAT, JSON_FORMAT_VERSION,
};
pub use goal_list::{goals_from_file, goals_from_text, MAX_GOALS};
pub use goal_plan::{GoalDraft, GoalLevel, GoalOrigin, GoalPlan};
pub use goals::{Goal, GoalId, GoalScalar, GoalText};
pub use history::{FieldEdit, SITTING_GAP_S};
pub use impact::{
    aggregate, change, impact_csv, Aggregate, Change, Dimension, Group, ImpactGoal, MIN_PEOPLE,
};
pub use measures::{Measure, MeasureDraft, MeasureId, MAIN_MEASURE, MAX_MEASURES_BY};
pub use missing_help::{
    check_missing_help, help_area, HelpArea, MissingHelp, HELP_AREAS, MAX_MISSING_HELP_CHARS,
};
pub use own_words::{InputMode, OwnWords};
pub use paper::{
    GoalColumn, GoalPart, Paper, PaperPart, PaperSection, PrintedPart, PrintedSection,
};
pub use person_key::PersonKey;
pub use person_page::{OwnPart, PersonPage, Written};
pub use pictogram::Pictogram;
pub use recorded_words::{Confirmation, RecordedWords, MAX_RECORDED_CHARS};
pub use report::{FieldValue, Report, ReportId, SignatureLine, ACTOR_LEN, SCHEMA, TEXT_ENCODING};
pub use report_file::{
    file_document, file_kind, file_name, is_valid_report_id, read_report_file,
    read_report_file_inviting, FileInvitation, FileKind, AUTOMERGE_EXTENSION, SEALED_EXTENSION,
};
pub use retention::{years_after, Retention, MAX_RETENTION_YEARS, REMIND_DAYS};
pub use review::{
    check_remark, Acceptance, Anchor, Remark, RemarkState, RemarkStep, ReviewCount,
    MAX_ANSWER_CHARS, MAX_REMARK_CHARS,
};
pub use role::Role;
pub use sentences::sentences;
pub use signing::{
    InvalidSignature, Participant, ParticipantKey, SignRequest, SignatureRecord, Strokes,
    Verification, CHANGED_SUBMISSION, CHANGED_TEMPLATE, MAX_NAME_CHARS, MAX_POINTS,
    SIGNATURE_DOMAIN,
};
pub use status::{Status, Submission};
pub use template::{
    builtin_templates, CarriedFrom, Code, CodeList, Condition, Field, FieldKind, Section, Template,
    TemplateError, BUILTIN_JSON,
};
pub use template_edit::Move;
pub use template_library::{compare_versions, Admission, Library, LibraryError};
pub use touched::Touched;
pub use validation::{validate, validate_before_signing, Problem};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, ModelError>;

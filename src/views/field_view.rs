//! Picks the control for a field from its kind in the template.

use dreieck_model::{Anchor, Field, FieldKind};
use leptos::prelude::*;

use crate::state::app_context::use_app;
use crate::state::editor::use_editor;
use crate::views::choice_field::ChoiceField;
use crate::views::date_field::DateField;
use crate::views::date_range_field::DateRangeField;
use crate::views::field_history::FieldHistory;
use crate::views::field_label::field_sentences;
use crate::views::field_presence::FieldPresence;
use crate::views::goals_table::GoalsTable;
use crate::views::own_words::OwnWordsParts;
use crate::views::read_aloud_button::ReadAloudButton;
use crate::views::remark_thread::RemarkThread;
use crate::views::signature_field::SignatureField;
use crate::views::text_field::TextField;

/// Marks the person's own view (`PersonView`): the fields there leave out what only staff use
/// (the change history).
#[derive(Clone, Copy)]
pub struct OwnView;

/// The sentences "Vorlesen" reads for `field`: its plain label and help, then what it holds.
pub fn spoken_field(field: &Field, report: &dreieck_model::Report) -> Vec<String> {
    let mut all = field_sentences(field);
    all.extend(report.spoken_value(&field.id).unwrap_or_default());
    all
}

#[component]
pub fn FieldView(
    field: Field,
    /// The field has no "Vorlesen" of its own: its section's reads it (a section of one field
    /// would otherwise show two buttons for the same words).
    #[prop(optional)]
    read_by_section: bool,
) -> impl IntoView {
    let app = use_app();
    let editors = field.editors.clone();
    let own_words = field.own_words;
    // Whether the current role may write this field; follows "Meine Rolle". The person's own
    // words are written in their role only.
    let editable = Signal::derive(move || {
        let role = app.role.get();
        editors.contains(&role) && (!own_words || role == dreieck_model::Role::Beneficiary)
    });
    // `data-field` tells presence which field focus is in, whatever control has it.
    let field_id = field.id.clone();
    let conditional = field.shown_when.is_some();
    // The goals have their own structure; every other field shows its history on request.
    let own_words_parts = own_words.then(|| view! { <OwnWordsParts field=field.clone() /> });
    let staff_view = use_context::<OwnView>().is_none();
    let history = (staff_view && !matches!(field.kind, FieldKind::Goals { .. })).then(|| {
        view! { <FieldHistory field_id=field.id.clone() label=field.label.clone() plain_label=field.plain_label.clone() /> }
    });
    // Read aloud: the plain label and help, then what the field holds. While the value is
    // read, the control is highlighted (its sentences are not on screen as text).
    let reader = app.reader;
    let editor = use_editor();
    let value_from = field_sentences(&field).len();
    let spoken_def = field.clone();
    let spoken = Callback::new(move |()| {
        editor
            .read(|r| spoken_field(&spoken_def, r))
            .unwrap_or_default()
    });
    let reading_id = field_id.clone();
    let reading_value = move || {
        reader
            .sentence(&reading_id)
            .is_some_and(|i| i >= value_from)
    };
    let read_button = (!read_by_section).then(|| {
        view! {
            <ReadAloudButton block=field_id.clone() what=field.plain_label.clone() sentences=spoken />
        }
    });
    // The caseworker's questions on this field, under it.
    let remarks = view! {
        <RemarkThread anchor=Anchor::Field(field.id.clone()) about=field.label.clone() />
    };
    let control = match field.kind.clone() {
        FieldKind::ShortText => {
            view! { <TextField field=field editable=editable multiline=false /> }.into_any()
        }
        FieldKind::LongText => {
            view! { <TextField field=field editable=editable multiline=true /> }.into_any()
        }
        FieldKind::Date { .. } => view! { <DateField field=field editable=editable /> }.into_any(),
        FieldKind::DateRange => {
            view! { <DateRangeField field=field editable=editable /> }.into_any()
        }
        FieldKind::Choice { code_list } => {
            view! { <ChoiceField field=field code_list=code_list editable=editable /> }.into_any()
        }
        FieldKind::Signature { optional } => {
            view! { <SignatureField field=field optional=optional editable=editable /> }.into_any()
        }
        FieldKind::Goals {
            achievement_codes,
            reason_codes,
        } => view! {
            <GoalsTable
                field=field
                achievement_codes=achievement_codes
                reason_codes=reason_codes
                editable=editable
            />
        }
        .into_any(),
    };
    let marker = field_id.clone();
    // A field whose condition does not hold (`shown_when`: the Feedbackbogen's Anlass) is not
    // part of this report now. It stays in the DOM, hidden, so switching back keeps its state.
    // Only the fields a condition looks at can change that (wherever they are set); a field
    // without a condition of its own is hidden with its section.
    let shown_id = field_id.clone();
    let hidden = move || {
        conditional && {
            editor.track_conditions();
            !editor.read(|r| r.is_shown(&shown_id)).unwrap_or(true)
        }
    };
    view! {
        <div class="field-slot" class:reading-value=reading_value data-field=field_id hidden=hidden>
            <FieldPresence field_id=marker />
            {read_button}
            {control}
            {own_words_parts}
            {remarks}
            {history}
        </div>
    }
}

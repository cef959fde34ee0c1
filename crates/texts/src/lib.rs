//! The app's own words, one catalogue per language variant: [`standard::STANDARD`] and
//! [`plain::PLAIN`] (Leichte Sprache).
//!
//! Plain texts are written by hand, not generated, and a Leichte-Sprache checker group reads
//! them; so they live together in one file per variant, where a reviewer finds every text in
//! one place and next to nothing else, not scattered through the views. Both catalogues are
//! values of one struct, [`Texts`]: a text added to one and forgotten in the other does not
//! compile. `cargo xtask texts` prints both side by side as a table for the review, and
//! [`rules::problems`] — the rules every plain text is tested against, the templates' too —
//! finds what a machine can find (passive voice, long sentences, abbreviations, slashes,
//! blaming words) before people read the rest. The crate has no dependencies: the browser app,
//! the model's tests and xtask all use it.
//!
//! The views read the catalogue of the language shown (`AppContext::texts` in the app); texts
//! that hold data (a name, a count) are written as functions beside the view until they move
//! here too (see `docs/leichte-sprache.md` for which views are done).

pub mod plain;
pub mod rules;
pub mod standard;

macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident,)*) => {
        /// Every text of the app that has been moved to the catalogues, by key.
        #[derive(Debug)]
        pub struct Texts {
            $($(#[$doc])* pub $key: &'static str,)*
        }

        impl Texts {
            /// Every text with its key, in the order of the struct (for the review table and
            /// the tests).
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key)),*]
            }
        }
    };
}

catalogue! {
    /// The first link on every page, for keyboard users.
    skip_to_content,
    /// Main navigation.
    nav_reports,
    nav_templates,
    nav_label,
    /// "Sperren" in the header.
    lock_now,
    /// The header's role choice and the four roles in it.
    my_role,
    role_beneficiary,
    role_provider,
    role_caseworker,
    role_guardian,
    /// The person's own view.
    person_intro,
    person_whole_report,
    person_read_all,
    person_not_the_person,
    person_goals,
    person_no_goals,
    person_one_goal,
    person_goals_count,
    person_goal_without_text,
    person_measures,
    person_no_own_rating,
    person_provider_says,
    person_ratings_differ,
    person_written_by_others,
    person_nothing_written,
    person_written_by,
    person_sign,
    /// The editor's link to the person's own view.
    editor_person_view,
    /// The way back to the case list.
    back_label,
    back_to_list,
    /// Whether what was typed is stored on the device.
    save_saved,
    save_saving,
    save_failed,
    save_retry,
    /// Undo and redo in the editor bar.
    undo,
    redo,
    /// Where the device stands with the others (the time it has stood so).
    sync_synced,
    sync_connecting,
    sync_no_network,
    sync_unreachable,
    /// The way changes go.
    path_direct,
    path_server,
    path_none,
    /// Changes not yet sent, since when.
    sync_waiting_direct,
    sync_waiting,
    /// The signature pad.
    sign_pad,
    sign_button,
    sign_checking,
    /// The app's name and the header's switch to Leichte Sprache.
    app_name,
    plain_language,
    /// Reading aloud: the button, its name for what it reads, and stopping.
    read_aloud,
    read_aloud_what,
    read_aloud_stop,
    read_aloud_stop_label,
    /// The marks beside a field's label.
    field_required,
    field_optional,
    field_read_only,
    /// The two dates of a period.
    date_from,
    date_to,
    /// "Verlauf" under a field: who changed it when.
    history,
    history_of,
    history_unreadable,
    history_empty,
    history_questions,
    history_no_time,
    history_no_date,
    history_unknown_role,
    history_written,
    history_deleted,
    history_set,
    history_one_character,
    history_characters,
    /// The editor's head: whom the report is about, the role writing, the ways on.
    editor_no_name,
    editor_subject,
    editor_writing_as,
    editor_conversation,
    editor_print,
    /// Empty choices and answers.
    choose_one,
    /// The conversation's closing summary.
    summary_agreed,
    summary_sayings,
    summary_still_to_sign,
    summary_to_signatures,
    /// The conversation's head.
    conversation_subject,
    conversation_whole_report,
    /// The device lock: setting a PIN, locking, the minutes until it locks itself.
    first_use_title,
    /// Goals and their measures.
    goal_text,
    goal_import_open,
    goal_import_label,
    goal_import_file,
    measures,
    measure_add_first,
    measure_add_more,
    goal_origin_new,
    goal_level,
    no_answer,
    goal_area,
    goal_target_date,
    self_rating_legend,
    self_rating_only_person,
    goals_none,
    goal_add,
    /// Reports kept only at the relay.
    kept_title,
    kept_hint,
    lock_page_title,
    pin_mismatch,
    lock_page_intro,
    lock_now_button,
    lock_now_hint,
    lock_auto_title,
    lock_auto_minutes,
    pin_new_mismatch,
    pin_changed,
    /// The person's own words and the words staff write down for them.
    own_words_staff_hint,
    own_words_remark,
    /// Who takes part in the conversation, and who speaks.
    participants_title,
    /// People with their own key on this device.
    people_none,
    people_title,
    people_intro,
    people_name_missing,
    people_add,
    people_name,
    people_role,
    recorded_add,
    recorded_changed_while_confirming,
    /// The caseworker's review.
    review_no_questions,
    review_not_accepted,
    review_title,
    review_intro,
    /// A signature line and the pad.
    signature_broken,
    signature_missing,
    signature_typed,
    signature_valid,
    signature_again,
    sign_name,
    sign_clear,
    /// Who signs on this device.
    signer_title,
    signer_other,
    speaker_label,
    speaker_first_participants,
    /// Help texts read sentence by sentence.
    goal_import_help,
    goal_smart_prompt,
    sign_hint,
    /// A goal's card: its number, moving it, removing it.
    goal_number,
    move_up,
    move_down,
    move_up_what,
    move_down_what,
    goal_remove,
    goal_remove_question,
    /// A measure, numbered.
    measure_text,
    measure_by,
    measure_until,
    measure_remove,
    measure_remove_question,
    measure_remove_confirm,
    /// The provider's rating of a goal.
    achievement_legend,
    /// Buttons of dialogs.
    cancel,
    remove,
    /// "Prüfen": what is missing before signing.
    check_title,
    check_intro,
    check_run,
    check_again,
    check_none,
    check_one,
    check_many,
    /// "Stand des Berichts": where the report stands, its deadline, its submission.
    case_title,
    case_status,
    status_draft,
    status_in_conversation,
    status_signed,
    status_submitted,
    status_draft_next,
    status_in_conversation_next,
    status_signed_next,
    status_submitted_next,
    due_overdue,
    due_soon,
    due_at,
    due_unknown,
    case_accepted,
    case_submitted,
    case_withdraw,
    case_sent_on,
    case_mark_sent,
    case_sent_date_missing,
    case_sent_who,
    /// "Fehlender Hilfebaustein": help the person would have needed.
    gap_title,
    gap_intro,
    gap_none,
    gap_list,
    gap_remove,
    gap_by,
    gap_on,
    gap_area,
    gap_text,
    gap_add,
    gap_no_area,
    gap_who,
    device_date_unknown,
    /// "Nächster Bogen": the form that follows this one.
    follow_up_title,
    follow_up_intro,
    follow_up_same,
    follow_up_other,
    follow_up_failed,
    /// A role named in a sentence ("Der Dienst hat das geschrieben"): the person is addressed as "Sie".
    named_beneficiary,
    named_provider,
    named_caseworker,
    named_guardian,
    /// Who wrote something, after a name or "Jemand".
    from_beneficiary,
    from_provider,
    from_caseworker,
    from_guardian,
    /// The conversation's closing summary.
    summary_read,
    summary_no_sayings,
    summary_goal_without_text,
    summary_goal,
    summary_measure,
    summary_achievement,
    summary_self_rating,
    summary_differ,
    summary_own,
    summary_recorded,
    summary_confirmed,
    summary_not_confirmed,
    summary_remark,
    summary_all_signed,
    summary_one_missing,
    summary_missing,
    summary_signed,
    summary_signed_earlier,
    summary_optional,
    summary_unsigned,
    /// The conversation's steps.
    agenda_goal_step,
    agenda_position,
    agenda_label,
    agenda_label_bottom,
    back,
    next,
    speaker_now,
    participant_name,
    /// The person's own words: who wrote them and how.
    own_by,
    own_unnamed,
    own_unnamed_subject,
    own_how,
    own_you_how,
    own_typed_spoken,
    own_typed,
    own_spoken,
    /// Dictating.
    dictate,
    dictate_stop,
    dictate_listening,
    dictate_failed,
    /// Words staff wrote down for the person.
    recorded_you_said,
    recorded_person_said,
    recorded_someone,
    recorded_you_confirmed,
    recorded_you_not_confirmed,
    recorded_person_confirmed,
    recorded_person_not_confirmed,
    recorded_label,
    recorded_what,
    recorded_remove,
    recorded_remove_question,
    recorded_confirm,
    /// Connecting two devices directly, with no internet (one line per paragraph).
    direct_intro,
    direct_show,
    direct_scan,
    direct_show_offer,
    direct_scan_answer,
    direct_scanning,
    direct_show_answer,
    direct_connected,
    /// Sharing a report: inviting people (one line per paragraph).
    share_intro,
    share_nobody,
    share_role,
    share_name,
    share_create,
    /// Around the two dialogs above.
    direct_button,
    direct_code_label,
    direct_code_making,
    direct_camera,
    direct_off,
    done,
    share_button,
    share_title,
    share_failed,
    share_until,
    share_not_shared,
    share_no_address,
    share_not_here,
    share_not_saved,

    /// Members of a report, and what removing one does.
    member_hint,
    /// This device was left behind when the report moved.
    moved_title,
    moved_text,
    /// Changes from another device that it may not make.
    refused_title,
    refused_text,
    /// Joining: nobody answers for a while.
    join_long_wait,
    /// Exporting a report as a file.
    export_button,
    export_title,
    export_sealed_title,
    export_sealed_intro,
    export_password,
    export_password_again,
    export_password_short,
    export_password_differs,
    export_sealing,
    export_seal,
    export_open_title,
    export_open_intro,
    export_automerge,
    export_automerge_hint,
    export_json,
    export_json_hint,
    export_csv,
    export_csv_hint,
    export_sealed_done,
    export_done,
    export_failed,
    close,
    /// What the relay said (docs/contracts.md): the session crate keeps the standard text, the view shows it in the language chosen.
    relay_refused,
    relay_admission_refused,
    relay_outdated,
    relay_frame_too_large,
    relay_busy,
    relay_address_busy,
    relay_room_full,
    relay_room_storage_full,
    relay_full,
    relay_restarting,
    relay_purged,
    relay_storage_failure,
    relay_disturbed,
    relay_too_large_local,
    /// The case list.
    list_title,
    list_delete_shared,
    list_delete,
    list_delete_confirm,
    list_take_off_until,
    list_take_off,
    list_taken_off,
    list_take_off_failed,
    list_let_go,
    list_let_go_done,
    list_take_off_confirm,
    list_let_go_confirm,
    list_unsaved,
    list_missing_help,
    list_impact,
    list_none_filtered,
    list_none_here,
    list_none_yet,
    list_label,
    list_lock_settings,
    list_lock_offer,
    /// The list's filters.
    filter_label,
    filter_all,
    filter_search,
    filter_status,
    filter_form,
    filter_occasion,
    filter_approval,
    filter_order,
    filter_overdue,
    filter_questions,
    /// A report's row in the list.
    row_changed,
    row_from,
    row_to,
    row_occasion,
    row_question_open,
    row_questions_open,
    row_answer_to_check,
    row_answers_to_check,
    row_accepted,
    row_overdue,
    row_soon,
    row_due,
    row_retention_ended,
    row_retention_delete,
    row_retention_delete_all,
    row_retention_fetch,
    row_retention_soon,
    row_retention_until,
    row_one_gap,
    row_gaps,
    row_delete,
    row_take_off,
    row_no_name,
    /// Starting a report, importing one, the storage the device has.
    new_form,
    new_report,
    new_creating,
    new_failed,
    new_no_template,
    import_button,
    import_busy,
    import_hint,
    import_open,
    import_failed,
    storage_used,
    list_unreadable,
    form_own_version,
    list_loading,
    storage_nearly_full,
    import_unchanged,
    kept_status,
    kept_fetch,
    kept_fetch_label,
    kept_let_go_label,
    kept_label,
    order_due,
    order_changed,
    order_name,
    order_period,
    order_approval,
    /// Who is in a report.
    member_title,
    member_invited,
    member_owner,
    member_this_device,
    member_removed,
    member_withdraw,
    member_withdraw_label,
    member_remove,
    member_remove_label,
    /// "Prüfen": what is missing or cannot be right, per field and goal (the model's checks).
    check_unreadable,
    check_fill,
    check_birth_future,
    check_birth_old,
    check_range_from,
    check_range_to,
    check_range_order,
    check_choose,
    check_sign,
    check_sign_name,
    check_sign_date,
    check_sign_future,
    check_sign_invalid,
    check_sign_earlier,
    check_conflict,
    check_goals_none,
    check_goal_text,
    check_goal_achievement,
    check_goal_reason,
    check_goal_conflict,
    check_what_achievement,
    check_what_reason,
    check_what_self_rating,
    /// The lock screen (before the PIN is entered).
    locked_title,
    locked_intro,
    locked_pin,
    locked_open,
    locked_opening,
    locked_sealing,
    locked_wrong_pin,
    locked_next_try,
    locked_wait,
    locked_wiped,
    locked_start_again,
    locked_warning,
    /// Opening a report.
    open_opening,
    open_failed_title,
    open_loading,
    open_not_found,
    open_failed,
    open_raw_data,
    /// The toast after deleting from the list.
    toast_deleted,
    toast_undo,
    /// Two people set one value at the same time.
    conflict_label,
    conflict_question,
    conflict_or,
    conflict_take,
    /// Deleting for everyone.
    deleted_title,
    deleted_to_list,
    delete_all_title,
    delete_all_intro,
    delete_all_question,
    delete_all_button,
    delete_all_confirm,
    delete_all_sent,
    /// A report deleted for everyone: said in the report, and in the list.
    deleted_retention_here,
    deleted_by_here,
    deleted_retention_list,
    deleted_by_list,
    deleted_list_title,
    deleted_hide,
    deleted_hide_label,
    /// A link to a report this device has already.
    link_here_title,
    link_here_text,
    link_here_use,
    link_elsewhere_title,
    link_elsewhere_text,
    link_elsewhere_use,
    link_keep,
    /// Why an invitation was declined (the model says it; one line per sentence in Leichte Sprache).
    declined_withdrawn,
    declined_expired,
    declined_used_up,
    /// Opening an invitation or fetching a report back.
    join_title,
    join_fetch_title,
    join_checking,
    join_preparing,
    join_to_list,
    join_invited_as,
    join_connecting,
    join_waiting,
    join_no_network,
    join_unreachable,
    join_report_connecting,
    join_fetching,
    join_waiting_data,
    join_not_stored,
    trouble_bad_link,
    trouble_outdated,
    trouble_not_this,
    trouble_not_stored,
    trouble_deleted,
    trouble_no_way_back,
    /// The caseworker's questions on a field or goal, and the provider's answers.
    remark_open,
    remark_answered,
    remark_done,
    remark_ask_label,
    remark_ask_open,
    remark_send,
    remark_from,
    remark_answer_from,
    remark_on_day,
    remark_change_answer,
    remark_answer_label,
    remark_send_answer,
    remark_reopen,
    remark_mark_done,
    remark_withdraw,
    remark_write_answer,
    /// The caseworker's review of the whole report.
    review_field_gone,
    review_goal_gone,
    review_accept_date_missing,
    review_counts,
    review_jump_label,
    review_jump,
    review_changed_since,
    review_incomplete,
    review_accepted,
    review_withdraw,
    review_accepted_on,
    review_accept,
    review_list_label,
    /// A signed line.
    signed_by,
    signature_drawn,
    signature_earlier,
    signature_invalid,
    signature_no_date,
    person_pin_wrong,
    person_pin_wrong_left,
    person_pin_wait,
    person_pin_wiped,
    /// Goals taken from the Gesamtplan.
    goal_import_one,
    goal_import_many,
    goal_import_failed,
    /// One invitation just made.
    invite_link_for,
    invite_copy,
    invite_copied,
    invite_qr,
    /// Who signs on a shared tablet.
    signer_pin_of,
    signer_own_pin,
    person_subject,
    choice_unknown_list,
    /// The forms on this device ("Vorlagen").
    templates_title,
    templates_intro,
    templates_unreadable,
    templates_label,
    templates_remove_question,
    templates_removed,
    template_own,
    template_shipped,
    template_meta,
    template_one_field,
    template_fields,
    template_which,
    template_edit,
    template_edit_label,
    template_download,
    template_download_label,
    template_remove_label,
    template_import,
    template_checking,
    template_import_hint,
    template_import_failed,
    /// Setting and changing the device's PIN.
    pin_too_short,
    pin_hint,
    pin_new,
    pin_repeat,
    pin_setting,
    pin_set,
    pin_one_minute,
    pin_minutes,
    pin_change_title,
    pin_old,
    pin_new_repeat,
    pin_change,
    /// People with their own key on this device.
    people_remove_question,
    people_removed,
    people_remove_label,
    people_own_pin,
    people_own_pin_repeat,
    people_adding,
    /// Pages for staff only: the official paper form, statistics of all reports, the form editor.
    staff_only,
    print_button,
    print_back,
    /// Why the device could not store or read (StorageError, in Leichte Sprache).
    storage_quota_full,
    storage_unavailable,
    storage_write_failed,
    storage_read_failed,
    storage_not_found,
    storage_corrupt,
    storage_locked,
    template_added,
    template_there,
    /// Why a change from another device was refused (the model's gate).
    refused_unsigned,
    refused_bad_signature,
    refused_not_member,
    refused_removed,
    refused_not_permitted,
    refused_builds_on_refused,
    refused_conflicting,
    refused_unreadable,
    refused_change,
    refused_unknown_device,
    refused_someone,
    /// Notices above an open report.
    notice_refused_deletion,
    /// Who else is in the report now.
    presence_title,
    presence_writing,
    presence_reading,
    /// Opening a protected report file.
    open_file_title,
    open_file_intro,
    open_file_password,
    open_file_busy,
    open_file_open,
    /// A report that cannot be read.
    broken_title,
    broken_download,
}

/// `text` with its `{}` replaced by `value` (for the few texts that hold a number or a name).
pub fn fill(text: &str, value: &str) -> String {
    text.replacen("{}", value, 1)
}

/// `text` with each named place (`{name}`) filled by its value, for texts that hold more than
/// one value: a plain text may leave out a value the standard text names, or put them in
/// another order.
pub fn fill_with(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The parts of `text` before and after its `{}`, for a view that sets the value apart (in
/// `<strong>`, say) while the sentence stays one text in the catalogue.
pub fn around(text: &str) -> (&str, &str) {
    text.split_once("{}").unwrap_or((text, ""))
}

/// The Leichte-Sprache text of a standard text of the catalogue, for texts a library keeps
/// in standard German (what the relay said, why a change was refused) and the view shows in
/// the language chosen; a text not in the catalogue comes back as it is.
pub fn plain_of(standard: &str) -> &str {
    standard::STANDARD
        .entries()
        .into_iter()
        .zip(plain::PLAIN.entries())
        .find(|((_, s), _)| *s == standard)
        .map_or(standard, |(_, (_, p))| p)
}

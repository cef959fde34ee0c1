//! The views: one small component per file, named after what it shows. They hold no data of
//! their own beyond what is on screen; state lives in [`crate::state`].

pub mod app_shell;
pub mod broken_row;
pub mod case_list_page;
pub mod case_row;
pub mod check_panel;
pub mod choice_field;
pub mod confirm_dialog;
pub mod conflict_notice;
pub mod date_field;
pub mod date_range_field;
pub mod editor_page;
pub mod field_label;
pub mod field_presence;
pub mod field_view;
pub mod follow_up;
pub mod goal_achievement;
pub mod goal_card;
pub mod goal_reason;
pub mod goals_table;
pub mod invitation_card;
pub mod join_page;
pub mod presence_list;
pub mod qr_code;
pub mod report_form;
pub mod role_select;
pub mod save_status;
pub mod section_view;
pub mod share_dialog;
pub mod signature_field;
pub mod signature_pad;
pub mod storage_usage;
pub mod sync_bar;
pub mod sync_status;
pub mod text_field;
pub mod undo_toasts;

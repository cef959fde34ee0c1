//! Turning "the field now reads X" into the smallest splice, so that concurrent edits elsewhere
//! in the same text survive.

/// Returns (position, characters to delete, text to insert), positions in Unicode scalar values.
pub(crate) fn splice_between(old: &str, new: &str) -> (usize, usize, String) {
    let _ = (old, new);
    todo!()
}

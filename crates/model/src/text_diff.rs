//! Turning "the field now reads X" into the smallest splice, so that concurrent edits elsewhere
//! in the same text survive.
//!
//! A text input hands over the whole new value on every keystroke. Replacing the whole Automerge
//! Text with it would delete every character another replica typed concurrently; splicing only
//! the changed middle keeps them. Positions count Unicode scalar values (`char`s), the unit the
//! report's Automerge document indexes text in.

/// Returns (position, characters to delete, text to insert), positions in Unicode scalar values.
///
/// The common prefix is taken first, then the common suffix of what remains, so the two never
/// overlap. Equal strings give `(len, 0, "")`, a no-op splice.
pub(crate) fn splice_between(old: &str, new: &str) -> (usize, usize, String) {
    let old_chars: Vec<char> = old.chars().collect();
    let new_chars: Vec<char> = new.chars().collect();
    let prefix = old_chars
        .iter()
        .zip(new_chars.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let old_rest = &old_chars[prefix..];
    let new_rest = &new_chars[prefix..];
    let suffix = old_rest
        .iter()
        .rev()
        .zip(new_rest.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let delete = old_rest.len() - suffix;
    let insert: String = new_rest[..new_rest.len() - suffix].iter().collect();
    (prefix, delete, insert)
}

#[cfg(test)]
mod tests {
    use super::splice_between;

    /// Applies a splice to a string the way Automerge applies it to a Text.
    fn apply(old: &str, (pos, del, ins): (usize, usize, String)) -> String {
        let chars: Vec<char> = old.chars().collect();
        let mut out: String = chars[..pos].iter().collect();
        out.push_str(&ins);
        out.extend(chars[pos + del..].iter());
        out
    }

    #[test]
    fn finds_the_changed_middle() {
        assert_eq!(
            splice_between("Hallo Welt", "Hallo schöne Welt"),
            (6, 0, "schöne ".into())
        );
        assert_eq!(splice_between("abc", "abc"), (3, 0, String::new()));
        assert_eq!(splice_between("", "neu"), (0, 0, "neu".into()));
        assert_eq!(splice_between("alt", ""), (0, 3, String::new()));
        assert_eq!(splice_between("Hund", "Mund"), (0, 1, "M".into()));
        assert_eq!(splice_between("Haus", "Hauß"), (3, 1, "ß".into()));
    }

    #[test]
    fn repeated_characters_do_not_overlap() {
        // Prefix "aa" and suffix "aa" would overlap in "aaa"; the suffix must be cut short.
        let s = splice_between("aaa", "aaaa");
        assert_eq!(s, (3, 0, "a".into()));
        assert_eq!(apply("aaa", s), "aaaa");
        let s = splice_between("aaaa", "aa");
        assert_eq!(apply("aaaa", s.clone()), "aa");
        assert_eq!(s.1, 2);
    }

    #[test]
    fn counts_scalar_values_not_bytes() {
        let s = splice_between("Grüße 😀!", "Grüße 😀😀!");
        assert_eq!(s, (7, 0, "😀".into()));
        assert_eq!(apply("Grüße 😀!", s), "Grüße 😀😀!");
    }

    #[test]
    fn roundtrips_arbitrary_pairs() {
        let samples = [
            "",
            "a",
            "ab",
            "ba",
            "äöü",
            "😀a😀",
            "aaaa",
            "Zielerreichung",
        ];
        for old in samples {
            for new in samples {
                assert_eq!(
                    apply(old, splice_between(old, new)),
                    new,
                    "{old:?} → {new:?}"
                );
            }
        }
    }
}

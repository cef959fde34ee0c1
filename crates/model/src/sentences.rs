//! Splitting a text into sentences, for reading aloud and for showing plain language one
//! sentence per line.
//!
//! Leichte Sprache has one statement per sentence and no abbreviations, so a sentence ends at
//! `.`, `?`, `!` or `:` followed by white space or the end of the text. Text typed by people
//! ("z. B.", "Nr. 3") is split the same way; for reading aloud that only adds a pause.

/// The sentences of `text`, trimmed, without empty ones. Joined with single spaces they give
/// the text back with its white space normalised.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = matches!(c, '.' | '?' | '!' | ':' | '…')
            && chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if ends || c == '\n' {
            let end = i + c.len_utf8();
            push(&mut out, &text[start..end]);
            start = end;
        }
    }
    push(&mut out, &text[start..]);
    out
}

fn push<'a>(out: &mut Vec<&'a str>, part: &'a str) {
    let part = part.trim();
    if !part.is_empty() {
        out.push(part);
    }
}

#[cfg(test)]
mod tests {
    use super::sentences;

    #[test]
    fn splits_after_full_stops_questions_and_colons() {
        assert_eq!(
            sentences("Es hat ganz geklappt. Oder es ist sogar besser geworden."),
            [
                "Es hat ganz geklappt.",
                "Oder es ist sogar besser geworden."
            ]
        );
        assert_eq!(
            sentences("Wie wollen Sie leben? Was ist Ihnen wichtig?"),
            ["Wie wollen Sie leben?", "Was ist Ihnen wichtig?"]
        );
        assert_eq!(
            sentences("Zum Beispiel: Ihre Familie. Ihre Freunde."),
            ["Zum Beispiel:", "Ihre Familie.", "Ihre Freunde."]
        );
    }

    #[test]
    fn keeps_dots_inside_words_and_numbers() {
        assert_eq!(
            sentences("Am 1.3.2026 um 10.30 Uhr"),
            ["Am 1.3.2026 um 10.30 Uhr"]
        );
        assert_eq!(sentences("www.example.org"), ["www.example.org"]);
    }

    #[test]
    fn line_breaks_end_a_sentence_and_blank_text_has_none() {
        assert_eq!(
            sentences("Einkaufen\nKochen lernen"),
            ["Einkaufen", "Kochen lernen"]
        );
        assert!(sentences("  \n ").is_empty());
        assert_eq!(sentences("Ein Satz ohne Punkt"), ["Ein Satz ohne Punkt"]);
    }

    #[test]
    fn multibyte_text_is_split_on_char_boundaries() {
        assert_eq!(
            sentences("Schön! Grüße … Ende"),
            ["Schön!", "Grüße …", "Ende"]
        );
    }
}

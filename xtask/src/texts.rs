//! The app's texts for people and for tests: a review table for the Leichte-Sprache checker
//! group, and both catalogues as JSON for the end-to-end walker, which fails on any text
//! shown in plain mode that is not in the plain catalogue (tests/e2e/plain-walk.test.mjs).

use dreieck_texts::{plain::PLAIN, standard::STANDARD};

/// Both catalogues of the app's texts side by side, as a Markdown table for the review by a
/// Leichte-Sprache checker group, with what the rules found in each plain text.
pub fn table() -> String {
    use dreieck_texts::rules;
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
    let mut out =
        String::from("| Schlüssel | Standard | Leichte Sprache | Prüfung |\n|---|---|---|---|\n");
    for ((key, standard), (_, plain)) in STANDARD.entries().into_iter().zip(PLAIN.entries()) {
        let found = rules::problems(plain);
        let check = if found.is_empty() {
            "ok".to_string()
        } else {
            found.join("; ")
        };
        out.push_str(&format!(
            "| {key} | {} | {} | {} |\n",
            cell(standard),
            cell(plain),
            cell(&check)
        ));
    }
    out
}

/// `{"standard": {key: text}, "plain": {key: text}}`, keys in catalogue order.
pub fn json() -> String {
    let object = |entries: Vec<(&str, &str)>| {
        let items: Vec<String> = entries
            .into_iter()
            .map(|(key, text)| format!("{}: {}", quote(key), quote(text)))
            .collect();
        format!("{{\n    {}\n  }}", items.join(",\n    "))
    };
    format!(
        "{{\n  \"standard\": {},\n  \"plain\": {}\n}}\n",
        object(STANDARD.entries()),
        object(PLAIN.entries())
    )
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_what_json_needs_quoted() {
        assert_eq!(super::quote("a \"b\" \\ c\n"), r#""a \"b\" \\ c\n""#);
    }
}

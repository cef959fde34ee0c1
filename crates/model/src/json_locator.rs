//! Where in a JSON text a value is: the line a template check's problem is on.
//!
//! serde gives positions for syntax errors only; the checks after parsing know *what* is wrong
//! (the third field of the second section names an unknown code list) but not *where* in the
//! file. This scanner walks the source once and records the byte offset of every value by its
//! path (`sections` → 1 → `fields` → 2 → `code_list`), so a problem can name its line. A few
//! dozen lines instead of a spanned-JSON dependency in the browser app; it only ever runs on
//! text serde has already accepted, and on anything else it gives up quietly (no line) rather
//! than failing.

/// One step of a path into a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path into a JSON value, outermost first.
pub type Path = Vec<Seg>;

/// Builds a path: `at_path!["sections", i, "fields", j]`.
macro_rules! at_path {
    ($($seg:expr),* $(,)?) => {
        Vec::from([$($crate::json_locator::Seg::from($seg)),*])
    };
}
pub(crate) use at_path;

impl From<&str> for Seg {
    fn from(key: &str) -> Seg {
        Seg::Key(key.to_string())
    }
}

impl From<&String> for Seg {
    fn from(key: &String) -> Seg {
        Seg::Key(key.clone())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Seg {
        Seg::Index(index)
    }
}

/// Deeper than any sensible template; serde_json stops at 128 too.
const MAX_DEPTH: usize = 128;

/// Every value of a JSON text with its path and byte range (`start..end`). For a member of an
/// object, `start` is where its key begins: that is the line a reader looks for.
#[derive(Debug, Default)]
pub struct Spans {
    spans: Vec<Span>,
}

#[derive(Debug)]
struct Span {
    path: Path,
    /// Where a reader looks: the key of a member, the value otherwise.
    start: usize,
    /// Where the value itself begins.
    value: usize,
    end: usize,
}

impl Spans {
    /// Scans `src`. Text that is not JSON yields what was found up to the problem.
    pub fn of(src: &str) -> Spans {
        let mut scanner = Scanner {
            src: src.as_bytes(),
            text: src,
            at: 0,
            out: Vec::new(),
        };
        let _ = scanner.value(&mut Vec::new(), 0);
        Spans { spans: scanner.out }
    }

    /// The 1-based line of the value at `path`, or of the deepest part of it that exists (a
    /// missing key: its object).
    pub fn line(&self, src: &str, path: &[Seg]) -> Option<usize> {
        let offset = (0..=path.len())
            .rev()
            .find_map(|n| self.start(&path[..n]))?;
        Some(line_at(src, offset))
    }

    /// The byte offset where the value at `path` (a member: its key) begins.
    pub fn offset(&self, path: &[Seg]) -> Option<usize> {
        self.start(path)
    }

    fn start(&self, path: &[Seg]) -> Option<usize> {
        self.spans
            .iter()
            .find(|s| s.path.as_slice() == path)
            .map(|s| s.start)
    }

    /// The text of the string value at `path`, decoded.
    pub fn string(&self, src: &str, path: &[Seg]) -> Option<String> {
        let span = self.spans.iter().find(|s| s.path.as_slice() == path)?;
        serde_json::from_str::<String>(src.get(span.value..span.end)?).ok()
    }

    /// The paths of the values that contain byte `offset`, outermost first.
    pub fn enclosing(&self, offset: usize) -> Vec<&Path> {
        let mut out: Vec<&Path> = self
            .spans
            .iter()
            .filter(|s| s.start <= offset && offset <= s.end)
            .map(|s| &s.path)
            .collect();
        out.sort_by_key(|p| p.len());
        out
    }
}

/// The 1-based line of byte `offset`.
pub fn line_at(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The byte offset of a 1-based line and column (as serde_json counts them), clamped to the text.
pub fn offset_of(src: &str, line: usize, column: usize) -> usize {
    let start: usize = src
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(src.len())
}

struct Scanner<'a> {
    src: &'a [u8],
    text: &'a str,
    at: usize,
    out: Vec<Span>,
}

/// The scanner stops at the first thing that is not JSON.
struct NotJson;

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), NotJson> {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(NotJson)
        }
    }

    /// Scans one value at `path`, recording it (with `start` overridden by a member's key).
    fn value(&mut self, path: &mut Path, depth: usize) -> Result<(), NotJson> {
        self.skip_space();
        let start = self.at;
        self.value_at(path, depth, start)
    }

    fn value_at(&mut self, path: &mut Path, depth: usize, start: usize) -> Result<(), NotJson> {
        if depth > MAX_DEPTH {
            return Err(NotJson);
        }
        self.skip_space();
        let value = self.at;
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                self.skip_space();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_space();
                        let key_start = self.at;
                        self.string()?;
                        let key = self
                            .text
                            .get(key_start..self.at)
                            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
                            .ok_or(NotJson)?;
                        self.expect(b':')?;
                        path.push(Seg::Key(key));
                        let member = self.value_at(path, depth + 1, key_start);
                        path.pop();
                        member?;
                        self.skip_space();
                        match self.peek() {
                            Some(b',') => self.at += 1,
                            Some(b'}') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(NotJson),
                        }
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                self.skip_space();
                if self.peek() == Some(b']') {
                    self.at += 1;
                } else {
                    let mut index = 0;
                    loop {
                        path.push(Seg::Index(index));
                        let element = self.value(path, depth + 1);
                        path.pop();
                        element?;
                        index += 1;
                        self.skip_space();
                        match self.peek() {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(NotJson),
                        }
                    }
                }
            }
            Some(b'"') => self.string()?,
            Some(_) => {
                // Numbers, true, false, null: up to the next delimiter.
                let from = self.at;
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                if self.at == from {
                    return Err(NotJson);
                }
            }
            None => return Err(NotJson),
        }
        self.out.push(Span {
            path: path.clone(),
            start,
            value,
            end: self.at,
        });
        Ok(())
    }

    /// Skips a string, escapes included.
    fn string(&mut self) -> Result<(), NotJson> {
        if self.peek() != Some(b'"') {
            return Err(NotJson);
        }
        self.at += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => self.at += 2,
                Some(_) => self.at += 1,
                None => return Err(NotJson),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "{\n  \"a\": 1,\n  \"b\": [\n    {\"c\": \"x\\\"y\"},\n    {\n      \"d\": true\n    }\n  ]\n}";

    #[test]
    fn finds_lines_by_path() {
        let spans = Spans::of(SRC);
        assert_eq!(spans.line(SRC, &at_path!["a"]), Some(2));
        assert_eq!(spans.line(SRC, &at_path!["b", 0, "c"]), Some(4));
        assert_eq!(spans.line(SRC, &at_path!["b", 1, "d"]), Some(6));
        assert_eq!(spans.line(SRC, &at_path!["b", 1]), Some(5));
        // A key that is not there: its object.
        assert_eq!(spans.line(SRC, &at_path!["b", 1, "e"]), Some(5));
        assert_eq!(
            spans.string(SRC, &at_path!["b", 0, "c"]).as_deref(),
            Some("x\"y")
        );
    }

    #[test]
    fn enclosing_paths_of_an_offset() {
        let spans = Spans::of(SRC);
        let offset = offset_of(SRC, 6, 8);
        let paths = spans.enclosing(offset);
        assert_eq!(
            paths.last().map(|p| p.as_slice()),
            Some(&at_path!["b", 1, "d"][..])
        );
    }

    #[test]
    fn never_panics_on_broken_text() {
        for src in [
            "",
            "{",
            "{\"a\":",
            "[1,",
            "\"\\",
            "{\"a\" 1}",
            "\u{fffd}\u{1}",
        ] {
            let spans = Spans::of(src);
            let _ = spans.line(src, &at_path!["a"]);
            let _ = spans.enclosing(3);
        }
        assert_eq!(offset_of("ab\ncd", 9, 9), 5);
    }
}

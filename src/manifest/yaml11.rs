//! Where go-yaml v2's reader and scanner (YAML 1.1, libyaml's rules) see a document's text
//! differently from saphyr (YAML 1.2), found by comparing both on generated input
//! (tests/oracle):
//!
//! * **Line breaks.** YAML 1.1 breaks lines at U+0085 (NEL), U+2028 (LS) and U+2029 (PS) too,
//!   everywhere: a comment ends there, indentation starts again after it, a plain or quoted
//!   scalar folds there. saphyr reads them as ordinary characters, so
//!   `image: x  # c<NEL>    securityContext: {privileged: true}` would hide a field from
//!   psslint that the API server sees. The parser is therefore fed the text with each of them
//!   replaced by `\n` (one character for one, so markers' character indices still map back to
//!   the real lines and columns). For NEL that is exact: libyaml turns it into `\n` inside
//!   scalars as well. LS and PS are kept as themselves inside a scalar, with folding rules of
//!   their own, so a scalar that contains one is reported instead (fail closed).
//! * **Characters.** libyaml accepts only printable characters: tab, line feed, carriage
//!   return, U+0020–U+007E, NEL, U+00A0–U+D7FF, U+E000–U+FFFD and U+10000 and above. Any
//!   other (C0 and C1 controls, DEL, U+FFFE, U+FFFF) makes the API server reject the document.
//! * **A leading `...`.** A document whose first token is the document end marker `...` is an
//!   error to go-yaml ("did not find expected node content"); YAML 1.2 allows it.

use crate::model::problem::{InputRule, LoadProblem};
use crate::model::source::{Pos, Span};

/// Whether `c` is a line break to YAML 1.1 that YAML 1.2 does not know.
pub fn is_yaml11_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether libyaml's reader accepts `c`.
pub fn is_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether the text needs any of the treatment above (one pass over the bytes; nearly every
/// manifest is ASCII apart from a few letters, and needs none).
pub fn needs_care(text: &str) -> bool {
    // Every character in question is a C0 control, DEL, or a multi-byte sequence starting
    // with 0xC2 (U+0080–U+00BF), 0xE2 (U+2028/2029) or 0xEF (U+FFFE/FFFF).
    let b = text.as_bytes();
    if b.iter()
        .any(|&c| (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7F)
    {
        return true;
    }
    if memchr::memchr3(0xC2, 0xE2, 0xEF, b).is_none() {
        return starts_with_document_end(text);
    }
    text.chars().any(|c| is_yaml11_break(c) || !is_printable(c)) || starts_with_document_end(text)
}

/// The problem libyaml's reader reports for this text, if any: the first character it does not
/// accept, at its position (`start_line` is the text's first line in the file).
pub fn unprintable(text: &str, start_line: u32) -> Option<LoadProblem> {
    let (mut line, mut col) = (start_line, 1u32);
    for c in text.chars() {
        if !is_printable(c) {
            let pos = Pos::new(line, col);
            return Some(
                LoadProblem::new(
                    InputRule::ParseError,
                    format!(
                        "control character U+{:04X} is not allowed in YAML; the API server \
                         rejects this document",
                        c as u32
                    ),
                    Some(Span::point(pos)),
                )
                .with_hint(
                    "remove the character, or write it as an escape in a double-quoted string",
                ),
            );
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    None
}

/// Whether the first token is `...` (after blank and comment lines and a byte order mark).
pub fn starts_with_document_end(text: &str) -> bool {
    for line in text.split('\n') {
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed == "\r" || trimmed.starts_with('#') {
            continue;
        }
        return line
            .strip_prefix("...")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']));
    }
    false
}

/// The problem go-yaml reports for a document that starts with `...`.
pub fn leading_document_end(text: &str, start_line: u32) -> Option<LoadProblem> {
    if !starts_with_document_end(text) {
        return None;
    }
    let skipped = text
        .split('\n')
        .take_while(|l| {
            let t = l.trim_start_matches(['\u{feff}', ' ', '\t']);
            t.is_empty() || t == "\r" || t.starts_with('#')
        })
        .count() as u32;
    let line = start_line + skipped;
    Some(
        LoadProblem::new(
            InputRule::ParseError,
            "a document cannot start with the end marker `...`: the API server's YAML decoder \
             finds no content (\"did not find expected node content\") and rejects it",
            Some(Span::new(Pos::new(line, 1), Pos::new(line, 4))),
        )
        .with_hint("remove the `...` line, or put the document's content before it"),
    )
}

/// The text as go-yaml's scanner breaks it into lines: every YAML 1.1 line break replaced by
/// `\n` (the same number of characters), and the character indices of the LS and PS among
/// them (which stay themselves inside scalars). `None` when the text has none.
pub fn with_yaml11_breaks(text: &str) -> Option<(String, Vec<usize>)> {
    if !text.contains(is_yaml11_break) {
        return None;
    }
    let mut kept = Vec::new();
    let replaced = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if is_yaml11_break(c) {
                if c != '\u{85}' {
                    kept.push(i);
                }
                '\n'
            } else {
                c
            }
        })
        .collect();
    Some((replaced, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_is_libyamls_set() {
        for c in [
            '\t', '\n', '\r', ' ', '~', '\u{85}', '\u{a0}', 'é', '\u{d7ff}', '\u{e000}',
            '\u{fffd}', '😀',
        ] {
            assert!(is_printable(c), "{c:?}");
        }
        for c in [
            '\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{80}', '\u{84}', '\u{86}', '\u{9f}', '\u{fffe}',
            '\u{ffff}',
        ] {
            assert!(!is_printable(c), "{c:?}");
            assert!(needs_care(&format!("a: {c}")), "{c:?}");
        }
        assert!(!needs_care("a: é 😀 \u{a0}\n"));
    }

    #[test]
    fn unprintable_points_at_the_character() {
        let p = unprintable("a: 1\nb: x\u{7f}\n", 3).expect("problem");
        assert_eq!(p.span, Some(Span::point(Pos::new(4, 5))));
        assert!(p.message.contains("U+007F"));
        assert!(unprintable("a: é\n", 1).is_none());
    }

    #[test]
    fn leading_document_end_marker() {
        for t in [
            "...\n",
            "# c\n\n...\na: 1\n",
            "... # c\n",
            "\u{feff}...\n",
            "...\r\n",
        ] {
            assert!(starts_with_document_end(t), "{t:?}");
        }
        for t in ["a: 1\n...\n", "...x: 1\n", "  ...\n", "", "# only\n"] {
            assert!(!starts_with_document_end(t), "{t:?}");
        }
        let p = leading_document_end("# c\n...\n", 10).expect("problem");
        assert_eq!(p.span.map(|s| s.start), Some(Pos::new(11, 1)));
    }

    #[test]
    fn breaks_are_replaced_one_for_one() {
        let (text, kept) = with_yaml11_breaks("a: x\u{85}b: é\u{2028}c").expect("breaks");
        assert_eq!(text, "a: x\nb: é\nc");
        assert_eq!(kept, vec![9]);
        assert!(with_yaml11_breaks("a: b\n").is_none());
    }
}

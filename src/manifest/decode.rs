//! Bytes → text, as the API server would accept it: UTF-8 only (a UTF-8 byte order mark is
//! dropped), so UTF-16, UTF-32, invalid UTF-8 and NUL bytes (binary files) are `encoding` problems
//! with a position. The checks exist twice, for a file in memory ([`decode`]) and for one read
//! in pieces ([`TextCheck`]), and give the same answer.

use std::borrow::Cow;

use crate::model::problem::{InputRule, LoadProblem};
use crate::model::source::{Pos, Span};

/// Bytes of the start of a file that [`bom_len`] looks at.
pub const HEAD_LEN: usize = 4;

/// The length of the byte order mark that starts `head` (the first [`HEAD_LEN`] bytes of a
/// file, or fewer if it is shorter), or the problem with a UTF-16 or UTF-32 file. Besides the
/// byte order marks, the encoding is told from the NUL bytes around the first characters when
/// they are ASCII, much as the YAML specification detects it (§5.2): `00 00 00 x` is UTF-32BE,
/// `x 00 00 00` UTF-32LE, `00 x 00 y` UTF-16BE, `x 00 y 00` UTF-16LE.
pub fn bom_len(head: &[u8]) -> Result<usize, LoadProblem> {
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok(3);
    }
    let ascii = |b: u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
    let encoding = match head {
        // UTF-32 first: its little-endian mark starts like UTF-16's.
        [0x00, 0x00, 0xFE, 0xFF, ..] => Some("UTF-32 (big-endian)"),
        [0xFF, 0xFE, 0x00, 0x00, ..] => Some("UTF-32 (little-endian)"),
        [0xFE, 0xFF, ..] => Some("UTF-16 (big-endian)"),
        [0xFF, 0xFE, ..] => Some("UTF-16 (little-endian)"),
        [0x00, 0x00, 0x00, x] if ascii(*x) => {
            Some("UTF-32 (big-endian, without a byte order mark)")
        }
        [x, 0x00, 0x00, 0x00] if ascii(*x) => {
            Some("UTF-32 (little-endian, without a byte order mark)")
        }
        [0x00, x, 0x00, y] if ascii(*x) && ascii(*y) => {
            Some("UTF-16 (big-endian, without a byte order mark)")
        }
        [x, 0x00, y, 0x00] if ascii(*x) && ascii(*y) => {
            Some("UTF-16 (little-endian, without a byte order mark)")
        }
        _ => None,
    };
    match encoding {
        Some(encoding) => Err(LoadProblem::new(
            InputRule::Encoding,
            format!("file is {encoding}; Kubernetes manifests must be UTF-8"),
            None,
        )
        .with_hint("re-save the file as UTF-8")),
        None => Ok(0),
    }
}

/// UTF-8 text without its byte order mark, or an encoding problem with a position.
pub fn decode(bytes: &[u8]) -> Result<&str, LoadProblem> {
    let bytes = &bytes[bom_len(bytes.get(..HEAD_LEN).unwrap_or(bytes))?..];
    // Nearly every file is valid UTF-8 without a NUL byte: that needs no positions.
    if let Ok(text) = std::str::from_utf8(bytes) {
        if memchr::memchr(0, bytes).is_none() {
            return Ok(text);
        }
    }
    let mut check = TextCheck::new();
    check.feed(bytes);
    check.finish()?;
    // The check passed, so this cannot fail; it is not unwrapped all the same.
    std::str::from_utf8(bytes).map_err(|e| invalid_utf8(bytes[e.valid_up_to()], Pos::new(1, 1)))
}

/// The text checks of [`decode`] over a stream fed piece by piece (after its byte order mark).
/// Invalid UTF-8 anywhere wins over a NUL byte earlier, as in [`decode`].
#[derive(Debug, Clone)]
pub struct TextCheck {
    /// Where the next byte is.
    at: LineCol,
    /// An incomplete UTF-8 sequence at the end of the last piece.
    carry: Vec<u8>,
    nul: Option<Pos>,
    invalid: Option<LoadProblem>,
}

impl Default for TextCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl TextCheck {
    pub fn new() -> Self {
        TextCheck {
            at: LineCol { line: 1, chars: 0 },
            carry: Vec::new(),
            nul: None,
            invalid: None,
        }
    }

    /// Whether invalid UTF-8 was found (further input changes nothing).
    pub fn failed(&self) -> bool {
        self.invalid.is_some()
    }

    pub fn feed(&mut self, piece: &[u8]) {
        if self.invalid.is_some() {
            return;
        }
        let data: Cow<'_, [u8]> = if self.carry.is_empty() {
            Cow::Borrowed(piece)
        } else {
            let mut joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(piece);
            Cow::Owned(joined)
        };
        match std::str::from_utf8(&data) {
            Ok(text) => self.advance(text),
            Err(e) => {
                let (valid, rest) = data.split_at(e.valid_up_to());
                self.advance(std::str::from_utf8(valid).unwrap_or_default());
                match (e.error_len(), rest.first()) {
                    (None, _) => self.carry = rest.to_vec(),
                    (Some(_), Some(&byte)) => {
                        self.invalid = Some(invalid_utf8(byte, self.pos()));
                    }
                    (Some(_), None) => {}
                }
            }
        }
    }

    /// Position of the next byte.
    fn pos(&self) -> Pos {
        self.at.pos()
    }

    fn advance(&mut self, text: &str) {
        if self.nul.is_none() {
            if let Some(off) = text.find('\0') {
                let mut at = self.at;
                at.advance_over(&text[..off]);
                self.nul = Some(at.pos());
            }
        }
        self.at.advance_over(text);
    }

    /// The verdict once the whole stream was fed.
    pub fn finish(self) -> Result<(), LoadProblem> {
        if let Some(problem) = self.invalid {
            return Err(problem);
        }
        if let Some(&byte) = self.carry.first() {
            return Err(invalid_utf8(byte, self.at.pos()));
        }
        if let Some(pos) = self.nul {
            return Err(LoadProblem::new(
                InputRule::Encoding,
                "file contains NUL bytes (a binary file?); it was not checked",
                Some(Span::point(pos)),
            ));
        }
        Ok(())
    }
}

/// A 1-based line and the number of characters before a position on it.
#[derive(Debug, Clone, Copy)]
struct LineCol {
    line: u32,
    chars: u32,
}

impl LineCol {
    fn pos(self) -> Pos {
        Pos::new(self.line, self.chars.saturating_add(1))
    }

    fn advance_over(&mut self, text: &str) {
        match text.rfind('\n') {
            Some(last) => {
                let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
                self.line = self.line.saturating_add(newlines as u32);
                self.chars = text[last + 1..].chars().count() as u32;
            }
            None => {
                let chars = text.chars().count() as u32;
                self.chars = self.chars.saturating_add(chars);
            }
        }
    }
}

fn invalid_utf8(byte: u8, pos: Pos) -> LoadProblem {
    LoadProblem::new(
        InputRule::Encoding,
        format!(
            "file is not valid UTF-8 (invalid byte 0x{byte:02X} at line {}, column {}); it was \
             not checked",
            pos.line, pos.col
        ),
        Some(Span::point(pos)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problem `decode` gives, and the one the stream check gives when fed `piece` bytes
    /// at a time.
    fn both(bytes: &[u8], piece: usize) -> (Option<LoadProblem>, Option<LoadProblem>) {
        let whole = decode(bytes).err();
        let streamed = bom_len(bytes.get(..HEAD_LEN).unwrap_or(bytes)).and_then(|skip| {
            let mut check = TextCheck::new();
            for p in bytes[skip..].chunks(piece) {
                check.feed(p);
            }
            check.finish()
        });
        (whole, streamed.err())
    }

    #[test]
    fn valid_text_loses_its_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n"), Ok("a: 1\n"));
        assert_eq!(decode(b""), Ok(""));
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let p = decode("a: é\nbb: €\u{0}\n".as_bytes()).expect_err("NUL");
        assert_eq!(p.span, Some(Span::point(Pos::new(2, 6))));
        let p = decode(b"a: 1\nb: \xC3\xA9\xFF\n").expect_err("invalid");
        assert_eq!(p.span, Some(Span::point(Pos::new(2, 5))));
        assert!(
            p.message.contains("0xFF at line 2, column 5"),
            "{}",
            p.message
        );
    }

    #[test]
    fn utf16_and_utf32_are_named_with_or_without_a_byte_order_mark() {
        let utf32le: Vec<u8> = "a: 1\n"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let utf32be: Vec<u8> = "a: 1\n"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let utf16le: Vec<u8> = "a: 1\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let utf16be: Vec<u8> = "a: 1\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with_bom = |bom: &[u8], text: &[u8]| [bom, text].concat();
        for (bytes, named) in [
            (
                with_bom(b"\xFF\xFE\x00\x00", &utf32le),
                "UTF-32 (little-endian)",
            ),
            (
                with_bom(b"\x00\x00\xFE\xFF", &utf32be),
                "UTF-32 (big-endian)",
            ),
            (with_bom(b"\xFF\xFE", &utf16le), "UTF-16 (little-endian)"),
            (with_bom(b"\xFE\xFF", &utf16be), "UTF-16 (big-endian)"),
            (utf32le, "UTF-32 (little-endian, without a byte order mark)"),
            (utf32be, "UTF-32 (big-endian, without a byte order mark)"),
            (utf16le, "UTF-16 (little-endian, without a byte order mark)"),
            (utf16be, "UTF-16 (big-endian, without a byte order mark)"),
        ] {
            let p = decode(&bytes).expect_err(named);
            assert_eq!(p.rule, InputRule::Encoding);
            assert_eq!(
                p.message,
                format!("file is {named}; Kubernetes manifests must be UTF-8")
            );
        }
        // Binary content that is not text in another encoding is still a NUL byte.
        let p = decode(b"\x7fELF\x02\x01\x00").expect_err("binary");
        assert!(
            p.message.contains("NUL") || p.message.contains("binary"),
            "{}",
            p.message
        );
    }

    #[test]
    fn invalid_utf8_wins_over_an_earlier_nul() {
        let p = decode(b"a\x00\nb\xFF").expect_err("invalid");
        assert!(p.message.contains("not valid UTF-8"));
    }

    #[test]
    fn streamed_checks_agree_with_decode_whatever_the_piece_size() {
        let cases: [&[u8]; 11] = [
            b"\xFF\xFE\x00\x00a\x00\x00\x00",
            b"\x00\x00\x00a",
            b"a: 1\n",
            "x: é€😀\ny: ü\n".as_bytes(),
            b"a: \xE2\x82",
            b"a: \xE2\x82\xACb\xFFc",
            b"\xFF\xFEa\x00",
            b"\xEF\xBB\xBFa\x00b\n\xC3",
            b"\xEF\xBB",
            b"ok\n\x00\n\xF0\x9F\x98\x80",
            b"\xC0\xAF",
        ];
        for case in cases {
            for piece in 1..=5 {
                let (whole, streamed) = both(case, piece);
                assert_eq!(whole, streamed, "{case:?} in pieces of {piece}");
            }
        }
    }
}

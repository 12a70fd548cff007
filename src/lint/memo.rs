//! What the first pass's skim settled per document of a streamed file, kept for the second.

use crate::manifest::split::Chunk;

/// What the first pass's skim made of one document of a streamed file, so that the second
/// pass, which reads the file again, skims no document twice. The document's first line and
/// length guard against a file that changed in between (a mismatch is skimmed again). Twelve
/// bytes, and at most [`MEMO_LIMIT`] of them per file: memory must not grow with the number of
/// documents of a stream.
#[derive(Debug, Clone, Copy)]
pub(super) struct Memo {
    start_line: u32,
    len: u32,
    /// `Some(object)`: settled by the fast path; `None`: it needs its tree.
    pub(super) settled: Option<bool>,
}

/// Documents of one streamed file that get a [`Memo`] (12 MiB of them); later documents are
/// skimmed again in the second pass.
pub(super) const MEMO_LIMIT: usize = 1 << 20;

impl Memo {
    pub(super) fn of(chunk: &Chunk<'_>, settled: Option<bool>) -> Memo {
        Memo {
            start_line: chunk.start_line,
            // A document of 4 GiB or more never fits (see `fits`).
            len: u32::try_from(chunk.text.len()).unwrap_or(u32::MAX),
            settled,
        }
    }

    pub(super) fn fits(&self, chunk: &Chunk<'_>) -> bool {
        self.start_line == chunk.start_line
            && u32::try_from(chunk.text.len()).is_ok_and(|len| len == self.len && len != u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_is_twelve_bytes_and_capped_per_file() {
        // What a streamed file keeps between its passes must not grow with its documents.
        assert_eq!(std::mem::size_of::<Memo>(), 12);
        assert!(MEMO_LIMIT * std::mem::size_of::<Memo>() <= 16 * 1024 * 1024);
    }

    #[test]
    fn a_memo_fits_only_the_document_it_was_made_for() {
        let chunk = |text, start_line| Chunk {
            text,
            start_line,
            origin: None,
        };
        let m = Memo::of(&chunk("kind: ConfigMap\n", 3), Some(true));
        assert!(m.fits(&chunk("kind: ConfigMap\n", 3)));
        assert!(!m.fits(&chunk("kind: ConfigMap\n", 4)));
        assert!(!m.fits(&chunk("kind: Deployment\n", 3)));
    }
}

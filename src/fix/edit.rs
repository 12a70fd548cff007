//! A small text-edit engine: byte-range replacements on one text, checked for overlap and
//! applied back to front so that earlier offsets stay valid.

/// Replace bytes `start..end` with `text` (`start == end` inserts).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl TextEdit {
    pub fn replace(start: usize, end: usize, text: impl Into<String>) -> Self {
        TextEdit {
            start,
            end,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        TextEdit::replace(at, at, text)
    }

    /// Whether the two edits touch the same bytes, or one inserts where the other's range
    /// begins or ends. Identical edits do not conflict: they are one edit. Two insertions at
    /// one place conflict only when they start with the same key (two `securityContext:`
    /// blocks would be a duplicate key); otherwise both go in, in the order of their text.
    pub fn conflicts(&self, other: &TextEdit) -> bool {
        if self == other {
            return false;
        }
        if self.start == self.end && other.start == other.end && self.start == other.start {
            return first_key(&self.text) == first_key(&other.text);
        }
        let (a, b) = if self.start <= other.start {
            (self, other)
        } else {
            (other, self)
        };
        a.end > b.start || (a.start == b.start) || (a.end == b.start && b.start == b.end)
    }
}

/// The first key an inserted text writes (`securityContext` of `\n  securityContext:\n…`).
fn first_key(text: &str) -> &str {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    t.split(':').next().unwrap_or(t)
}

/// The edits that can be accepted together, in groups that stand or fall as one (the edits of
/// one fix).
#[derive(Debug, Default)]
pub struct EditSet {
    edits: Vec<TextEdit>,
}

impl EditSet {
    /// Accepts `group` when none of its edits conflicts with an accepted one (nor with each
    /// other); returns whether it was accepted.
    pub fn try_add(&mut self, group: &[TextEdit]) -> bool {
        for (i, e) in group.iter().enumerate() {
            if self.edits.iter().any(|a| a.conflicts(e))
                || group[..i].iter().any(|g| g.conflicts(e))
            {
                return false;
            }
        }
        for e in group {
            if !self.edits.contains(e) {
                self.edits.push(e.clone());
            }
        }
        true
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// `text` with every accepted edit applied.
    pub fn apply(mut self, text: &str) -> String {
        self.edits.sort();
        let mut out = text.to_string();
        for e in self.edits.iter().rev() {
            out.replace_range(e.start..e.end, &e.text);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_back_to_front() {
        let mut set = EditSet::default();
        assert!(set.try_add(&[TextEdit::replace(0, 1, "AA"), TextEdit::insert(3, "!")]));
        assert_eq!(set.apply("abcd"), "AAbc!d");
    }

    #[test]
    fn overlapping_edits_and_same_point_insertions_conflict() {
        let mut set = EditSet::default();
        assert!(set.try_add(&[TextEdit::replace(2, 5, "x")]));
        assert!(!set.try_add(&[TextEdit::replace(4, 6, "y")]));
        assert!(!set.try_add(&[TextEdit::insert(2, "y")]));
        assert!(!set.try_add(&[TextEdit::insert(5, "y")]));
        assert!(set.try_add(&[TextEdit::insert(9, "\n  b: 1")]));
        assert!(
            set.try_add(&[TextEdit::insert(9, "\n  a: 1")]),
            "another key"
        );
        assert!(
            !set.try_add(&[TextEdit::insert(9, "\n  a:\n    c: 1")]),
            "the same key"
        );
        assert!(
            set.try_add(&[TextEdit::replace(2, 5, "x")]),
            "an identical edit is one edit"
        );
        assert!(set.try_add(&[TextEdit::replace(6, 7, "z")]));
        assert_eq!(set.apply("0123456789"), "01x5z78\n  a: 1\n  b: 19");
    }

    #[test]
    fn a_group_stands_or_falls_as_one() {
        let mut set = EditSet::default();
        assert!(set.try_add(&[TextEdit::replace(0, 1, "a")]));
        assert!(!set.try_add(&[TextEdit::replace(5, 6, "b"), TextEdit::replace(0, 2, "c")]));
        assert_eq!(set.apply("xxxxxxx"), "axxxxxx");
    }
}

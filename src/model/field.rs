//! Field paths such as `spec.template.spec.containers[0].securityContext.privileged`.
//!
//! The engine names the field at fault (even when it is absent); the diagnose stage resolves the
//! path against the source tree to a span, falling back to the nearest existing parent.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// Parses a dotted path with `[N]` indexes: `spec.containers[0].securityContext`.
    /// Keys containing dots are written in brackets: `metadata.annotations[a.b/c]`.
    pub fn parse(s: &str) -> Self {
        let mut segs = Vec::new();
        let mut cur = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '.' => {
                    if !cur.is_empty() {
                        segs.push(Segment::Key(std::mem::take(&mut cur)));
                    }
                }
                '[' => {
                    if !cur.is_empty() {
                        segs.push(Segment::Key(std::mem::take(&mut cur)));
                    }
                    let mut inner = String::new();
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                        inner.push(c);
                    }
                    match inner.parse::<usize>() {
                        Ok(i) => segs.push(Segment::Index(i)),
                        Err(_) => segs.push(Segment::Key(inner)),
                    }
                }
                c => cur.push(c),
            }
        }
        if !cur.is_empty() {
            segs.push(Segment::Key(cur));
        }
        FieldPath(segs)
    }

    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.0.push(Segment::Key(k.into()));
        self
    }

    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Segment::Index(i));
        self
    }

    /// `prefix` followed by `self`.
    pub fn prefixed(&self, prefix: &FieldPath) -> FieldPath {
        let mut v = prefix.0.clone();
        v.extend(self.0.iter().cloned());
        FieldPath(v)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The last key of the path, if the path ends in a key.
    pub fn last_key(&self) -> Option<&str> {
        match self.0.last() {
            Some(Segment::Key(k)) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if k.contains(['.', '[', ']']) || k.is_empty() => {
                    write!(f, "[{k}]")?
                }
                Segment::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_display() {
        for s in [
            "spec.containers[0].securityContext.privileged",
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/c1]",
            "items[3].spec.template",
        ] {
            assert_eq!(FieldPath::parse(s).to_string(), s);
        }
    }
}

//! Text from the input, made safe for a terminal or a log: file names, container names and
//! source lines can hold a line break (which would forge a finding line in `concise`, say) or an
//! escape sequence (which would recolour, move or clear the user's terminal, or a CI log).
//!
//! Control characters (C0, DEL, C1) and the Unicode bidirectional controls (which reorder what
//! is shown: "Trojan Source") are written as Rust-style escapes, `\n`, `\t`, `\u{1b}`, so that
//! the name stays readable and unambiguous. Source lines keep their width instead: each such
//! character becomes one visible character, so columns still line up with the carets.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character escaped (line breaks and tabs too): for file names and
/// one-line messages.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_except(s, &[])
}

/// `s` with every unsafe character but line breaks and tabs escaped: for text the report lays
/// out over several lines (a fix's YAML).
pub fn escape_keeping_lines(s: &str) -> Cow<'_, str> {
    escape_except(s, &['\n', '\t'])
}

fn escape_except<'s>(s: &'s str, keep: &[char]) -> Cow<'s, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep.contains(&c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A source line with each unsafe character but tabs replaced by one visible character (the
/// control pictures `␛`, `␀`, … for C0 and DEL, `�` otherwise), so that columns are kept.
pub fn same_width(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && c != '\t') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' => c,
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
                '\u{7f}' => '\u{2421}',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// A diagnostic with every piece of text that came from the input escaped for a terminal:
/// borrowed when there is nothing to escape (nearly always).
pub fn diagnostic(
    d: &crate::model::diagnostic::Diagnostic,
) -> Cow<'_, crate::model::diagnostic::Diagnostic> {
    let one = |s: &str| matches!(escape(s), Cow::Owned(_));
    let opt = |s: &Option<String>| s.as_deref().is_some_and(one);
    let needs = one(&d.file)
        || one(&d.message)
        || opt(&d.reason)
        || opt(&d.detail)
        || opt(&d.field)
        || opt(&d.container)
        || opt(&d.hint)
        || opt(&d.origin)
        || opt(&d.policy.source)
        || d.fix.as_ref().is_some_and(|f| {
            one(&f.description) || matches!(escape_keeping_lines(&f.yaml), Cow::Owned(_))
        })
        || d.policy
            .exception
            .as_ref()
            .is_some_and(|e| one(&e.owner) || one(&e.reason) || one(&e.source))
        || d.related
            .iter()
            .any(|r| one(&r.file) || one(&r.field) || opt(&r.container))
        || d.object
            .as_ref()
            .is_some_and(|o| one(&o.name) || one(&o.namespace) || one(&o.kind))
        || d.snippet.as_ref().is_some_and(|s| {
            s.lines
                .iter()
                .any(|l| matches!(same_width(l), Cow::Owned(_)))
        });
    if !needs {
        return Cow::Borrowed(d);
    }
    let e = |s: &mut String| *s = escape(s).into_owned();
    let eo = |s: &mut Option<String>| {
        if let Some(s) = s {
            *s = escape(s).into_owned();
        }
    };
    let mut d = d.clone();
    e(&mut d.file);
    e(&mut d.message);
    eo(&mut d.reason);
    eo(&mut d.detail);
    eo(&mut d.field);
    eo(&mut d.container);
    eo(&mut d.hint);
    eo(&mut d.origin);
    eo(&mut d.policy.source);
    if let Some(f) = &mut d.fix {
        e(&mut f.description);
        f.yaml = escape_keeping_lines(&f.yaml).into_owned();
    }
    if let Some(x) = &mut d.policy.exception {
        e(&mut x.owner);
        e(&mut x.reason);
        e(&mut x.source);
    }
    for r in &mut d.related {
        e(&mut r.file);
        e(&mut r.field);
        eo(&mut r.container);
    }
    if let Some(o) = &mut d.object {
        e(&mut o.name);
        e(&mut o.namespace);
        e(&mut o.kind);
    }
    if let Some(s) = &mut d.snippet {
        for l in &mut s.lines {
            *l = same_width(l).into_owned();
        }
    }
    Cow::Owned(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_and_clean_text_is_borrowed() {
        assert_eq!(
            escape("a\nb.yaml:1:1: forged\u{1b}[31m\u{9b}\u{202e}"),
            "a\\nb.yaml:1:1: forged\\u{1b}[31m\\u{9b}\\u{202e}"
        );
        assert!(matches!(escape("k8s/app.yaml é"), Cow::Borrowed(_)));
        assert_eq!(escape_keeping_lines("a: 1\n\tb\u{7}"), "a: 1\n\tb\\u{7}");
    }

    #[test]
    fn source_lines_keep_their_width() {
        let line = "  name: \"a\u{1b}[2Jb\"\t# \u{9b}";
        let safe = same_width(line);
        assert_eq!(safe.chars().count(), line.chars().count());
        assert_eq!(safe, "  name: \"a\u{241b}[2Jb\"\t# \u{FFFD}");
    }
}

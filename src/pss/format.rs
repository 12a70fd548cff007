//! Message helpers shared by the checks (pss-spec §0): quote-list, plural, go-quote, sorted
//! sets and the "setter list" (`pod and containers "a", "b"`).

use std::collections::BTreeSet;

/// `"a", "b", "c"`; empty input gives an empty string. No escaping (pss-spec §0).
pub fn quote_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `singular` iff `n == 1`, else `plural` (so zero is plural, pss-spec §0).
pub fn plural<'a>(n: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 {
        singular
    } else {
        plural
    }
}

/// De-duplicated and sorted byte-wise (pss-spec §0 "sorted set").
pub fn sorted_set<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items
        .into_iter()
        .map(Into::into)
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect()
}

/// `container "a"` or `containers "a", "b"`.
pub fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        plural(names.len(), "container", "containers"),
        quote_list(names)
    )
}

/// The setter list of pss-spec §3: `pod`, then `container(s) "…"`, then `annotation(s)`,
/// each only if non-empty, joined with `" and "`.
pub fn setter_list<S: AsRef<str>>(pod: bool, containers: &[S], annotations: usize) -> String {
    let mut parts = Vec::new();
    if pod {
        parts.push("pod".to_owned());
    }
    if !containers.is_empty() {
        parts.push(containers_phrase(containers));
    }
    if annotations > 0 {
        parts.push(plural(annotations, "annotation", "annotations").to_owned());
    }
    parts.join(" and ")
}

/// Go's `%q` (`strconv.Quote`) rendering of a string (pss-spec §0).
///
/// Go keeps a character literally when `unicode.IsPrint` holds (letters, marks, numbers,
/// punctuation, symbols and the ASCII space). Without Unicode tables we approximate "not
/// printable" as control, format, private-use and non-ASCII space/separator characters;
/// unassigned code points are kept literally (Go would escape them).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Approximation of Go's `unicode.IsPrint` (see [`go_quote`]).
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = c as u32;
    !(NOT_PRINTABLE
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&cp)))
}

/// Non-whitespace code points that Go does not print: space separators not covered by
/// `char::is_whitespace`, format characters (Cf) and private use (Co).
const NOT_PRINTABLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xE000, 0xF8FF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xF0000, 0x10FFFF),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_list_wraps_and_joins_without_escaping() {
        assert_eq!(quote_list::<&str>(&[]), "");
        assert_eq!(quote_list(&["a"]), r#""a""#);
        assert_eq!(quote_list(&["a", "b", "c"]), r#""a", "b", "c""#);
        assert_eq!(quote_list(&[r#"x"y"#]), r#""x"y""#);
    }

    #[test]
    fn plural_is_singular_only_for_one() {
        assert_eq!(plural(0, "volume", "volumes"), "volumes");
        assert_eq!(plural(1, "volume", "volumes"), "volume");
        assert_eq!(plural(2, "volume", "volumes"), "volumes");
    }

    #[test]
    fn sorted_set_dedups_and_sorts_bytewise() {
        assert_eq!(
            sorted_set(["8080", "80", "10000", "9000", "80"]),
            ["10000", "80", "8080", "9000"]
        );
        assert_eq!(sorted_set(["b", "B", "a"]), ["B", "a", "b"]);
    }

    #[test]
    fn setter_list_joins_present_parts_with_and() {
        assert_eq!(setter_list::<&str>(true, &[], 0), "pod");
        assert_eq!(setter_list(false, &["a"], 0), r#"container "a""#);
        assert_eq!(
            setter_list(true, &["e", "f"], 0),
            r#"pod and containers "e", "f""#
        );
        assert_eq!(setter_list::<&str>(false, &[], 1), "annotation");
        assert_eq!(
            setter_list(true, &["c"], 2),
            r#"pod and container "c" and annotations"#
        );
    }

    #[test]
    fn go_quote_matches_strconv_quote() {
        assert_eq!(go_quote("unconfined"), r#""unconfined""#);
        assert_eq!(go_quote(""), r#""""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(
            go_quote("\n\t\r\u{7}\u{8}\u{c}\u{b}"),
            r#""\n\t\r\a\b\f\v""#
        );
        assert_eq!(go_quote("\u{0}\u{1b}\u{7f}"), r#""\x00\x1b\x7f""#);
        assert_eq!(
            go_quote("\u{85}\u{a0}\u{200b}\u{2028}"),
            r#""\u0085\u00a0\u200b\u2028""#
        );
        assert_eq!(go_quote("\u{f0000}"), r#""\U000f0000""#);
        assert_eq!(
            go_quote("héllo wörld ✓ 日本 😀"),
            "\"héllo wörld ✓ 日本 😀\""
        );
    }
}

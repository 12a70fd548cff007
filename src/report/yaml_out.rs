//! YAML for the documents psslint writes itself (Kyverno PolicyExceptions, a
//! PodSecurityConfiguration), in the style `kubectl get -o yaml` prints: block mappings with
//! sorted keys, sequences at their key's indentation, plain scalars where they read back as the
//! same string, double quotes elsewhere, literal blocks for multi-line text.
//!
//! A scalar is written plain only when psslint's own go-yaml v2 resolver reads it back as that
//! string, and it could not be a number or boolean under YAML 1.2 either, so every consumer
//! (kubectl, the API server, other YAML libraries) reads what was meant.

use serde_json::Value;

use crate::manifest::resolve::resolve_plain_typed;

/// One YAML document for `value` (no `---`), ending with a line break.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => mapping(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => sequence(a, 0, &mut out),
        scalar => {
            inline(scalar, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn mapping(m: &serde_json::Map<String, Value>, level: usize, out: &mut String) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            indent(level, out);
        }
        key(k, out);
        entry_value(v, level, out);
    }
}

/// The value after `key:` at indentation `level`.
fn entry_value(v: &Value, level: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(level + 2, out);
            mapping(m, level + 2, out);
        }
        // kubectl style: a sequence under a key sits at the key's indentation.
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(level, out);
            sequence(a, level, out);
        }
        scalar => {
            out.push(' ');
            inline(scalar, level + 2, out);
            out.push('\n');
        }
    }
}

fn sequence(a: &[Value], level: usize, out: &mut String) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            indent(level, out);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => mapping(m, level + 2, out),
            Value::Array(inner) if !inner.is_empty() => sequence(inner, level + 2, out),
            scalar => {
                inline(scalar, level + 2, out);
                out.push('\n');
            }
        }
    }
}

fn key(k: &str, out: &mut String) {
    if is_plain(k) {
        out.push_str(k);
    } else {
        quoted(k, out);
    }
    out.push(':');
}

/// A scalar, an empty mapping or an empty sequence; a literal block's lines are indented by
/// `block_indent`.
fn inline(v: &Value, block_indent: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(s, block_indent, out),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn string(s: &str, block_indent: usize, out: &mut String) {
    if is_plain(s) {
        out.push_str(s);
    } else if is_literal_block(s) {
        let chomp = match s.len() - s.trim_end_matches('\n').len() {
            0 => "-",
            1 => "",
            _ => "+",
        };
        out.push('|');
        out.push_str(chomp);
        for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(block_indent, out);
                out.push_str(line);
            }
        }
    } else {
        quoted(s, out);
    }
}

/// JSON's string syntax is a subset of YAML's double-quoted scalars.
fn quoted(s: &str, out: &mut String) {
    out.push_str(&Value::String(s.to_string()).to_string());
}

/// Multi-line text that a literal block keeps byte for byte: printable, no tabs or carriage
/// returns, and a first line that does not start with a space (which would need an
/// indentation indicator).
fn is_literal_block(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && s.chars()
            .all(|c| c == '\n' || (!c.is_control() && c != '\u{feff}'))
        && !s.split('\n').any(|l| l.ends_with(' '))
}

/// Whether `s` can be written as a plain scalar and read back as the same string.
fn is_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s || s.contains(['\n', '\r', '\t']) || s.chars().any(char::is_control) {
        return false;
    }
    // Indicators that cannot start a plain scalar; `-`, `?` and `:` only before a space.
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "-?:".contains(first) && s[1..].chars().next().is_none_or(|c| c == ' ') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') || s == "-" || s.starts_with("---")
    {
        return false;
    }
    // Read back as something other than this string (go-yaml v2: `yes`, `0777`, `~`, ...), or
    // a number in YAML 1.2 (`0o17`, `1e3`): quote it.
    if resolve_plain_typed(s).is_some() {
        return false;
    }
    !yaml12_number(s) && !yaml11_date(s)
}

/// A number in YAML 1.2's core schema: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`,
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf`, `.nan`.
fn yaml12_number(s: &str) -> bool {
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    if let Some(t) = s.strip_prefix("0o") {
        return digits(t, 8);
    }
    if let Some(t) = s.strip_prefix("0x") {
        return digits(t, 16);
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(t, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && digits(frac, 10))
                || (digits(int, 10) && (frac.is_empty() || digits(frac, 10)))
        }
        None => digits(mantissa, 10),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10))
}

/// Starts like a YAML 1.1 timestamp (`2026-03-01…`), which go-yaml quotes.
fn yaml11_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::yaml::{parse_document, ParseOptions};
    use serde_json::json;

    /// Written, then read back with psslint's own loader (go-yaml v2 semantics).
    fn round_trip(v: &Value) -> Value {
        let text = to_yaml(v);
        let doc = parse_document(&text, 1, &ParseOptions::default());
        assert!(doc.problems.is_empty(), "{text}\n{:?}", doc.problems);
        doc.root.expect("a document").to_json()
    }

    #[test]
    fn reads_back_what_was_written() {
        let v = json!({
            "apiVersion": "kyverno.io/v2",
            "kind": "PolicyException",
            "metadata": {"name": "x", "annotations": {"psslint.dev/reason": "needs: root # really", "n": "0777", "y": "yes", "t": "true", "e": "", "s": " lead", "q": "'quoted'", "m": "two\nlines\n", "m2": "no break\nat end", "k:{\"name\":\"web\"}": "{}"}},
            "spec": {"list": [{"a": 1, "b": [true, null, 2.5]}, [], {}, "-", "- x", "?", ":"], "empty": {}, "none": [], "oct": "0o17", "exp": "1e3", "neg": "-1", "dot": ".5", "tilde": "~", "date": "2026-03-01T10:00:00Z", "uid": "40c78e94-a430", "v": "1.2.3", "inf": "-.inf"}
        });
        assert_eq!(round_trip(&v), v);
    }

    #[test]
    fn prints_like_kubectl() {
        let v = json!({"kind": "List", "items": [{"metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}], "apiVersion": "v1"});
        assert_eq!(
            to_yaml(&v),
            "apiVersion: v1\nitems:\n- metadata:\n    name: web\n  spec:\n    containers:\n    - image: nginx:1.27\n      name: web\nkind: List\n"
        );
        assert_eq!(to_yaml(&json!({"a": "x\ny\n"})), "a: |\n  x\n  y\n");
    }
}

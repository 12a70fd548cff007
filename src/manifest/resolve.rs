//! Scalar resolution exactly as go-yaml v2 does it, and the key/number conversions
//! sigs.k8s.io/yaml and Go's `encoding/json` apply afterwards (pss-spec §8.2–8.3).
//!
//! This mirrors `resolve.go` of go-yaml v2 line by line, including Go's `strconv.ParseInt`
//! base-0 rules (`0x`, `0o`, `0b`, leading `0` = octal), the order of attempts
//! (int64 → uint64 → float regex → `0b`/`-0b`; nothing else: an integer beyond 64 bits without
//! a float's form, `0x10000000000000000`, is a string) and the fact that only the first
//! character selects which attempts are made at all. Values that go-yaml resolves to a timestamp
//! are strings here: decoding into `interface{}` turns them back into their text, which is what
//! sigs.k8s.io/yaml does.

use super::node::Value;

/// YAML core tags that change how go-yaml v2 resolves a scalar (`!!str`, `!!int`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreTag {
    Str,
    Bool,
    Int,
    Float,
    Null,
    Timestamp,
    Binary,
    Merge,
}

impl CoreTag {
    /// The core tag for a full tag URI (`tag:yaml.org,2002:int`), if it is one go-yaml knows.
    pub fn from_uri(uri: &str) -> Option<CoreTag> {
        Some(match uri.strip_prefix("tag:yaml.org,2002:")? {
            "str" => CoreTag::Str,
            "bool" => CoreTag::Bool,
            "int" => CoreTag::Int,
            "float" => CoreTag::Float,
            "null" => CoreTag::Null,
            "timestamp" => CoreTag::Timestamp,
            "binary" => CoreTag::Binary,
            "merge" => CoreTag::Merge,
            _ => return None,
        })
    }

    fn short(self) -> &'static str {
        match self {
            CoreTag::Str => "!!str",
            CoreTag::Bool => "!!bool",
            CoreTag::Int => "!!int",
            CoreTag::Float => "!!float",
            CoreTag::Null => "!!null",
            CoreTag::Timestamp => "!!timestamp",
            CoreTag::Binary => "!!binary",
            CoreTag::Merge => "!!merge",
        }
    }
}

/// Resolves a plain (unquoted, untagged) scalar the way go-yaml v2 does.
///
/// `.inf`/`.nan` resolve to infinite/NaN floats; the caller reports them as unencodable,
/// because the API server's JSON encoding rejects them.
pub fn resolve_plain(s: &str) -> Value {
    resolve_plain_typed(s).unwrap_or_else(|| Value::Str(s.to_owned()))
}

/// [`resolve_plain`] without allocating for the common case: `None` when the scalar is a
/// string (its own text).
pub fn resolve_plain_typed(s: &str) -> Option<Value> {
    resolve_untyped(s, false).1
}

/// Resolves a scalar carrying an explicit core tag (`!!int "8080"`, `!!str 123`), as go-yaml
/// v2's `resolve(tag, in)` plus the decoder's `!!binary` handling. An error is what go-yaml
/// reports (and the API server rejects the document with), e.g. ``cannot decode !!str `abc` as
/// a !!int``.
pub fn resolve_tagged(tag: CoreTag, s: &str) -> Result<Value, String> {
    match tag {
        CoreTag::Str => Ok(Value::Str(s.to_owned())),
        // go-yaml does not resolve `!!merge` scalars (and `<<` is handled by the caller).
        CoreTag::Merge => Ok(Value::Str(s.to_owned())),
        CoreTag::Binary => match decode_base64(s) {
            Some(bytes) => Ok(Value::Str(String::from_utf8_lossy(&bytes).into_owned())),
            None => Err("!!binary value contains invalid base64 data".to_owned()),
        },
        CoreTag::Bool | CoreTag::Int | CoreTag::Float | CoreTag::Null | CoreTag::Timestamp => {
            let (rtag, v) = resolve_untyped(s, tag == CoreTag::Timestamp);
            let v = v.unwrap_or_else(|| Value::Str(s.to_owned()));
            if rtag == tag {
                // A timestamp decoded into interface{} keeps its text.
                return Ok(if rtag == CoreTag::Timestamp {
                    Value::Str(s.to_owned())
                } else {
                    v
                });
            }
            if tag == CoreTag::Float && rtag == CoreTag::Int {
                // go-yaml converts int/int64 results, but not uint64 or big integers.
                if let Value::Int(i) = v {
                    if i64::try_from(i).is_ok() {
                        return Ok(Value::Float(i as f64));
                    }
                }
            }
            Err(format!(
                "cannot decode {} `{}` as a {}",
                rtag.short(),
                crate::model::source::excerpt(s, 80),
                tag.short()
            ))
        }
    }
}

/// go-yaml v2 `resolve("", in)` (or with `!!timestamp` when `timestamps` is set): the resolved
/// tag and value, `None` meaning the text itself as a string.
fn resolve_untyped(s: &str, timestamps: bool) -> (CoreTag, Option<Value>) {
    let str_value = || (CoreTag::Str, None);
    let Some(&first) = s.as_bytes().first() else {
        return (CoreTag::Null, Some(Value::Null));
    };
    let hint = match first {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => return str_value(),
    };
    if let Some((tag, v)) = lookup_special(s) {
        return (tag, Some(v));
    }
    match hint {
        b'.' => {
            // strconv.ParseFloat on the original text: only `.digits[e±digits]` can succeed.
            if is_dot_float(s) {
                if let Some(f) = parse_finite_float(&s.replace('_', "")) {
                    return (CoreTag::Float, Some(Value::Float(f)));
                }
            }
            str_value()
        }
        b'D' | b'S' => {
            if timestamps && parse_timestamp(s) {
                return (CoreTag::Timestamp, None);
            }
            let plain: std::borrow::Cow<'_, str> = if s.contains('_') {
                s.replace('_', "").into()
            } else {
                s.into()
            };
            let plain = plain.as_ref();
            if let Ok(i) = go_parse_int(plain, 0) {
                return (CoreTag::Int, Some(Value::Int(i as i128)));
            }
            let uint = go_parse_uint(plain, 0);
            if let Ok(u) = uint {
                return (CoreTag::Int, Some(Value::Int(u as i128)));
            }
            if is_yaml_style_float(plain) {
                if let Some(f) = parse_finite_float(plain) {
                    return (CoreTag::Float, Some(Value::Float(f)));
                }
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Ok(i) = go_parse_int(rest, 2) {
                    return (CoreTag::Int, Some(Value::Int(i as i128)));
                }
                if let Ok(u) = go_parse_uint(rest, 2) {
                    return (CoreTag::Int, Some(Value::Int(u as i128)));
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                let neg = format!("-{rest}");
                if let Ok(i) = go_parse_int(&neg, 2) {
                    return (CoreTag::Int, Some(Value::Int(i as i128)));
                }
            }
            str_value()
        }
        // 'M': only the exact spellings in the table resolve.
        _ => str_value(),
    }
}

/// go-yaml v2's `resolveMap`: exact spellings only (`yEs` stays a string).
fn lookup_special(s: &str) -> Option<(CoreTag, Value)> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            (CoreTag::Bool, Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            (CoreTag::Bool, Value::Bool(false))
        }
        "~" | "null" | "Null" | "NULL" => (CoreTag::Null, Value::Null),
        ".nan" | ".NaN" | ".NAN" => (CoreTag::Float, Value::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            (CoreTag::Float, Value::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => (CoreTag::Float, Value::Float(f64::NEG_INFINITY)),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumErr {
    Syntax,
    Range,
}

/// Go's `strconv.ParseUint(s, base, 64)`; `base == 0` picks the base from the prefix.
/// (Underscores never reach this function: go-yaml removes them first.)
fn go_parse_uint(s: &str, base: u32) -> Result<u64, NumErr> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(NumErr::Syntax);
    }
    let (base, digits) = if base == 0 {
        if b[0] == b'0' {
            match (b.len() >= 3).then(|| b[1].to_ascii_lowercase()) {
                Some(b'b') => (2, &b[2..]),
                Some(b'o') => (8, &b[2..]),
                Some(b'x') => (16, &b[2..]),
                _ => (8, &b[1..]),
            }
        } else {
            (10, b)
        }
    } else {
        (base, b)
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' | b'A'..=b'Z' => c.to_ascii_lowercase() - b'a' + 10,
            _ => return Err(NumErr::Syntax),
        };
        if u32::from(d) >= base {
            return Err(NumErr::Syntax);
        }
        // Like Go, an overflow is reported as soon as it happens.
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))
            .ok_or(NumErr::Range)?;
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`.
fn go_parse_int(s: &str, base: u32) -> Result<i64, NumErr> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        Some(_) => (false, s),
        None => return Err(NumErr::Syntax),
    };
    let un = go_parse_uint(rest, base)?;
    if neg {
        if un > 1u64 << 63 {
            return Err(NumErr::Range);
        }
        Ok((un as i64).wrapping_neg())
    } else {
        i64::try_from(un).map_err(|_| NumErr::Range)
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` — go-yaml v2's `yamlStyleFloat`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    exponent_then_end(b, i)
}

/// What `strconv.ParseFloat` accepts for text starting with `.` (go-yaml tries it on the
/// text as written): `\.[0-9]+([eE][-+]?[0-9]+)?`, where, as in Go's number literals, a `_`
/// may stand between two digits (`.5_0` is 0.5; `._5`, `.5_`, `.5_e1` are not numbers).
fn is_dot_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let underscores_ok = b
        .iter()
        .enumerate()
        .all(|(i, &c)| c != b'_' || (i > 0 && digit_at(i - 1) && digit_at(i + 1)));
    if !underscores_ok {
        return false;
    }
    let plain: Vec<u8> = b.iter().copied().filter(|&c| c != b'_').collect();
    let mut i = 1;
    while i < plain.len() && plain[i].is_ascii_digit() {
        i += 1;
    }
    i > 1 && exponent_then_end(&plain, i)
}

fn exponent_then_end(b: &[u8], mut i: usize) -> bool {
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for text already known to be decimal; an overflow (Go's range
/// error) is `None`.
fn parse_finite_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// go-yaml v2's `parseTimestamp`: the layouts `2006-1-2T15:4:5.999999999Z07:00` (also with a
/// lower-case `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2`, as Go's `time.Parse` reads them.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let num = |i: &mut usize, max_digits: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max_digits && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse().ok()).flatten()
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i, 2) else {
        return false;
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days_in_month {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let time_part = |max: u32, i: &mut usize| num(i, 2).filter(|v| *v <= max).is_some();
    if !time_part(23, &mut i) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !time_part(59, &mut i) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !time_part(59, &mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let tz = &b[i + 1..];
            tz.len() == 5 && tz[2] == b':' && tz[..2].iter().chain(&tz[3..]).all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Go's `base64.StdEncoding.DecodeString`: standard alphabet, padding required, `\r`/`\n`
/// ignored.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let quads = clean.len() / 4;
    for (qi, q) in clean.chunks_exact(4).enumerate() {
        let pad = q.iter().rev().take_while(|c| **c == b'=').count();
        if pad > 2 || (pad > 0 && qi + 1 != quads) {
            return None;
        }
        let mut n = 0u32;
        for &c in &q[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Converts a resolved map key to the string key the API server sees, exactly as
/// sigs.k8s.io/yaml's `convertToJSONableObject` does: strings as they are, booleans as
/// `true`/`false`, integers in decimal, floats with `strconv.FormatFloat(f, 'g', -1, 32)`
/// (`.inf`, `-.inf`, `.nan` for the special values). Null keys, unsigned/big integers beyond
/// int64 and collections are errors (the whole document is rejected).
pub fn key_string(v: &Value) -> Result<String, String> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(if *b { "true" } else { "false" }.to_owned()),
        Value::Int(i) => match i64::try_from(*i) {
            Ok(i) => Ok(i.to_string()),
            Err(_) if *i > 0 && u64::try_from(*i).is_ok() => {
                Err(format!("unsupported map key of type: uint64, key: {i}"))
            }
            Err(_) => Err(format!("unsupported map key of type: *big.Int, key: {i}")),
        },
        Value::Float(f) => Ok(format_float_g32(*f)),
        Value::Null => Err("unsupported map key: null".to_owned()),
        Value::Seq(_) => Err("invalid map key: a list cannot be a map key".to_owned()),
        Value::Map(_) => Err("invalid map key: an object cannot be a map key".to_owned()),
    }
}

/// Shortest round-trip digits and decimal exponent of a finite, non-zero float, from Rust's
/// shortest `{:e}` formatting (the same digits Go's shortest formatting produces).
fn shortest_digits(formatted_exp: &str) -> (bool, String, i32) {
    let (neg, s) = match formatted_exp.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, formatted_exp),
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (neg, digits, exp.parse().unwrap_or(0))
}

/// Go's `%e`-style formatting of shortest digits: `d.ddde±XX`.
fn go_fmt_e(neg: bool, digits: &str, exp10: i32) -> String {
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp10 < 0 { '-' } else { '+' });
    let e = exp10.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

/// Go's `%f`-style formatting of shortest digits (no exponent).
fn go_fmt_f(neg: bool, digits: &str, exp10: i32) -> String {
    let nd = digits.len() as i32;
    let dp = exp10 + 1;
    let mut out = String::with_capacity((nd.max(dp).max(0) + 4) as usize);
    if neg {
        out.push('-');
    }
    if dp > 0 {
        for i in 0..dp {
            out.push(
                digits
                    .as_bytes()
                    .get(i as usize)
                    .map_or('0', |b| *b as char),
            );
        }
    } else {
        out.push('0');
    }
    let prec = (nd - dp).max(0);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = dp + i - 1;
            let c = if (0..nd).contains(&j) {
                digits.as_bytes()[j as usize] as char
            } else {
                '0'
            };
            out.push(c);
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` with sigs.k8s.io/yaml's renaming of the special
/// values — how a float map key becomes a string.
pub fn format_float_g32(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return ".nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let (neg, digits, exp10) = shortest_digits(&format!("{x:e}"));
    if !(-4..6).contains(&exp10) {
        go_fmt_e(neg, &digits, exp10)
    } else {
        go_fmt_f(neg, &digits, exp10)
    }
}

/// The text Go's `encoding/json` writes for a float64 (`None` for NaN/±Inf, which it refuses
/// to encode). Integral floats come out without a fraction (`1.0` → `1`), which is why the API
/// server accepts them in integer fields (pss-spec §8.3).
pub fn go_json_number(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (neg, digits, exp10) = shortest_digits(&format!("{f:e}"));
        let mut s = go_fmt_e(neg, &digits, exp10);
        // encoding/json shortens `e-07` to `e-7`.
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 1] == "e-0" {
            s.remove(n - 2);
        }
        Some(s)
    } else {
        // Rust's shortest `Display` is Go's `'f', -1` formatting.
        Some(format!("{f}"))
    }
}

/// Whether a float is accepted by an integer field: its JSON text has no fraction or exponent.
pub fn is_json_integer(f: f64) -> bool {
    go_json_number(f).is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
}

/// Whether `text` is exactly how the API server would print `value` in JSON. Used to decide
/// when a scalar's source text is worth quoting in a message (`yes`, `0777`, `1_000`, `.0`).
pub fn is_canonical_text(value: &Value, text: &str) -> bool {
    match value {
        Value::Bool(true) => text == "true",
        Value::Bool(false) => text == "false",
        Value::Int(i) => {
            // Compare without allocating: canonical decimal has no sign '+', no leading zeros.
            let mut buf = [0u8; 48];
            let s = fmt_i128(*i, &mut buf);
            s == text
        }
        Value::Float(f) => go_json_number(*f).is_some_and(|s| s == text),
        Value::Null | Value::Str(_) | Value::Seq(_) | Value::Map(_) => true,
    }
}

fn fmt_i128(i: i128, buf: &mut [u8; 48]) -> &str {
    let mut n = i.unsigned_abs();
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    std::str::from_utf8(&buf[pos..]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Str(x.to_owned())
    }

    #[track_caller]
    fn check(input: &str, want: Value) {
        let got = resolve_plain(input);
        match (&got, &want) {
            (Value::Float(a), Value::Float(b)) => assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{input:?}: got {got:?}, want {want:?}"
            ),
            _ => assert_eq!(got, want, "{input:?}"),
        }
    }

    #[test]
    fn booleans_are_the_yaml_1_1_table_exactly() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            check(t, Value::Bool(true));
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            check(f, Value::Bool(false));
        }
        // Case variants outside the table stay strings.
        for other in [
            "yEs", "tRUE", "oN", "nO", "fAlse", "OfF", "yes!", "Yes ", "t", "f",
        ] {
            check(other, s(other));
        }
    }

    #[test]
    fn nulls() {
        for n in ["", "~", "null", "Null", "NULL"] {
            check(n, Value::Null);
        }
        for other in ["nULL", "None", "nil", "~~"] {
            check(other, s(other));
        }
    }

    #[test]
    fn special_floats() {
        for p in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] {
            check(p, Value::Float(f64::INFINITY));
        }
        for n in ["-.inf", "-.Inf", "-.INF"] {
            check(n, Value::Float(f64::NEG_INFINITY));
        }
        for n in [".nan", ".NaN", ".NAN"] {
            check(n, Value::Float(f64::NAN));
        }
        for other in [".iNf", "inf", "nan", "NaN", "Infinity", "-.nan", "+.nan"] {
            check(other, s(other));
        }
    }

    #[test]
    fn integers_with_automatic_base() {
        let cases: &[(&str, i128)] = &[
            ("0", 0),
            ("8080", 8080),
            ("-1", -1),
            ("+0", 0),
            ("-0", 0),
            ("0777", 511),
            ("010", 8),
            ("00", 0),
            ("0x1F90", 8080),
            ("0X1f90", 8080),
            ("0x0", 0),
            ("0o17", 15),
            ("0O17", 15),
            ("0o0", 0),
            ("0b101", 5),
            ("0B101", 5),
            ("0b0", 0),
            ("-0b101", -5),
            ("-0x10", -16),
            ("+0x10", 16),
            ("8_080", 8080),
            ("1_000", 1000),
            ("0_0", 0),
            ("1__0", 10),
            ("0x_1F", 31),
            ("9223372036854775807", i64::MAX as i128),
            ("-9223372036854775808", i64::MIN as i128),
            // uint64 range
            ("9223372036854775808", 1i128 << 63),
            ("18446744073709551615", u64::MAX as i128),
            ("0xFFFFFFFFFFFFFFFF", u64::MAX as i128),
            ("0b-101", -5), // Go: ParseInt("-101", 2) after the "0b" prefix is cut
        ];
        for (input, want) in cases {
            check(input, Value::Int(*want));
        }
    }

    #[test]
    fn floats_per_the_regex() {
        let cases: &[(&str, f64)] = &[
            ("08", 8.0),
            ("09", 9.0),
            ("09.5", 9.5),
            ("0.0", 0.0),
            (".0", 0.0),
            (".5", 0.5),
            ("0e0", 0.0),
            ("1e3", 1000.0),
            ("1E+3", 1000.0),
            ("1.", 1.0),
            ("-1.5", -1.5),
            ("+.5", 0.5),
            ("1_000.5", 1000.5),
            ("1.5e-3", 0.0015),
            (".5e1", 5.0),
            // Too big for uint64 and no base prefix: the float regex wins.
            ("18446744073709551616", 18446744073709551616.0),
            ("-9223372036854775809", -9223372036854775809.0),
        ];
        for (input, want) in cases {
            check(input, Value::Float(*want));
        }
        check("-0.0", Value::Float(-0.0));
    }

    #[test]
    fn strings_that_look_numeric() {
        for t in [
            "1:20",       // sexagesimal is not supported
            "190:20:30",  // idem
            "2001-12-14", // timestamps stay strings
            "2001-12-14T21:59:43.10Z",
            "1.2.3",
            "1e",
            "1e+",
            ".",
            "+",
            "-",
            "0x",
            "0b",
            "0b2",
            "0o8",
            "0xG",
            // ParseFloat takes `_` only between digits.
            "._5",
            ".5_",
            ".5__0",
            ".5_e1",
            ".5e_1",
            "1e400", // float overflow: ParseFloat's range error
            ".5e999",
            "0x1p3",
            "12abc",
            "1,000",
            "v1.25",
            "- 1",
            "1 ",
            "<<",
            "_1",
            "=",
            "0x1_0000_0000_0000_0000_0000_0000_0000_0000_0000 x",
        ] {
            check(t, s(t));
        }
        // go-yaml v2.4.0 has no big integers: beyond 64 bits, text without a float's form
        // stays a string (found by tests/oracle).
        for t in [
            "0x10000000000000000",
            "0o7777777777777777777777",
            "0b11111111111111111111111111111111111111111111111111111111111111111",
            "-0x8000000000000001",
            "0x1_0000_0000_0000_0000_0000_0000_0000_0000",
        ] {
            check(t, s(t));
        }
    }

    #[test]
    fn dot_floats_take_go_digit_separators() {
        // strconv.ParseFloat runs on the text as written for a leading `.` (found by
        // tests/oracle): `_` between digits is Go literal syntax.
        check(".5_0", Value::Float(0.5));
        check(".1_2e1_0", Value::Float(0.12e10));
        check("-.5_0", Value::Float(-0.5));
    }

    #[test]
    fn tagged_scalars() {
        assert_eq!(resolve_tagged(CoreTag::Str, "123"), Ok(s("123")));
        assert_eq!(resolve_tagged(CoreTag::Int, "8080"), Ok(Value::Int(8080)));
        assert_eq!(resolve_tagged(CoreTag::Int, "0x10"), Ok(Value::Int(16)));
        assert_eq!(resolve_tagged(CoreTag::Bool, "yes"), Ok(Value::Bool(true)));
        assert_eq!(resolve_tagged(CoreTag::Null, ""), Ok(Value::Null));
        assert_eq!(resolve_tagged(CoreTag::Null, "~"), Ok(Value::Null));
        assert_eq!(resolve_tagged(CoreTag::Float, "1"), Ok(Value::Float(1.0)));
        assert_eq!(resolve_tagged(CoreTag::Float, "1.5"), Ok(Value::Float(1.5)));
        assert_eq!(
            resolve_tagged(CoreTag::Int, "abc"),
            Err("cannot decode !!str `abc` as a !!int".to_owned())
        );
        assert_eq!(
            resolve_tagged(CoreTag::Bool, "1"),
            Err("cannot decode !!int `1` as a !!bool".to_owned())
        );
        assert!(resolve_tagged(CoreTag::Float, "18446744073709551615").is_err());
        assert_eq!(
            resolve_tagged(CoreTag::Timestamp, "2001-12-14"),
            Ok(s("2001-12-14"))
        );
        assert_eq!(
            resolve_tagged(CoreTag::Timestamp, "2001-12-14t21:59:43.10-05:00"),
            Ok(s("2001-12-14t21:59:43.10-05:00"))
        );
        assert_eq!(
            resolve_tagged(CoreTag::Timestamp, "2001-12-14 21:59:43.10"),
            Ok(s("2001-12-14 21:59:43.10"))
        );
        assert!(resolve_tagged(CoreTag::Timestamp, "2001-02-30").is_err());
        assert!(resolve_tagged(CoreTag::Timestamp, "2001-12-14T21:59:43").is_err());
        assert_eq!(resolve_tagged(CoreTag::Binary, "aGVsbG8="), Ok(s("hello")));
        assert_eq!(
            resolve_tagged(CoreTag::Binary, "aGVs\nbG8="),
            Ok(s("hello"))
        );
        assert!(resolve_tagged(CoreTag::Binary, "aGVsbG8").is_err());
        assert!(resolve_tagged(CoreTag::Binary, "a=GV").is_err());
    }

    #[test]
    fn core_tag_uris() {
        assert_eq!(
            CoreTag::from_uri("tag:yaml.org,2002:int"),
            Some(CoreTag::Int)
        );
        assert_eq!(CoreTag::from_uri("tag:yaml.org,2002:map"), None);
        assert_eq!(CoreTag::from_uri("!int"), None);
    }

    #[test]
    fn keys_convert_like_sigs_k8s_io_yaml() {
        let cases: &[(Value, &str)] = &[
            (s("a"), "a"),
            (Value::Bool(true), "true"),
            (Value::Bool(false), "false"),
            (Value::Int(-42), "-42"),
            (Value::Int(i64::MAX as i128), "9223372036854775807"),
            (Value::Float(1.0), "1"),
            (Value::Float(1.5), "1.5"),
            (Value::Float(0.1), "0.1"),
            (Value::Float(-0.0), "-0"),
            (Value::Float(100000.0), "100000"),
            (Value::Float(1e6), "1e+06"),
            (Value::Float(123456789.0), "1.2345679e+08"),
            (Value::Float(0.0001), "0.0001"),
            (Value::Float(0.00001), "1e-05"),
            (Value::Float(1.23456789), "1.2345679"),
            (Value::Float(f64::INFINITY), ".inf"),
            (Value::Float(f64::NEG_INFINITY), "-.inf"),
            (Value::Float(f64::NAN), ".nan"),
            (Value::Float(1e39), ".inf"),
        ];
        for (v, want) in cases {
            assert_eq!(key_string(v).as_deref(), Ok(*want), "{v:?}");
        }
        assert!(key_string(&Value::Null).is_err());
        assert!(key_string(&Value::Int(u64::MAX as i128)).is_err());
        assert!(key_string(&Value::Int(1 << 64)).is_err());
        assert!(key_string(&Value::Seq(Vec::new())).is_err());
    }

    #[test]
    fn json_number_text_matches_go() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (8080.0, "8080"),
            (0.5, "0.5"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.23e-10, "1.23e-10"),
        ];
        for (f, want) in cases {
            assert_eq!(go_json_number(*f).as_deref(), Some(*want), "{f}");
        }
        assert_eq!(go_json_number(f64::NAN), None);
        assert!(is_json_integer(0.0));
        assert!(is_json_integer(8080.0));
        assert!(!is_json_integer(0.5));
        assert!(!is_json_integer(1e21));
    }

    /// pss-spec §8.3 / §8.5: every spelling of zero that the API server accepts as an integer.
    #[test]
    fn integral_zero_spellings_are_json_integers() {
        for t in [
            "0.0", ".0", "0e0", "-0", "00", "0x0", "0o0", "0b0", "0_0", "+0",
        ] {
            match resolve_plain(t) {
                Value::Int(0) => {}
                Value::Float(f) => assert!(is_json_integer(f) && f == 0.0, "{t}"),
                other => panic!("{t}: {other:?}"),
            }
        }
    }

    #[test]
    fn canonical_text() {
        assert!(is_canonical_text(&Value::Bool(true), "true"));
        assert!(!is_canonical_text(&Value::Bool(true), "yes"));
        assert!(!is_canonical_text(&Value::Bool(true), "True"));
        assert!(is_canonical_text(&Value::Int(511), "511"));
        assert!(!is_canonical_text(&Value::Int(511), "0777"));
        assert!(!is_canonical_text(&Value::Int(1000), "1_000"));
        assert!(!is_canonical_text(&Value::Int(0), "-0"));
        assert!(is_canonical_text(&Value::Int(-5), "-5"));
        assert!(!is_canonical_text(&Value::Float(0.0), ".0"));
        assert!(is_canonical_text(&Value::Float(0.5), "0.5"));
        assert!(!is_canonical_text(&Value::Float(1.0), "1.0"));
    }
}

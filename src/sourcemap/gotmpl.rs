//! A Go `text/template` reader for Helm charts: enough of the syntax to know which text a
//! template writes and which action produced each piece. Nothing is evaluated.
//!
//! The lexer follows text/template's rules: `{{- ` trims the white space before the action
//! (newlines included), ` -}}` the white space after it; `{{/* … */}}` is a comment; an action
//! ends at the first `}}` outside a string, raw string or character literal.

use std::ops::Range;

/// One parsed template file (or `define` body).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Literal text: a byte range of the source, trimming already applied.
    Text(Range<usize>),
    /// An action that writes its pipeline's value (`{{ .Values.x }}`, `{{ include "a" . }}`).
    Output(Action),
    /// An action that writes nothing (`{{ $x := … }}`, `{{ break }}`, comments).
    Silent(Action),
    If(Branches),
    With(Branches),
    Range(Branches),
    /// `{{ template "name" arg }}`.
    Template(Action),
}

/// `if`/`with`/`range` with their `else`/`else if` chains: each arm is (condition, body); the
/// last arm's condition is `None` for a plain `else`.
#[derive(Debug, Clone, PartialEq)]
pub struct Branches {
    pub head: Action,
    pub arms: Vec<(Option<Action>, Vec<Node>)>,
}

/// An action's text (without delimiters or keyword) and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub text: String,
    /// Byte offset of the `{{`.
    pub offset: usize,
}

/// A parsed file: its top-level nodes and the named templates it defines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    pub defines: Vec<(String, Vec<Node>)>,
}

#[derive(Debug)]
enum Token {
    Text(Range<usize>),
    Action { text: String, offset: usize },
}

/// A problem that stops the parse: the template is not well-formed as far as we read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos < bytes.len() {
        let open = src[pos..].find("{{").map(|i| pos + i);
        let text_end = open.unwrap_or(bytes.len());
        let mut start = pos;
        if trim_next {
            while start < text_end && bytes[start].is_ascii_whitespace() {
                start += 1;
            }
            trim_next = false;
        }
        let mut end = text_end;
        let Some(open) = open else {
            if start < end {
                tokens.push(Token::Text(start..end));
            }
            break;
        };
        let trim_left = src[open + 2..].starts_with("- ")
            || src[open + 2..].starts_with("-\t")
            || src[open + 2..].starts_with("-\n")
            || src[open + 2..].starts_with("-\r");
        if trim_left {
            while end > start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
        }
        if start < end {
            tokens.push(Token::Text(start..end));
        }
        let body_start = open + if trim_left { 3 } else { 2 };
        let close = find_close(src, body_start).ok_or_else(|| ParseError {
            offset: open,
            message: "unclosed action".into(),
        })?;
        let mut body_end = close;
        let trim_right = close >= body_start + 2
            && bytes[close - 1] == b'-'
            && bytes[close - 2].is_ascii_whitespace();
        if trim_right {
            body_end = close - 1;
            trim_next = true;
        }
        let text = src[body_start..body_end].trim().to_string();
        if !(text.starts_with("/*") && text.ends_with("*/")) {
            tokens.push(Token::Action { text, offset: open });
        }
        pos = close + 2;
    }
    Ok(tokens)
}

/// The offset of the `}}` that closes an action whose body starts at `from`.
fn find_close(src: &str, from: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = from;
    // A comment may hold anything up to `*/`.
    let rest = src[from..].trim_start();
    if rest.starts_with("/*") {
        let c = src[from..].find("*/")? + from + 2;
        return src[c..].find("}}").map(|j| c + j);
    }
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    if bytes[i.min(bytes.len() - 1)] == b'\n' && q == b'"' {
                        return None;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b'}' if bytes[i + 1] == b'}' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The first word of an action and the rest.
fn keyword(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(text.len());
    (&text[..end], text[end..].trim())
}

/// Parses a template file.
pub fn parse(src: &str) -> Result<Parsed, ParseError> {
    let tokens = lex(src)?;
    let mut parsed = Parsed::default();
    let mut iter = tokens.into_iter().peekable();
    let (nodes, end) = parse_list(&mut iter, &mut parsed.defines)?;
    if let Some(end) = end {
        return Err(ParseError {
            offset: end.offset,
            message: format!("unexpected {{{{{}}}}}", end.text),
        });
    }
    parsed.nodes = nodes;
    Ok(parsed)
}

type Tokens = std::iter::Peekable<std::vec::IntoIter<Token>>;

/// Parses nodes until `end`/`else` (returned) or the end of input (`None`).
fn parse_list(
    iter: &mut Tokens,
    defines: &mut Vec<(String, Vec<Node>)>,
) -> Result<(Vec<Node>, Option<Action>), ParseError> {
    let mut nodes = Vec::new();
    while let Some(tok) = iter.next() {
        let (text, offset) = match tok {
            Token::Text(r) => {
                nodes.push(Node::Text(r));
                continue;
            }
            Token::Action { text, offset } => (text, offset),
        };
        let (kw, rest) = keyword(&text);
        let action = |t: &str| Action {
            text: t.to_string(),
            offset,
        };
        match kw {
            "end" | "else" => return Ok((nodes, Some(action(&text)))),
            "if" | "with" | "range" => {
                let head = action(rest);
                let mut arms = Vec::new();
                let mut cond = Some(head.clone());
                loop {
                    let (body, end) = parse_list(iter, defines)?;
                    let Some(end) = end else {
                        return Err(ParseError {
                            offset,
                            message: format!("{{{{{kw}}}}} without {{{{end}}}}"),
                        });
                    };
                    arms.push((cond.take(), body));
                    let (ekw, erest) = keyword(&end.text);
                    if ekw == "end" {
                        break;
                    }
                    // `else`, `else if …`, `else with …`
                    let (k2, r2) = keyword(erest);
                    cond = match k2 {
                        "" => None,
                        "if" | "with" => Some(Action {
                            text: r2.to_string(),
                            offset: end.offset,
                        }),
                        _ => None,
                    };
                    if cond.is_none() {
                        let (body, end2) = parse_list(iter, defines)?;
                        arms.push((None, body));
                        match end2 {
                            Some(e) if keyword(&e.text).0 == "end" => break,
                            _ => {
                                return Err(ParseError {
                                    offset,
                                    message: format!("{{{{{kw}}}}} without {{{{end}}}}"),
                                })
                            }
                        }
                    }
                }
                let b = Branches { head, arms };
                nodes.push(match kw {
                    "if" => Node::If(b),
                    "with" => Node::With(b),
                    _ => Node::Range(b),
                });
            }
            "define" | "block" => {
                let name = string_literal(rest).unwrap_or_default();
                let (body, end) = parse_list(iter, defines)?;
                if end.is_none() {
                    return Err(ParseError {
                        offset,
                        message: format!("{{{{{kw}}}}} without {{{{end}}}}"),
                    });
                }
                if kw == "block" {
                    let arg = rest
                        .trim_start()
                        .strip_prefix(&format!("\"{name}\""))
                        .unwrap_or("")
                        .trim();
                    nodes.push(Node::Template(Action {
                        text: format!("\"{name}\" {arg}"),
                        offset,
                    }));
                }
                defines.push((name, body));
            }
            "template" => nodes.push(Node::Template(action(rest))),
            "break" | "continue" => nodes.push(Node::Silent(action(&text))),
            _ if is_assignment(&text) => nodes.push(Node::Silent(action(&text))),
            _ => nodes.push(Node::Output(action(&text))),
        }
    }
    Ok((nodes, None))
}

/// `$x := …` or `$x = …` (also `$k, $v := …`).
pub fn is_assignment(text: &str) -> bool {
    if !text.starts_with('$') {
        return false;
    }
    let head: String = text
        .chars()
        .take_while(|c| *c != '"' && *c != '(')
        .collect();
    head.contains(":=")
        || head
            .split_whitespace()
            .nth(1)
            .is_some_and(|w| w == "=" || w == ",")
}

/// The leading `"…"` string literal of `s`.
pub fn string_literal(s: &str) -> Option<String> {
    let s = s.trim_start();
    let rest = s.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(src: &'a str, nodes: &[Node]) -> Vec<&'a str> {
        nodes
            .iter()
            .filter_map(|n| match n {
                Node::Text(r) => Some(&src[r.clone()]),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn trimming_removes_white_space_next_to_the_action() {
        let src = "a:\n  {{- toYaml . | nindent 2 }}\nb: {{ .x -}}  \n c";
        let p = parse(src).expect("parses");
        assert_eq!(texts(src, &p.nodes), vec!["a:", "\nb: ", "c"]);
    }

    #[test]
    fn control_structures_nest_and_defines_are_collected() {
        let src = "{{- define \"x\" -}}\nk: v\n{{- end }}\n{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}{{/* c }} */}}";
        let p = parse(src).expect("parses");
        assert_eq!(p.defines.len(), 1);
        assert_eq!(p.defines[0].0, "x");
        let Node::If(b) = &p.nodes[1] else {
            panic!("{:?}", p.nodes)
        };
        assert_eq!(b.arms.len(), 3);
        assert!(b.arms[2].0.is_none());
        assert_eq!(p.nodes.len(), 2);
    }

    #[test]
    fn strings_may_hold_braces() {
        let src = "{{ printf \"}}\" }}x";
        let p = parse(src).expect("parses");
        assert!(matches!(&p.nodes[0], Node::Output(a) if a.text == "printf \"}}\""));
    }

    #[test]
    fn unbalanced_templates_are_errors() {
        assert!(parse("{{ if .a }}x").is_err());
        assert!(parse("{{ end }}").is_err());
        assert!(parse("{{ .a ").is_err());
    }
}

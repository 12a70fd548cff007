//! Notices to text with MiniJinja: the built-in Markdown template, or a team's own
//! (`--notice-template`). The template's context is the [`Notice`] itself, so a custom
//! template can use every field the JSON format shows.

use std::fmt;
use std::io::{self, Write};

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::model::Notice;
use crate::report::{Tool, TOOL};

/// The default wording.
pub const DEFAULT_TEMPLATE: &str = include_str!("notice.md.j2");

/// A template that does not compile or render, with its file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// A compiled notice template.
pub struct NoticeTemplate {
    env: Environment<'static>,
    file: String,
}

impl NoticeTemplate {
    /// The built-in template.
    pub fn builtin() -> NoticeTemplate {
        NoticeTemplate::new("notice.md.j2".into(), DEFAULT_TEMPLATE.to_string())
            .expect("the built-in template compiles")
    }

    /// Compiles `source`, read from `file` (named in errors). Undefined variables are errors,
    /// so a misspelt field fails loudly instead of leaving a hole in every notice.
    pub fn new(file: String, source: String) -> Result<NoticeTemplate, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Jinja's usual whitespace handling: a block tag's own line leaves no blank line.
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| template_error(&file, &e))?;
        env.set_syntax(syntax);
        env.add_template_owned(file.clone(), source)
            .map_err(|e| template_error(&file, &e))?;
        Ok(NoticeTemplate { env, file })
    }

    pub fn render(&self, notice: &Notice) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(&self.file)
            .map_err(|e| template_error(&self.file, &e))?;
        template
            .render(minijinja::value::Serde(terminal_safe(notice).map_err(
                |e| TemplateError {
                    file: self.file.clone(),
                    line: None,
                    message: format!("the notice cannot be prepared: {e}"),
                },
            )?))
            .map_err(|e| template_error(&self.file, &e))
    }
}

/// Fields whose text is laid out over several lines in a notice: YAML and source lines.
const MULTI_LINE_FIELDS: &[&str] = &["before", "after", "fix_yaml", "exception_request"];

/// The notice as a template sees it: every string from the input made safe for a terminal or a
/// Markdown file (a file name with a line break or an escape sequence could otherwise forge a
/// line or recolour the reader's terminal). Multi-line fields keep their line breaks; the JSON
/// format's data stays exact, since JSON escapes control characters itself.
fn terminal_safe(notice: &Notice) -> Result<serde_json::Value, serde_json::Error> {
    let mut value = serde_json::to_value(notice)?;
    escape_strings(&mut value, false);
    Ok(value)
}

fn escape_strings(value: &mut serde_json::Value, keep_lines: bool) {
    use crate::report::text;
    match value {
        serde_json::Value::String(s) => {
            let escaped = if keep_lines {
                text::escape_keeping_lines(s)
            } else {
                text::escape(s)
            };
            if let std::borrow::Cow::Owned(escaped) = escaped {
                *s = escaped;
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                escape_strings(item, keep_lines);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                escape_strings(
                    field,
                    keep_lines || MULTI_LINE_FIELDS.contains(&key.as_str()),
                );
            }
        }
        _ => {}
    }
}

fn template_error(file: &str, e: &minijinja::Error) -> TemplateError {
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    TemplateError {
        file: file.to_string(),
        line: e.line(),
        message,
    }
}

/// Each notice's text, in notice order.
pub fn texts(notices: &[Notice], template: &NoticeTemplate) -> Result<Vec<String>, TemplateError> {
    notices.iter().map(|n| template.render(n)).collect()
}

/// The notices one after the other, separated by a rule.
pub fn markdown(texts: &[String], out: &mut dyn Write) -> io::Result<()> {
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            writeln!(out, "\n---\n")?;
        }
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonNotice<'a> {
    #[serde(flatten)]
    notice: &'a Notice,
    /// The rendered notice.
    text: &'a str,
}

#[derive(Serialize)]
struct Json<'a> {
    tool: Tool,
    notices: Vec<JsonNotice<'a>>,
}

/// `{"tool": …, "notices": [{…notice, "text": "# Action needed …"}]}` for bots.
pub fn json(notices: &[Notice], texts: &[String], out: &mut dyn Write) -> io::Result<()> {
    let doc = Json {
        tool: TOOL,
        notices: notices
            .iter()
            .zip(texts)
            .map(|(notice, text)| JsonNotice { notice, text })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_errors_name_the_file_and_line() {
        let err = NoticeTemplate::new("team.j2".into(), "line one\n{% for x in %}\n".into())
            .err()
            .expect("a syntax error");
        assert_eq!(err.file, "team.j2");
        assert_eq!(err.line, Some(2));
        assert!(
            err.to_string().starts_with("team.j2:2: syntax error"),
            "{err}"
        );
    }
}

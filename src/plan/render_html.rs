//! The plan as one self-contained HTML page (no network, no external assets): a readiness
//! matrix of namespaces × levels, coloured by state, that drills down to workloads, violations
//! and steps. The page is static (`plan.html`); the plan is embedded in it as JSON, which its
//! inline script draws with `textContent` only, so manifest text is never parsed as HTML.

use std::io::{self, Write};

use super::Plan;

const PAGE: &str = include_str!("plan.html");
const SLOT: &str = "/*PLAN_JSON*/";

pub fn render(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let json = serde_json::to_string(plan).map_err(io::Error::other)?;
    let (head, tail) = PAGE
        .split_once(SLOT)
        .ok_or_else(|| io::Error::other("the page template lost its data slot"))?;
    out.write_all(head.as_bytes())?;
    out.write_all(script_safe(&json).as_bytes())?;
    out.write_all(tail.as_bytes())
}

/// JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` as
/// `\u` escapes, which JSON.parse reads back unchanged.
fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Line separators are valid in JSON strings but end lines in old JavaScript.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_the_script() {
        let s = script_safe(r#"{"name":"</script><b>&"}"#);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["name"], "</script><b>&");
    }

    #[test]
    fn the_page_has_one_data_slot_and_loads_nothing_from_outside() {
        assert_eq!(PAGE.matches(SLOT).count(), 1);
        for external in ["http://", "https://", "src=", "<link", "@import", "url("] {
            assert!(!PAGE.contains(external), "{external}");
        }
    }
}

//! (in progress)
//! Temporary stand-in until the loader lands.
use crate::manifest::{LoadProblem, Node};
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    pub alias_budget: usize,
    pub max_depth: usize,
}
pub struct ParsedDocument {
    pub root: Option<Node>,
    pub problems: Vec<LoadProblem>,
}
pub fn parse_document(_t: &str, _l: u32, _o: &ParseOptions) -> ParsedDocument {
    ParsedDocument {
        root: None,
        problems: Vec::new(),
    }
}

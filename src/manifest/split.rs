//! (in progress)
//! Temporary stand-in until the loader lands.
use crate::manifest::LoadProblem;
pub struct Chunk<'a> {
    pub text: &'a str,
    pub start_line: u32,
    pub origin: Option<String>,
}
pub fn split_stream(_text: &str) -> (Vec<Chunk<'_>>, Vec<LoadProblem>) {
    (Vec::new(), Vec::new())
}

//! (in progress)
use std::io::{self, Write};
pub fn render(_r: &super::Report, _out: &mut dyn Write) -> io::Result<()> { Ok(()) }

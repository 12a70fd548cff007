//! The data every stage shares, at the bottom of the house: it imports nothing else of the
//! crate, so any stage may use it and it never knots the others together.
//!
//! * [`source`]: positions, spans and line indexes into a file's text.
//! * [`field`]: field paths (`spec.containers[0].securityContext`).
//! * [`level`]: Pod Security levels and versions (pss-spec §1–2).
//! * [`problem`]: input problems ([`problem::InputRule`], [`problem::LoadProblem`]).
//! * [`diagnostic`]: the finished, located finding every report renders, with the PSA mode and
//!   the exception that covered it.
//! * [`report`]: the finished report of a run.

pub mod diagnostic;
pub mod field;
pub mod level;
pub mod problem;
pub mod report;
pub mod source;

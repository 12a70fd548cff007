//! Diagnose: what the engine and the loader found → located, fixable diagnostics. A field path
//! becomes the span to report ([`locate`]), each finding gets its source lines ([`snippet`])
//! and a concrete fix ([`remedy`]), and an input problem becomes its diagnostic ([`problem`]).

pub mod locate;
pub mod problem;
pub mod remedy;
pub mod snippet;

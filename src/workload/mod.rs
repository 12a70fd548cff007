//! Pod templates: which objects carry one and where ([`kinds`], with paths and pod-shaped maps
//! in [`templates`]), and the engine's view of one, decoded and defaulted as the API server
//! would ([`extract`]).

pub mod extract;
pub mod kinds;
pub mod templates;

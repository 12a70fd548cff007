//! Loading: bytes → documents → span-carrying trees, the way kubectl and the API server read
//! them (pss-spec §7–8).
//!
//! * [`split`] cuts a stream into documents textually, as kubectl does, so that a broken
//!   document never hides the ones after it.
//! * [`yaml`] parses one document into a [`Node`] tree with go-yaml v2 semantics ([`resolve`]
//!   holds the scalar rules).
//! * [`object`] reads apiVersion/kind/name/namespace and flattens `*List` kinds.
//! * [`skim`] is the exact fast path: it proves, from parser events alone, that a document
//!   needs no tree (a ConfigMap, a CRD) and what the tree would have said about it.

pub mod decode;
pub mod json;
pub mod node;
pub mod object;
pub mod resolve;
pub mod skim;
pub mod split;
pub mod stream;
pub mod yaml;
pub mod yaml11;

pub use node::{Entry, Mapping, Node, ScalarStyle, Value};

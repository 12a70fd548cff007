//! (in progress)
//! Temporary stand-in until the loader lands: finds no objects.
use crate::field::FieldPath;
use crate::manifest::Node;
pub struct ObjectInfo {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub path: FieldPath,
}
pub fn objects(_root: &Node) -> Vec<(ObjectInfo, &Node)> {
    Vec::new()
}

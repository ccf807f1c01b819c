//! Workflows, jobs and steps as resources (stub until the adapter lands).
use crate::{Node, Resource};
/// The resources of a workflow or action file.
pub fn resources(docs: &[Node], is_action: bool) -> Vec<Resource<'_>> {
    let _ = (docs, is_action);
    Vec::new()
}

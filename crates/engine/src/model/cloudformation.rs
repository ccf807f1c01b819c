//! CloudFormation resources: one per entry of `Resources`, typed by its `Type`.

use crate::{Node, Resource, Target};

/// The template's resources, addressed by logical id, with the whole resource map
/// (`Type`, `Properties`, `DeletionPolicy`, ...) as the body.
pub fn resources(documents: &[Node]) -> Vec<Resource<'_>> {
    let mut out = Vec::new();
    for (index, doc) in documents.iter().enumerate() {
        let Some(resources) = doc.get("Resources") else { continue };
        for entry in resources.entries() {
            let Some(kind) = entry.value.get("Type").and_then(Node::as_str) else { continue };
            let mut resource =
                Resource::tree(Target::Cloudformation, kind, entry.key.clone(), entry.key_span, &entry.value);
            resource.index = index;
            out.push(resource);
        }
    }
    out
}

//! docker-compose services as resources.

use crate::{Node, Resource, Target};

/// One resource per service, addressed `services.<name>`.
pub fn resources(documents: &[Node]) -> Vec<Resource<'_>> {
    let mut out = Vec::new();
    for (index, doc) in documents.iter().enumerate() {
        let Some(services) = doc.get("services") else { continue };
        for entry in services.entries() {
            let mut resource = Resource::tree(
                Target::Compose,
                "service",
                format!("services.{}", entry.key),
                entry.key_span,
                &entry.value,
            );
            resource.index = index;
            out.push(resource);
        }
    }
    out
}

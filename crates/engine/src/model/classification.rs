//! The data-classification convention: a tag (default key `data_classification`, configurable)
//! says how sensitive the data in a store is. Classified = `confidential`, `restricted`, `pii`
//! or `phi`; personal data = `pii` or `phi`. Terraform resources inherit the AWS provider's
//! `default_tags`.

use crate::{Node, Resource, Target, Value};

/// The tag key used when the configuration names none.
pub const DEFAULT_KEY: &str = "data_classification";

/// Set `classification` on every resource that carries the tag or inherits it.
pub fn assign(resources: &mut [Resource<'_>], key: &str) {
    let provider_default: Option<&Node> = resources
        .iter()
        .filter(|r| r.target == Target::Terraform && r.kind == "provider.aws")
        .find_map(|r| {
            r.body
                .and_then(|b| b.get("default_tags"))
                .and_then(|d| d.items().first())
                .and_then(|d| d.get("tags"))
                .and_then(|t| t.get(key))
        });
    for resource in resources.iter_mut() {
        let own = resource.body.and_then(|body| own_tag(resource.target, body, key));
        resource.classification = match resource.target {
            Target::Terraform if !resource.kind.starts_with("provider.") && resource.kind != "terraform" => {
                own.or(provider_default)
            }
            _ => own,
        };
    }
}

fn own_tag<'a>(target: Target, body: &'a Node, key: &str) -> Option<&'a Node> {
    match target {
        Target::Terraform => body.get("tags").and_then(|t| t.get(key)),
        Target::Cloudformation => {
            let tags = body.get_path("Properties.Tags")?;
            match &tags.value {
                // Most resources: a list of {Key, Value}; some (SSM, Glue): a plain map.
                Value::List(items) => items
                    .iter()
                    .find(|t| t.get("Key").and_then(Node::as_str) == Some(key))
                    .and_then(|t| t.get("Value")),
                Value::Map(_) => tags.get(key),
                _ => None,
            }
        }
        Target::Kubernetes => body.get_path("metadata.labels").and_then(|l| l.get(key)),
        _ => None,
    }
}

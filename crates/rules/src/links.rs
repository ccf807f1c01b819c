//! What an attribute of one resource points at: the other resources of its module or template
//! named by a Terraform reference (`aws_subnet.a.id`), a literal name (`"orders-db"`), or a
//! CloudFormation `Ref`, `GetAtt` or `Sub`. Native rules use it for the joins the policy
//! language cannot express: counting the resources that refer to one, or comparing values
//! across resources.
//!
//! Answers are three-valued ([`Truth`]): a reference through a variable, a local, a module
//! output or an intrinsic function might name the resource, so it is unknown, never a guess.

use trustlint_engine::policy::relation::terraform_reference;
use trustlint_engine::rule::Scope;
use trustlint_engine::{Node, Resource, Target, Value};

pub(crate) use trustlint_engine::policy::condition::Truth;

/// Deepest list nesting followed inside one attribute value.
const MAX_NESTING: usize = 8;

/// The resources a value refers to, and whether some part of it could not be resolved.
#[derive(Debug, Default)]
pub(crate) struct Linked<'a> {
    /// Resources found, in scope order, each once.
    pub found: Vec<&'a Resource<'a>>,
    /// Set when a reference might name a resource but cannot be resolved statically.
    pub unknown: bool,
}

/// The nodes at a dotted path of map keys, where a key applied to a list applies to each item
/// (an HCL block type is a list of blocks), and whether an expression stood in the way.
pub(crate) fn values_at<'n>(node: &'n Node, path: &[&str]) -> (Vec<&'n Node>, bool) {
    let mut frontier = vec![node];
    let mut unknown = false;
    for key in path {
        let mut next = Vec::new();
        for current in frontier {
            step(current, key, &mut next, &mut unknown, 0);
        }
        frontier = next;
    }
    frontier.retain(|n| !n.is_null());
    (frontier, unknown)
}

fn step<'n>(node: &'n Node, key: &str, next: &mut Vec<&'n Node>, unknown: &mut bool, depth: usize) {
    match &node.value {
        Value::Map(_) => next.extend(node.get(key)),
        Value::List(items) if depth < MAX_NESTING => {
            for item in items {
                step(item, key, next, unknown, depth + 1);
            }
        }
        Value::Expr(_) | Value::Tagged(..) => *unknown = true,
        _ => {}
    }
}

/// Whether a value not known statically: a Terraform expression, a YAML intrinsic tag, or a
/// JSON intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`).
pub(crate) fn is_dynamic(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) | Value::Tagged(..) => true,
        Value::Map(entries) => {
            matches!(entries.as_slice(), [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
        }
        _ => false,
    }
}

/// Whether `value` names `to`: a reference to its address or logical id, or a literal equal to
/// the value of one of its attributes at `names` (dotted paths such as `name` or
/// `Properties.TableName`). A list names `to` when one of its items does.
pub(crate) fn names(value: &Node, to: &Resource<'_>, names: &[&str]) -> Truth {
    names_at(value, to, names, 0)
}

fn names_at(value: &Node, to: &Resource<'_>, attributes: &[&str], depth: usize) -> Truth {
    match &value.value {
        Value::List(items) if depth < MAX_NESTING => {
            let mut unknown = false;
            for item in items {
                match names_at(item, to, attributes, depth + 1) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => unknown = true,
                    Truth::False => {}
                }
            }
            if unknown { Truth::Unknown } else { Truth::False }
        }
        Value::Expr(text) if to.target == Target::Terraform => terraform_names(text, &to.address),
        Value::String(literal) | Value::Number(literal) => literal_names(literal, to, attributes),
        _ if to.target == Target::Cloudformation => cloudformation_names(value, &to.address),
        Value::Expr(_) | Value::Tagged(..) => Truth::Unknown,
        _ => Truth::False,
    }
}

/// Whether a Terraform expression refers to the resource at `address`. A direct reference
/// decides; otherwise the expression may still name it through a variable, a local, a data
/// source, a module output or an iterator, which are only recognised at the start of a
/// reference (`aws_rds_cluster.variable_count.id` is not `var.`, nor `count.`).
fn terraform_names(expression: &str, address: &str) -> Truth {
    if terraform_reference(expression, address) == Truth::True {
        return Truth::True;
    }
    const INDIRECT: [&str; 8] = ["var.", "local.", "module.", "data.", "each.", "count.", "lookup(", "try("];
    let bytes = expression.as_bytes();
    let indirect = INDIRECT.iter().any(|prefix| {
        expression.match_indices(prefix).any(|(at, _)| {
            at == 0
                || bytes
                    .get(at - 1)
                    .is_some_and(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        })
    });
    if indirect { Truth::Unknown } else { Truth::False }
}

/// A literal names `to` when one of `to`'s own attributes at `attributes` holds the same text.
fn literal_names(literal: &str, to: &Resource<'_>, attributes: &[&str]) -> Truth {
    let Some(body) = to.body else { return Truth::False };
    let mut unknown = false;
    for attribute in attributes {
        let path: Vec<&str> = attribute.split('.').collect();
        let (own, blocked) = values_at(body, &path);
        unknown |= blocked;
        for node in own {
            match node.scalar_text() {
                Some(text) if text == literal => return Truth::True,
                Some(_) => {}
                None if is_dynamic(node) => unknown = true,
                None => {}
            }
        }
    }
    if unknown { Truth::Unknown } else { Truth::False }
}

/// `!Ref Id`, `{Ref: Id}`, `!GetAtt Id.Attr`, `!GetAtt [Id, Attr]`, `{"Fn::GetAtt": ...}`, and
/// `!Sub` / `{"Fn::Sub": ...}` strings that interpolate `${Id}` or `${Id.Attr}`.
fn cloudformation_names(value: &Node, logical_id: &str) -> Truth {
    let (function, argument) = match &value.value {
        Value::Tagged(tag, inner) => (tag.as_str(), inner.as_ref()),
        Value::Map(entries) => match entries.as_slice() {
            [only] if only.key == "Ref" => ("Ref", &only.value),
            [only] => match only.key.strip_prefix("Fn::") {
                Some(function) => (function, &only.value),
                None => return Truth::False,
            },
            _ => return Truth::False,
        },
        _ => return Truth::False,
    };
    let named = |id: &str| if id == logical_id { Truth::True } else { Truth::False };
    match function {
        "Ref" => match argument.as_str() {
            Some(id) => named(id),
            None => Truth::Unknown,
        },
        "GetAtt" => match &argument.value {
            Value::String(text) => named(text.split('.').next().unwrap_or(text)),
            Value::List(items) => match items.first().and_then(Node::as_str) {
                Some(id) => named(id),
                None => Truth::Unknown,
            },
            _ => Truth::Unknown,
        },
        "Sub" => {
            let template = match &argument.value {
                Value::String(text) => Some(text.as_str()),
                Value::List(items) => items.first().and_then(Node::as_str),
                _ => None,
            };
            match template {
                Some(text) if text.contains(&format!("${{{logical_id}}}")) => Truth::True,
                Some(text) if text.contains(&format!("${{{logical_id}.")) => Truth::True,
                // Other interpolations (parameters, pseudo parameters) may hold its name.
                Some(text) if text.contains("${") => Truth::Unknown,
                Some(_) => Truth::False,
                None => Truth::Unknown,
            }
        }
        _ => Truth::Unknown,
    }
}

/// The resources of `kinds` (in `from`'s target) that `value` names, each once.
pub(crate) fn targets<'a>(
    value: &Node,
    from: &Resource<'_>,
    scope: &Scope<'a>,
    kinds: &[&str],
    attributes: &[&str],
) -> Linked<'a> {
    let mut linked = Linked::default();
    for kind in kinds {
        for other in scope.of_kind(from.target, kind) {
            if same(other, from) {
                continue;
            }
            match names(value, other, attributes) {
                Truth::True => linked.found.push(other),
                Truth::Unknown => linked.unknown = true,
                Truth::False => {}
            }
        }
    }
    linked
}

/// The resources of `kinds` whose attribute at `path` names `to`, each once.
pub(crate) fn referrers<'a>(
    to: &Resource<'_>,
    scope: &Scope<'a>,
    kinds: &[&str],
    path: &[&str],
    attributes: &[&str],
) -> Linked<'a> {
    let mut linked = Linked::default();
    for kind in kinds {
        for other in scope.of_kind(to.target, kind) {
            let Some(body) = other.body else { continue };
            let (values, blocked) = values_at(body, path);
            let mut truth = if blocked { Truth::Unknown } else { Truth::False };
            for value in values {
                match names(value, to, attributes) {
                    Truth::True => {
                        truth = Truth::True;
                        break;
                    }
                    Truth::Unknown => truth = Truth::Unknown,
                    Truth::False => {}
                }
            }
            match truth {
                Truth::True => linked.found.push(other),
                Truth::Unknown => linked.unknown = true,
                Truth::False => {}
            }
        }
    }
    linked
}

/// Whether two resource views are the same resource.
fn same(a: &Resource<'_>, b: &Resource<'_>) -> bool {
    a.file == b.file && a.index == b.index && a.address == b.address && a.kind == b.kind
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::Span;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::{hcl, yaml};

    #[test]
    fn terraform_references_and_literal_names() {
        let text = r#"
resource "aws_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_db_subnet_group" "g" {
  name       = "private"
  subnet_ids = [aws_subnet.a.id, "subnet-0123"]
}
resource "aws_db_instance" "by_reference" {
  db_subnet_group_name = aws_db_subnet_group.g.name
}
resource "aws_db_instance" "by_name" {
  db_subnet_group_name = "private"
}
resource "aws_db_instance" "other" {
  db_subnet_group_name = "public"
}
resource "aws_db_instance" "variable" {
  db_subnet_group_name = var.group
}
"#;
        let file = hcl::parse(text).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let group = &resources[1];
        let truth = |i: usize| {
            let db: &Resource<'_> = &resources[i];
            let value = db.body.and_then(|b| b.get("db_subnet_group_name")).expect("attribute");
            names(value, group, &["name"])
        };
        assert_eq!(truth(2), Truth::True);
        assert_eq!(truth(3), Truth::True);
        assert_eq!(truth(4), Truth::False);
        assert_eq!(truth(5), Truth::Unknown);
        assert_eq!(terraform_names("aws_rds_cluster.variable_count.id", "aws_rds_cluster.one"), Truth::False);
        assert_eq!(terraform_names("\"${var.prefix}-x\"", "aws_rds_cluster.one"), Truth::Unknown);
        assert_eq!(
            terraform_names("aws_rds_cluster.one[count.index].id", "aws_rds_cluster.one"),
            Truth::True
        );

        let subnets = group.body.and_then(|b| b.get("subnet_ids")).expect("subnets");
        let linked = targets(subnets, group, &scope, &["aws_subnet"], &["id"]);
        assert_eq!(linked.found.len(), 1);
        assert!(!linked.unknown);

        let users = referrers(group, &scope, &["aws_db_instance"], &["db_subnet_group_name"], &["name"]);
        let addresses: Vec<&str> = users.found.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["aws_db_instance.by_reference", "aws_db_instance.by_name"]);
        assert!(users.unknown);
    }

    #[test]
    fn cloudformation_intrinsics() {
        let text = "a: !Ref Table\nb: !GetAtt Table.Arn\nc: !GetAtt [Table, Arn]\nd: !Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}'\ne: !Ref Other\nf: !Sub 'arn:${Param}'\ng: {Ref: Table}\nh: {'Fn::GetAtt': [Table, Arn]}\ni: !If [c, x, y]\n";
        let stream = yaml::parse(text).expect("parses");
        let root = &stream.documents[0];
        let table = Node::new(Span::default(), Value::Map(Vec::new()));
        let resource =
            Resource::tree(Target::Cloudformation, "AWS::DynamoDB::Table", "Table", Span::default(), &table);
        let truth = |key: &str| names(root.get(key).expect("key"), &resource, &[]);
        assert_eq!(truth("a"), Truth::True);
        assert_eq!(truth("b"), Truth::True);
        assert_eq!(truth("c"), Truth::True);
        assert_eq!(truth("d"), Truth::True);
        assert_eq!(truth("e"), Truth::False);
        assert_eq!(truth("f"), Truth::Unknown);
        assert_eq!(truth("g"), Truth::True);
        assert_eq!(truth("h"), Truth::True);
        assert_eq!(truth("i"), Truth::Unknown);
    }

    #[test]
    fn paths_go_through_blocks_and_stop_at_expressions() {
        let file =
            hcl::parse("x {\n  y {\n    z = 1\n  }\n  y {\n    z = 2\n  }\n}\nw = var.v\n").expect("parses");
        let root = Node::new(Span::default(), Value::Map(file.attributes.clone()));
        let blocks = file.blocks.first().map(|b| &b.body).expect("block");
        let (nodes, unknown) = values_at(blocks, &["y", "z"]);
        assert_eq!(nodes.len(), 2);
        assert!(!unknown);
        let (nodes, unknown) = values_at(&root, &["w", "k"]);
        assert!(nodes.is_empty());
        assert!(unknown);
    }
}

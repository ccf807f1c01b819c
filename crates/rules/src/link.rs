//! References between the resources of one scope, for native rules that judge a resource
//! together with the resources that configure it: an S3 bucket and its policy or logging, an
//! IAM user and its login profile, group memberships and attachments.
//!
//! A value refers to a resource the way the policy language's `related` and `references`
//! recognise it: a Terraform reference to its address (`aws_s3_bucket.logs.id`,
//! `"${aws_s3_bucket.logs.bucket}"`), a literal equal to one of its name attributes (`bucket =
//! "acme-logs"`), or a CloudFormation `Ref`, `GetAtt` or `Sub` naming its logical id. Every
//! answer is three-valued: a variable or an expression that cannot be followed makes the link
//! unknown.

use trustlint_engine::policy::condition::Truth;
use trustlint_engine::policy::relation::terraform_reference;
use trustlint_engine::rule::Scope;

use crate::prelude::*;

/// Kleene `or`: true if one is true, unknown if one is unknown, else false.
pub(crate) fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::True, _) | (_, Truth::True) => Truth::True,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::False,
    }
}

/// Kleene `and`: false if one is false, unknown if one is unknown, else true.
pub(crate) fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
        _ => Truth::True,
    }
}

/// Kleene `not`.
pub(crate) fn not(a: Truth) -> Truth {
    match a {
        Truth::True => Truth::False,
        Truth::False => Truth::True,
        Truth::Unknown => Truth::Unknown,
    }
}

/// Whether `value` refers to `to`: through a reference, or as a literal equal to one of the
/// attributes `names` of `to` (dotted paths, such as `bucket` or `Properties.BucketName`).
pub(crate) fn refers(value: &Node, to: &Resource<'_>, names: &[&str]) -> Truth {
    match &value.value {
        Value::List(items) => items.iter().fold(Truth::False, |acc, item| or(acc, refers(item, to, names))),
        Value::String(literal) | Value::Number(literal) => literal_names(literal, to, names),
        Value::Expr(text) if to.target == Target::Terraform => terraform_reference(text, &to.address),
        Value::Null | Value::Bool(_) => Truth::False,
        _ if to.target == Target::Cloudformation => cloudformation_reference(value, &to.address, 0),
        _ => Truth::Unknown,
    }
}

/// Whether two attribute values of different resources name the same thing: equal
/// literals, or the same expression (`azurerm_resource_group.main.name` on both sides). A
/// literal against an expression, or two different expressions, is unknown.
pub(crate) fn same_value(a: Option<&Node>, b: Option<&Node>) -> Truth {
    let (Some(a), Some(b)) = (a, b) else { return Truth::False };
    match (&a.value, &b.value) {
        (Value::Expr(x), Value::Expr(y)) if x.trim() == y.trim() => Truth::True,
        _ if a.is_unknown() || b.is_unknown() => Truth::Unknown,
        _ => match (a.scalar_text(), b.scalar_text()) {
            (Some(x), Some(y)) if x == y => Truth::True,
            _ => Truth::False,
        },
    }
}

/// Whether a literal equals one of the name attributes of `to`.
fn literal_names(literal: &str, to: &Resource<'_>, names: &[&str]) -> Truth {
    let Some(body) = to.body else { return Truth::False };
    names.iter().filter_map(|path| body.get_path(path)).fold(Truth::False, |acc, own| {
        let here = match &own.value {
            Value::String(name) | Value::Number(name) if name == literal => Truth::True,
            Value::String(_) | Value::Number(_) | Value::Null | Value::Bool(_) => Truth::False,
            _ => Truth::Unknown,
        };
        or(acc, here)
    })
}

/// Deepest nesting of CloudFormation intrinsics followed.
const MAX_INTRINSIC_DEPTH: usize = 16;

/// Whether a CloudFormation value names the logical id `id`: `!Ref Id`, `!GetAtt Id.Arn`,
/// `!Sub "...${Id}..."`, and the JSON forms `{"Ref": ...}`, `{"Fn::GetAtt": [...]}`; a
/// `Fn::Join` or `Fn::Sub` is searched through. Any other intrinsic is unknown.
pub(crate) fn cloudformation_reference(value: &Node, id: &str, depth: usize) -> Truth {
    if depth > MAX_INTRINSIC_DEPTH {
        return Truth::Unknown;
    }
    let (name, inner) = match &value.value {
        Value::Tagged(tag, inner) => (tag.strip_prefix("Fn::").unwrap_or(tag), inner.as_ref()),
        Value::Map(entries) => match entries.as_slice() {
            [only] if only.key == "Ref" => ("Ref", &only.value),
            [only] if only.key.starts_with("Fn::") => (only.key.trim_start_matches("Fn::"), &only.value),
            _ => return Truth::False,
        },
        Value::List(items) => {
            return items
                .iter()
                .fold(Truth::False, |acc, item| or(acc, cloudformation_reference(item, id, depth + 1)));
        }
        _ => return Truth::False,
    };
    match name {
        "Ref" | "GetAtt" => {
            let named = match &inner.value {
                Value::String(text) => Some(text.split('.').next().unwrap_or(text)),
                Value::List(items) => items.first().and_then(Node::as_str),
                _ => None,
            };
            match named {
                Some(named) if named == id => Truth::True,
                Some(_) => Truth::False,
                None => Truth::Unknown,
            }
        }
        "Sub" => {
            let (template, variables) = match &inner.value {
                Value::String(text) => (Some(text.as_str()), None),
                Value::List(items) => (items.first().and_then(Node::as_str), items.get(1)),
                _ => (None, None),
            };
            let Some(template) = template else { return Truth::Unknown };
            let from_variables = variables
                .map(|v| {
                    v.entries().iter().fold(Truth::False, |acc, e| {
                        or(acc, cloudformation_reference(&e.value, id, depth + 1))
                    })
                })
                .unwrap_or(Truth::False);
            or(sub_names(template, id), from_variables)
        }
        "Join" => match &inner.value {
            Value::List(items) => {
                items.get(1).map_or(Truth::Unknown, |parts| cloudformation_reference(parts, id, depth + 1))
            }
            _ => Truth::Unknown,
        },
        _ => Truth::Unknown,
    }
}

/// Whether a `Fn::Sub` template names `${Id}` or `${Id.Attribute}`. Names of pseudo
/// parameters (`AWS::Region`) do not refer to a resource; any other name might be a
/// parameter holding the resource's name, so the answer is unknown unless `Id` is found.
fn sub_names(template: &str, id: &str) -> Truth {
    let mut result = Truth::False;
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        rest = &after[end + 1..];
        if name.starts_with('!') || name.starts_with("AWS::") {
            continue;
        }
        if name.split('.').next() == Some(id) {
            return Truth::True;
        }
        result = Truth::Unknown;
    }
    result
}

/// The resources of `kinds` whose attribute at `path` (dotted) refers to `to`, each with how
/// sure the link is (`True` or `Unknown`; resources that certainly do not refer are left out).
pub(crate) fn referrers<'a>(
    to: &Resource<'_>,
    scope: &Scope<'a>,
    kinds: &[&str],
    path: &str,
    names: &[&str],
) -> Vec<(&'a Resource<'a>, Truth)> {
    let mut out = Vec::new();
    for kind in kinds {
        for other in scope.of_kind(to.target, kind) {
            if other.address == to.address && other.file == to.file {
                continue;
            }
            let Some(value) = other.body.and_then(|b| b.get_path(path)) else { continue };
            match refers(value, to, names) {
                Truth::False => {}
                link => out.push((other, link)),
            }
        }
    }
    out
}

/// Whether the attribute at `path` of `from` refers to some resource of `kinds` in scope.
pub(crate) fn refers_to_any(
    from: &Resource<'_>,
    scope: &Scope<'_>,
    kinds: &[&str],
    path: &str,
    names: &[&str],
) -> Truth {
    let Some(value) = from.body.and_then(|b| b.get_path(path)) else { return Truth::False };
    let mut result = Truth::False;
    for kind in kinds {
        for other in scope.of_kind(from.target, kind) {
            result = or(result, refers(value, other, names));
            if result == Truth::True {
                return result;
            }
        }
    }
    result
}

/// The resource of `kinds` in scope that `value` certainly refers to, if any.
pub(crate) fn resolve<'a>(
    value: &Node,
    target: Target,
    scope: &Scope<'a>,
    kinds: &[&str],
    names: &[&str],
) -> Option<&'a Resource<'a>> {
    kinds
        .iter()
        .flat_map(|kind| scope.of_kind(target, kind))
        .find(|other| refers(value, other, names) == Truth::True)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;

    const MODULE: &str = r#"
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
resource "aws_s3_bucket" "data" {
  bucket = var.name
}
resource "aws_s3_bucket_policy" "by_reference" {
  bucket = aws_s3_bucket.logs.id
}
resource "aws_s3_bucket_policy" "by_name" {
  bucket = "acme-logs"
}
resource "aws_s3_bucket_policy" "by_variable" {
  bucket = var.bucket
}
resource "aws_s3_bucket_policy" "other" {
  bucket = "somewhere-else"
}
"#;

    #[test]
    fn terraform_referrers_by_reference_literal_and_variable() {
        let file = hcl::parse(MODULE).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let logs = &resources[0];
        let found: Vec<(&str, Truth)> =
            referrers(logs, &scope, &["aws_s3_bucket_policy"], "bucket", &["bucket"])
                .into_iter()
                .map(|(r, t)| (r.address.as_str(), t))
                .collect();
        assert_eq!(
            found,
            [
                ("aws_s3_bucket_policy.by_reference", Truth::True),
                ("aws_s3_bucket_policy.by_name", Truth::True),
                ("aws_s3_bucket_policy.by_variable", Truth::Unknown),
            ]
        );
        // A literal name compared with a bucket whose name is a variable: unknown.
        let other = &resources[5];
        assert_eq!(refers_to_any(other, &scope, &["aws_s3_bucket"], "bucket", &["bucket"]), Truth::Unknown);
        let by_reference = &resources[2];
        assert_eq!(
            refers_to_any(by_reference, &scope, &["aws_s3_bucket"], "bucket", &["bucket"]),
            Truth::True
        );
    }

    fn node(value: Value) -> Node {
        Node::new(Span::default(), value)
    }

    fn string(text: &str) -> Node {
        node(Value::String(text.into()))
    }

    #[test]
    fn cloudformation_intrinsics() {
        let tagged = |tag: &str, inner: Node| node(Value::Tagged(tag.into(), Box::new(inner)));
        assert_eq!(cloudformation_reference(&tagged("Ref", string("Bucket")), "Bucket", 0), Truth::True);
        assert_eq!(
            cloudformation_reference(&tagged("GetAtt", string("Bucket.Arn")), "Bucket", 0),
            Truth::True
        );
        assert_eq!(cloudformation_reference(&tagged("Ref", string("Other")), "Bucket", 0), Truth::False);
        assert_eq!(
            cloudformation_reference(&tagged("Sub", string("${Bucket.Arn}/*")), "Bucket", 0),
            Truth::True
        );
        assert_eq!(
            cloudformation_reference(&tagged("Sub", string("arn:${AWS::Partition}:s3:::x")), "Bucket", 0),
            Truth::False
        );
        assert_eq!(
            cloudformation_reference(&tagged("Sub", string("arn:aws:s3:::${Name}")), "Bucket", 0),
            Truth::Unknown
        );
        assert_eq!(cloudformation_reference(&tagged("If", string("x")), "Bucket", 0), Truth::Unknown);
        let json_ref = node(Value::Map(vec![trustlint_engine::Entry {
            key: "Fn::GetAtt".into(),
            key_span: Span::default(),
            value: node(Value::List(vec![string("Bucket"), string("Arn")])),
        }]));
        assert_eq!(cloudformation_reference(&json_ref, "Bucket", 0), Truth::True);
        let join = tagged(
            "Join",
            node(Value::List(vec![string(""), node(Value::List(vec![json_ref, string("/*")]))])),
        );
        assert_eq!(cloudformation_reference(&join, "Bucket", 0), Truth::True);
    }

    #[test]
    fn kleene_connectives() {
        assert_eq!(or(Truth::False, Truth::Unknown), Truth::Unknown);
        assert_eq!(or(Truth::Unknown, Truth::True), Truth::True);
        assert_eq!(and(Truth::Unknown, Truth::False), Truth::False);
        assert_eq!(and(Truth::True, Truth::Unknown), Truth::Unknown);
        assert_eq!(not(Truth::Unknown), Truth::Unknown);
    }
}

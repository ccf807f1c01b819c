//! CloudFormation resources: one per entry of `Resources`, typed by its `Type`, after the
//! template's intrinsic functions were resolved where the template itself decides them.
//!
//! [`resolve`] rewrites a template in place: `Ref` to a parameter with a default becomes that
//! default, `AWS::NoValue` removes the property, `Fn::If` on a condition that parameters
//! decide takes its branch, `Fn::Sub`, `Fn::Join`, `Fn::Select` and `Fn::FindInMap` over known
//! values become their result. Everything else (`Ref` to a resource, `Fn::GetAtt`, a parameter
//! without default, pseudo parameters) stays as written, which rules read as unknown or, for
//! `Ref`/`GetAtt` to a resource, as a reference. Spans stay those of the intrinsic as written.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::{Node, Resource, Target, Value};

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

/// Deepest nesting the resolver follows (intrinsics nest; templates are shallow).
const MAX_DEPTH: usize = 64;

/// What the template decides by itself: parameter defaults, mappings and conditions.
struct Template {
    parameters: HashMap<String, Node>,
    mappings: Option<Node>,
    conditions: HashMap<String, Node>,
    /// The truth of each named condition once decided (`None`: undecidable). Conditions
    /// refer to each other, so without it `C0: !Or [!Condition C1, !Condition C1]`, `C1: ...`
    /// would cost two to the number of conditions.
    decided: RefCell<HashMap<String, Option<bool>>>,
}

/// Resolve the intrinsics of every template document in place.
pub fn resolve(documents: &mut [Node]) {
    for doc in documents.iter_mut() {
        let template = Template::read(doc);
        if let Value::Map(entries) = &mut doc.value {
            for entry in entries.iter_mut().filter(|e| matches!(e.key.as_str(), "Resources" | "Outputs")) {
                resolve_node(&mut entry.value, &template, 0);
            }
        }
    }
}

impl Template {
    fn read(doc: &Node) -> Template {
        let mut parameters = HashMap::new();
        for entry in doc.get("Parameters").map(Node::entries).unwrap_or_default() {
            let Some(default) = entry.value.get("Default") else { continue };
            let kind = entry.value.get("Type").and_then(Node::as_str).unwrap_or("String");
            parameters.insert(entry.key.clone(), typed_default(default, kind));
        }
        let conditions = doc
            .get("Conditions")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        Template {
            parameters,
            mappings: doc.get("Mappings").cloned(),
            conditions,
            decided: RefCell::new(HashMap::new()),
        }
    }

    /// The truth of the condition called `name`, decided once. While it is being decided it
    /// reads as undecidable, so a condition that refers to itself is undecidable.
    fn named(&self, name: &str, depth: usize) -> Option<bool> {
        if let Some(known) = self.decided.borrow().get(name) {
            return *known;
        }
        let referenced = self.conditions.get(name)?;
        self.decided.borrow_mut().insert(name.to_string(), None);
        let truth = self.condition(referenced, depth + 1);
        self.decided.borrow_mut().insert(name.to_string(), truth);
        truth
    }

    /// The truth of a condition expression, when parameters decide it.
    fn condition(&self, node: &Node, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (name, args) = intrinsic(node)?;
        let items = args.items();
        match name {
            "Fn::Equals" | "Equals" => {
                let a = self.scalar(items.first()?, depth + 1)?;
                let b = self.scalar(items.get(1)?, depth + 1)?;
                Some(a == b)
            }
            "Fn::Not" | "Not" => self.condition(items.first()?, depth + 1).map(|b| !b),
            "Fn::And" | "And" => {
                let mut all = Some(true);
                for item in items {
                    match self.condition(item, depth + 1) {
                        Some(false) => return Some(false),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                all
            }
            "Fn::Or" | "Or" => {
                let mut any = Some(false);
                for item in items {
                    match self.condition(item, depth + 1) {
                        Some(true) => return Some(true),
                        None => any = None,
                        Some(false) => {}
                    }
                }
                any
            }
            "Condition" => self.named(args.as_str()?, depth),
            _ => None,
        }
    }

    /// A known scalar value as text (a literal, or a `Ref` to a parameter with a default).
    fn scalar(&self, node: &Node, depth: usize) -> Option<String> {
        let mut copy = node.clone();
        resolve_node(&mut copy, self, depth);
        copy.scalar_text().map(|t| t.into_owned())
    }
}

/// A parameter default typed by the parameter's `Type`.
fn typed_default(default: &Node, kind: &str) -> Node {
    let text = default.scalar_text().map(|t| t.into_owned());
    match (kind, text) {
        ("Number", Some(t)) => Node::new(default.span, Value::Number(t)),
        (k, Some(t)) if k.starts_with("CommaDelimitedList") || k.starts_with("List<") => Node::new(
            default.span,
            Value::List(
                t.split(',').map(|s| Node::new(default.span, Value::String(s.trim().to_string()))).collect(),
            ),
        ),
        (_, Some(t)) => Node::new(default.span, Value::String(t)),
        _ => default.clone(),
    }
}

/// `(function, argument)` of an intrinsic: the short form `!Ref x` or the long form
/// `{"Ref": x}` / `{"Fn::If": [...]}` (a map with that single key).
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match &node.value {
        Value::Tagged(tag, inner) => {
            let name = match tag.as_str() {
                "Ref" | "Condition" => tag.as_str(),
                other => return Some((short_name(other), inner)),
            };
            Some((name, inner))
        }
        Value::Map(entries) if entries.len() == 1 => {
            let entry = entries.first()?;
            (entry.key == "Ref" || entry.key == "Condition" || entry.key.starts_with("Fn::"))
                .then_some((entry.key.as_str(), &entry.value))
        }
        _ => None,
    }
}

/// `If` -> `Fn::If` and so on, so both spellings are handled by one match.
fn short_name(tag: &str) -> &str {
    match tag {
        "If" => "Fn::If",
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "FindInMap" => "Fn::FindInMap",
        "Equals" => "Fn::Equals",
        "Not" => "Fn::Not",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        other => other,
    }
}

fn resolve_node(node: &mut Node, template: &Template, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    // Children first, so an intrinsic sees resolved arguments.
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|item| resolve_node(item, template, depth + 1)),
        Value::Map(entries) => {
            entries.iter_mut().for_each(|e| resolve_node(&mut e.value, template, depth + 1))
        }
        Value::Tagged(_, inner) => resolve_node(inner, template, depth + 1),
        _ => {}
    }
    if let Some(value) = evaluate(node, template, depth) {
        node.value = value;
    }
    // `AWS::NoValue` removes the property or list item it stands in.
    match &mut node.value {
        Value::Map(entries) => entries.retain(|e| !is_no_value(&e.value)),
        Value::List(items) => items.retain(|i| !is_no_value(i)),
        _ => {}
    }
}

fn is_no_value(node: &Node) -> bool {
    matches!(intrinsic(node), Some(("Ref", arg)) if arg.as_str() == Some("AWS::NoValue"))
}

/// The value an intrinsic evaluates to, when the template decides it.
fn evaluate(node: &Node, template: &Template, depth: usize) -> Option<Value> {
    let (name, args) = intrinsic(node)?;
    let items = args.items();
    match name {
        "Ref" => template.parameters.get(args.as_str()?).map(|d| d.value.clone()),
        "Fn::If" => {
            let truth = template.named(items.first()?.as_str()?, depth)?;
            let branch = if truth { items.get(1)? } else { items.get(2)? };
            Some(branch.value.clone())
        }
        "Fn::Sub" => {
            let (text, vars) = match &args.value {
                Value::String(s) => (s.as_str(), None),
                Value::List(list) => (list.first()?.as_str()?, list.get(1)),
                _ => return None,
            };
            substitute(text, vars, template).map(Value::String)
        }
        "Fn::Join" => {
            let delimiter = items.first()?.scalar_text()?;
            let parts = items.get(1)?;
            let Value::List(parts) = &parts.value else { return None };
            let texts: Option<Vec<String>> =
                parts.iter().map(|p| p.scalar_text().map(|t| t.into_owned())).collect();
            Some(Value::String(texts?.join(&delimiter)))
        }
        "Fn::Select" => {
            let index: usize = items.first()?.scalar_text()?.trim().parse().ok()?;
            let Value::List(list) = &items.get(1)?.value else { return None };
            list.get(index).map(|n| n.value.clone())
        }
        "Fn::FindInMap" => {
            let mappings = template.mappings.as_ref()?;
            let map = mappings.get(&items.first()?.scalar_text()?)?;
            let top = map.get(&items.get(1)?.scalar_text()?)?;
            top.get(&items.get(2)?.scalar_text()?).map(|n| n.value.clone())
        }
        _ => None,
    }
}

/// `Fn::Sub` with every `${Name}` known (a variable of the map, or a parameter default);
/// `${!Literal}` is the literal `${Literal}`.
fn substitute(text: &str, vars: Option<&Node>, template: &Template) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find('}')?;
        let name = &after[..close];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            let value =
                vars.and_then(|v| v.get(name)).and_then(Node::scalar_text).map(|t| t.into_owned()).or_else(
                    || template.parameters.get(name).and_then(Node::scalar_text).map(|t| t.into_owned()),
                )?;
            out.push_str(&value);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(template: &str) -> Node {
        let mut docs = crate::parse::yaml::parse(template).expect("valid").documents;
        resolve(&mut docs);
        docs.remove(0)
    }

    #[test]
    fn parameters_conditions_and_functions() {
        let doc = resolved(
            "Parameters:
  Env: {Type: String, Default: prod}
  Encrypt: {Type: String, Default: 'true'}
  Size: {Type: Number, Default: 20}
  NoDefault: {Type: String}
Mappings:
  Sizes: {prod: {Class: db.r6g.large}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref NoDefault, x]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      StorageEncrypted: !Ref Encrypt
      AllocatedStorage: !Ref Size
      MultiAZ: !If [IsProd, true, false]
      Dev: !If [IsDev, yes, no]
      Maybe: !If [Unknown, a, b]
      Name: !Sub '${Env}-db-${!Literal}'
      Region: !Sub '${AWS::Region}-db'
      Class: !FindInMap [Sizes, !Ref Env, Class]
      Joined: !Join ['-', [a, !Ref Env]]
      Picked: !Select [1, [x, y]]
      Secret: !Ref NoDefault
      Gone: !Ref AWS::NoValue
      Other: !GetAtt Bucket.Arn
",
        );
        let p = doc.get_path("Resources.Db.Properties").expect("properties");
        let text = |k: &str| p.get(k).and_then(Node::scalar_text).map(|t| t.into_owned());
        assert_eq!(text("StorageEncrypted").as_deref(), Some("true"));
        assert_eq!(p.get("AllocatedStorage").map(|n| &n.value), Some(&Value::Number("20".into())));
        assert_eq!(p.get("MultiAZ").and_then(Node::as_bool), Some(true));
        assert_eq!(text("Dev").as_deref(), Some("no"));
        assert!(p.get("Maybe").and_then(Node::as_tagged).is_some(), "undecidable condition stays");
        assert_eq!(text("Name").as_deref(), Some("prod-db-${Literal}"));
        assert!(p.get("Region").and_then(Node::as_tagged).is_some(), "pseudo parameter stays");
        assert_eq!(text("Class").as_deref(), Some("db.r6g.large"));
        assert_eq!(text("Joined").as_deref(), Some("a-prod"));
        assert_eq!(text("Picked").as_deref(), Some("y"));
        assert!(p.get("Secret").and_then(Node::as_tagged).is_some());
        assert!(p.get("Gone").is_none());
        assert!(p.get("Other").and_then(Node::as_tagged).is_some());
    }

    #[test]
    fn conditions_are_decided_once_and_cycles_are_undecidable() {
        // Twenty-five conditions that each name the next twice: two to the twenty-fifth
        // evaluations without memoisation.
        let mut template = String::from("Parameters:\n  Env: {Type: String, Default: prod}\nConditions:\n");
        for i in 0..25 {
            template
                .push_str(&format!("  C{i}: !Or [!Condition C{next}, !Condition C{next}]\n", next = i + 1));
        }
        template.push_str("  C25: !Equals [!Ref Env, prod]\n  Loop: !Not [!Condition Loop]\n");
        template.push_str("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n");
        template.push_str("      Deep: !If [C0, yes, no]\n      Cycle: !If [Loop, yes, no]\n");
        let started = std::time::Instant::now();
        let doc = resolved(&template);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        let p = doc.get_path("Resources.B.Properties").expect("properties");
        assert_eq!(p.get("Deep").and_then(Node::as_str), Some("yes"));
        assert!(p.get("Cycle").and_then(Node::as_tagged).is_some(), "a cycle stays undecided");
    }

    #[test]
    fn long_form_json_intrinsics() {
        let mut doc = crate::parse::json::parse(
            r#"{"Parameters": {"Public": {"Type": "String", "Default": "false"}},
                "Resources": {"Db": {"Type": "AWS::RDS::DBInstance",
                  "Properties": {"PubliclyAccessible": {"Ref": "Public"}, "Bucket": {"Ref": "Logs"}}}}}"#,
        )
        .expect("valid")
        .root;
        resolve(std::slice::from_mut(&mut doc));
        let p = doc.get_path("Resources.Db.Properties").expect("properties");
        assert_eq!(p.get("PubliclyAccessible").and_then(Node::as_str), Some("false"));
        assert!(p.get("Bucket").and_then(|b| b.get("Ref")).is_some(), "a Ref to a resource stays");
    }
}

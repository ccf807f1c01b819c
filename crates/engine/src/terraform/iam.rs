//! IAM policy documents: which attributes hold JSON that rules should read as a tree, and the
//! JSON a `data "aws_iam_policy_document"` block stands for.

use super::value::Val;

/// Whether an attribute holds a JSON document Terraform passes through as a string: policies
/// (`policy`, `assume_role_policy`, `redrive_policy`, `access_policies`, ...) and ECS
/// `container_definitions`.
pub(crate) fn holds_json(key: &str) -> bool {
    key == "policy"
        || key.ends_with("_policy")
        || key.ends_with("_policies")
        || key == "container_definitions"
}

/// Whether a string looks like a JSON document (an object or an array), worth decoding.
pub(crate) fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// The policy an `aws_iam_policy_document` data source renders, from the block's evaluated
/// body, in the IAM JSON shape: `Version`, `Id`, `Statement[]` with `Sid`, `Effect`,
/// `Action`, `NotAction`, `Resource`, `NotResource`, `Principal` / `NotPrincipal`
/// (`{"AWS": [...], "Service": [...]}`, or `"*"`) and `Condition`
/// (`{"StringEquals": {"aws:SourceVpc": [...]}}`).
///
/// `source_policy_documents` contribute their statements first; `override_policy_documents`
/// replace statements with the same `Sid` (or are appended). A document that is not known
/// adds an unknown statement: rules then cannot conclude that no statement matches.
pub(crate) fn policy_document(body: &Val) -> Val {
    let mut statements: Vec<Val> = Vec::new();
    for source in list(body.get("source_policy_documents")) {
        statements.extend(document_statements(source));
    }
    for statement in list(body.get("statement")) {
        let statement = render_statement(statement);
        replace_or_push(&mut statements, statement);
    }
    for overriding in list(body.get("override_policy_documents")) {
        for statement in document_statements(overriding) {
            replace_or_push(&mut statements, statement);
        }
    }
    let mut document = vec![(
        "Version".to_string(),
        body.get("version")
            .filter(|v| !matches!(v, Val::Null))
            .cloned()
            .unwrap_or_else(|| Val::string("2012-10-17")),
    )];
    if let Some(id) = body.get("policy_id").filter(|v| !matches!(v, Val::Null)) {
        document.push(("Id".to_string(), id.clone()));
    }
    document.push(("Statement".to_string(), Val::List(statements)));
    Val::Map(document)
}

/// The items of a list attribute or of nested blocks; nothing for null or absent.
fn list(value: Option<&Val>) -> Vec<&Val> {
    match value {
        Some(Val::List(items)) => items.iter().collect(),
        Some(Val::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

/// The statements of another policy document given as JSON.
fn document_statements(document: &Val) -> Vec<Val> {
    let decoded = match document {
        Val::Json(inner) => Some((**inner).clone()),
        Val::String(text) => super::value::from_json(text),
        _ => None,
    };
    match decoded.as_ref().and_then(|d| d.get("Statement")) {
        Some(Val::List(items)) => items.clone(),
        Some(single @ Val::Map(_)) => vec![single.clone()],
        _ => vec![Val::unknown()],
    }
}

/// Replace the statement with the same known `Sid`, or append.
fn replace_or_push(statements: &mut Vec<Val>, statement: Val) {
    if let Some(Val::String(sid)) = statement.get("Sid")
        && !sid.is_empty()
        && let Some(slot) =
            statements.iter_mut().find(|s| matches!(s.get("Sid"), Some(Val::String(other)) if other == sid))
    {
        *slot = statement;
        return;
    }
    statements.push(statement);
}

fn render_statement(block: &Val) -> Val {
    if block.is_unknown() {
        return block.clone();
    }
    let mut out: Vec<(String, Val)> = Vec::new();
    let mut put = |key: &str, value: Option<&Val>| {
        if let Some(value) = value.filter(|v| !matches!(v, Val::Null)) {
            out.push((key.to_string(), value.clone()));
        }
    };
    put("Sid", block.get("sid"));
    put(
        "Effect",
        Some(block.get("effect").filter(|v| !matches!(v, Val::Null)).unwrap_or(&Val::String("Allow".into()))),
    );
    put("Action", block.get("actions"));
    put("NotAction", block.get("not_actions"));
    put("Resource", block.get("resources"));
    put("NotResource", block.get("not_resources"));
    let principal = principals(block.get("principals"));
    put("Principal", principal.as_ref());
    let not_principal = principals(block.get("not_principals"));
    put("NotPrincipal", not_principal.as_ref());
    let condition = conditions(block.get("condition"));
    put("Condition", condition.as_ref());
    Val::Map(out)
}

/// `principals { type = "AWS", identifiers = [...] }` blocks as `{"AWS": [...]}`; `"*"` for
/// the anonymous principal (`type = "*"`).
fn principals(blocks: Option<&Val>) -> Option<Val> {
    let blocks = list(blocks);
    if blocks.is_empty() {
        return None;
    }
    let mut out: Vec<(String, Val)> = Vec::new();
    for block in blocks {
        let kind = match block.get("type") {
            Some(Val::String(kind)) => kind.clone(),
            _ => return Some(Val::unknown()),
        };
        if kind == "*" {
            return Some(Val::string("*"));
        }
        let identifiers = match block.get("identifiers") {
            Some(Val::List(items)) => items.clone(),
            Some(Val::Unknown(text)) => vec![Val::Unknown(text.clone())],
            Some(single) => vec![single.clone()],
            None => Vec::new(),
        };
        match out.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, Val::List(existing))) => existing.extend(identifiers),
            _ => out.push((kind, Val::List(identifiers))),
        }
    }
    Some(Val::Map(out))
}

/// `condition { test = "StringEquals", variable = "aws:SourceVpc", values = [...] }` blocks
/// as `{"StringEquals": {"aws:SourceVpc": [...]}}`.
fn conditions(blocks: Option<&Val>) -> Option<Val> {
    let blocks = list(blocks);
    if blocks.is_empty() {
        return None;
    }
    let mut out: Vec<(String, Val)> = Vec::new();
    for block in blocks {
        let (Some(Val::String(test)), Some(Val::String(variable))) =
            (block.get("test"), block.get("variable"))
        else {
            return Some(Val::unknown());
        };
        let values = block.get("values").cloned().unwrap_or(Val::List(Vec::new()));
        let slot = match out.iter_mut().position(|(k, _)| k == test) {
            Some(at) => at,
            None => {
                out.push((test.clone(), Val::Map(Vec::new())));
                out.len() - 1
            }
        };
        if let Some((_, Val::Map(variables))) = out.get_mut(slot) {
            variables.push((variable.clone(), values));
        }
    }
    Some(Val::Map(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Val {
        Val::string(text)
    }

    fn map(entries: Vec<(&str, Val)>) -> Val {
        Val::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn strings(items: &[&str]) -> Val {
        Val::List(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn statements_render_in_the_iam_shape() {
        let body = map(vec![(
            "statement",
            Val::List(vec![
                map(vec![
                    ("sid", s("Public")),
                    ("actions", strings(&["s3:GetObject"])),
                    ("resources", Val::List(vec![Val::Unknown("${aws_s3_bucket.b.arn}/*".into())])),
                    (
                        "principals",
                        Val::List(vec![map(vec![("type", s("*")), ("identifiers", strings(&["*"]))])]),
                    ),
                ]),
                map(vec![
                    ("effect", s("Deny")),
                    ("not_actions", strings(&["iam:*"])),
                    (
                        "principals",
                        Val::List(vec![
                            map(vec![("type", s("AWS")), ("identifiers", strings(&["arn:aws:iam::1:root"]))]),
                            map(vec![
                                ("type", s("Service")),
                                ("identifiers", strings(&["ec2.amazonaws.com"])),
                            ]),
                            map(vec![("type", s("AWS")), ("identifiers", strings(&["arn:aws:iam::2:root"]))]),
                        ]),
                    ),
                    (
                        "condition",
                        Val::List(vec![
                            map(vec![
                                ("test", s("Bool")),
                                ("variable", s("aws:SecureTransport")),
                                ("values", strings(&["false"])),
                            ]),
                            map(vec![
                                ("test", s("Bool")),
                                ("variable", s("aws:MultiFactorAuthPresent")),
                                ("values", strings(&["true"])),
                            ]),
                        ]),
                    ),
                ]),
            ]),
        )]);
        let document = policy_document(&body);
        assert_eq!(document.get("Version"), Some(&s("2012-10-17")));
        let Some(Val::List(statements)) = document.get("Statement") else { panic!("{document:?}") };
        assert_eq!(statements[0].get("Effect"), Some(&s("Allow")));
        assert_eq!(statements[0].get("Principal"), Some(&s("*")));
        assert_eq!(statements[0].get("Action"), Some(&strings(&["s3:GetObject"])));
        let second = &statements[1];
        assert_eq!(second.get("Effect"), Some(&s("Deny")));
        assert_eq!(second.get("NotAction"), Some(&strings(&["iam:*"])));
        let principal = second.get("Principal").expect("principal");
        assert_eq!(principal.get("AWS"), Some(&strings(&["arn:aws:iam::1:root", "arn:aws:iam::2:root"])));
        assert_eq!(principal.get("Service"), Some(&strings(&["ec2.amazonaws.com"])));
        let condition = second.get("Condition").and_then(|c| c.get("Bool")).expect("condition");
        assert_eq!(condition.get("aws:SecureTransport"), Some(&strings(&["false"])));
        assert_eq!(condition.get("aws:MultiFactorAuthPresent"), Some(&strings(&["true"])));
    }

    #[test]
    fn source_and_override_documents_merge_by_sid() {
        let source =
            s(r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*"},{"Sid":"B","Effect":"Allow"}]}"#);
        let overriding = s(r#"{"Statement":[{"Sid":"B","Effect":"Deny"}]}"#);
        let body = map(vec![
            ("source_policy_documents", Val::List(vec![source])),
            ("override_policy_documents", Val::List(vec![overriding, Val::Unknown("var.extra".into())])),
            ("statement", Val::List(vec![map(vec![("sid", s("C")), ("actions", strings(&["sqs:*"]))])])),
        ]);
        let document = policy_document(&body);
        let Some(Val::List(statements)) = document.get("Statement") else { panic!() };
        let sids: Vec<Option<&Val>> = statements.iter().map(|s| s.get("Sid")).collect();
        assert_eq!(sids, [Some(&s("A")), Some(&s("B")), Some(&s("C")), None]);
        assert_eq!(statements[1].get("Effect"), Some(&s("Deny")));
        assert!(statements[3].is_unknown());
    }

    #[test]
    fn json_attributes() {
        for key in
            ["policy", "assume_role_policy", "redrive_policy", "access_policies", "container_definitions"]
        {
            assert!(holds_json(key), "{key}");
        }
        assert!(!holds_json("policy_arn_list") && !holds_json("name"));
        assert!(looks_like_json("  {\"a\": 1}") && !looks_like_json("ELBSecurityPolicy-2016-08"));
    }
}

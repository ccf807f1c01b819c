//! AWS Backup selections: which resources a selection (Terraform `aws_backup_selection`,
//! CloudFormation `AWS::Backup::BackupSelection`) assigns to its backup plan, and the
//! effective tags that tag-based selections match.
//!
//! A selection assigns a resource when (`resources` match it, and every `condition` holds)
//! or one of its `selection_tag`s matches, and no `not_resources` entry matches it; with none
//! of these it assigns every supported resource. A `resources` entry matches a resource by
//! reference (`aws_dynamodb_table.orders.arn`, `!GetAtt Orders.Arn`) or as an ARN pattern
//! (`arn:aws:rds:*:*:db:*`, `*`). Tags are the resource's own merged with the AWS
//! provider's `default_tags`.

use trustlint_engine::rule::Scope;
use trustlint_engine::{Node, Resource, Target, Value};

use crate::links::{self, Truth, is_dynamic, values_at};
use crate::wildcard;

/// The resource types a restore-testing selection names (`protected_resource_type`), by the
/// Terraform and CloudFormation types of the resources AWS Backup protects.
pub(crate) fn protected_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "aws_db_instance" | "AWS::RDS::DBInstance" => "RDS",
        "aws_rds_cluster" | "AWS::RDS::DBCluster" => "Aurora",
        "aws_dynamodb_table" | "AWS::DynamoDB::Table" => "DynamoDB",
        "aws_efs_file_system" | "AWS::EFS::FileSystem" => "EFS",
        "aws_ebs_volume" | "AWS::EC2::Volume" => "EBS",
        "aws_instance" | "AWS::EC2::Instance" => "EC2",
        "aws_s3_bucket" | "AWS::S3::Bucket" => "S3",
        "aws_docdb_cluster" | "AWS::DocDB::DBCluster" => "DocumentDB",
        "aws_neptune_cluster" | "AWS::Neptune::DBCluster" => "Neptune",
        _ => return None,
    })
}

/// The protected resource type an ARN pattern's service and resource part name.
pub(crate) fn protected_type_of_arn(pattern: &str) -> Option<&'static str> {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let (service, resource) = match parts.as_slice() {
        [_, _, service, _, _, resource] => (*service, *resource),
        _ => return None,
    };
    Some(match service {
        "rds" if resource.starts_with("db:") => "RDS",
        "rds" if resource.starts_with("cluster:") => "Aurora",
        "dynamodb" => "DynamoDB",
        "elasticfilesystem" => "EFS",
        "ec2" if resource.starts_with("volume/") => "EBS",
        "ec2" if resource.starts_with("instance/") => "EC2",
        "s3" => "S3",
        _ => return None,
    })
}

/// The selection resource types of a target.
pub(crate) fn selection_kind(target: Target) -> &'static str {
    match target {
        Target::Cloudformation => "AWS::Backup::BackupSelection",
        _ => "aws_backup_selection",
    }
}

/// The tags of a resource as far as they are known.
#[derive(Debug, Default)]
pub(crate) struct Tags {
    /// Known keys, with their value when it is known statically.
    known: Vec<(String, Option<String>)>,
    /// Set when some tags cannot be known (a `tags = var.tags`, a `merge(...)`).
    open: bool,
}

/// A tag lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tag {
    /// The tag is set to this value.
    Value(String),
    /// The tag is not set.
    Absent,
    /// Not known statically.
    Unknown,
}

impl Tags {
    /// The value of the tag `key` (case-sensitive, as AWS compares tag keys).
    pub fn get(&self, key: &str) -> Tag {
        match self.known.iter().find(|(k, _)| k == key) {
            Some((_, Some(value))) => Tag::Value(value.clone()),
            Some((_, None)) => Tag::Unknown,
            None if self.open => Tag::Unknown,
            None => Tag::Absent,
        }
    }

    /// Whether some tags cannot be known statically.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether some tag whose key is one of `keys` (any case) has one of `values` (any case).
    pub fn any_of(&self, keys: &[&str], values: &[&str]) -> Truth {
        let mut unknown = self.open;
        for (key, value) in &self.known {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                continue;
            }
            match value {
                Some(v) if values.iter().any(|w| w.eq_ignore_ascii_case(v)) => return Truth::True,
                Some(_) => {}
                None => unknown = true,
            }
        }
        if unknown { Truth::Unknown } else { Truth::False }
    }

    /// The first known `key=value` among `keys` whose value is one of `values`, for messages.
    pub fn describe(&self, keys: &[&str], values: &[&str]) -> Option<String> {
        self.known.iter().find_map(|(key, value)| {
            let value = value.as_deref()?;
            (keys.iter().any(|k| k.eq_ignore_ascii_case(key))
                && values.iter().any(|w| w.eq_ignore_ascii_case(value)))
            .then(|| format!("{key}={value}"))
        })
    }

    /// Set a tag, overriding an inherited one of the same key.
    fn set(&mut self, key: &str, value: Option<String>) {
        self.known.retain(|(k, _)| k != key);
        self.known.push((key.to_string(), value));
    }

    fn absorb_map(&mut self, tags: &Node) {
        match &tags.value {
            Value::Map(entries) => {
                for entry in entries {
                    let value = entry.value.scalar_text().map(|t| t.into_owned());
                    self.set(&entry.key, value);
                }
            }
            Value::Null => {}
            _ => self.open = true,
        }
    }

    fn absorb_key_values(&mut self, tags: &Node) {
        if is_dynamic(tags) {
            self.open = true;
            return;
        }
        match &tags.value {
            Value::List(items) => {
                for item in items {
                    match (item.get("Key").and_then(Node::as_str), item.get("Value")) {
                        (Some(key), value) => {
                            let value = value.and_then(Node::scalar_text).map(|t| t.into_owned());
                            self.set(key, value);
                        }
                        (None, _) => self.open = true,
                    }
                }
            }
            // Some resource types take a plain map.
            Value::Map(_) => self.absorb_map(tags),
            _ => self.open = true,
        }
    }
}

/// The effective tags of a resource: Terraform `tags` over the AWS provider's `default_tags`;
/// CloudFormation `Tags` (`FileSystemTags` for EFS).
pub(crate) fn tags(resource: &Resource<'_>, scope: &Scope<'_>) -> Tags {
    let mut tags = Tags::default();
    let Some(body) = resource.body else { return tags };
    match resource.target {
        Target::Terraform => {
            let provider = scope
                .of_kind(Target::Terraform, "provider.aws")
                .find(|p| p.body.and_then(|b| b.get("alias")).is_none())
                .or_else(|| scope.of_kind(Target::Terraform, "provider.aws").next());
            if let Some(defaults) = provider.and_then(|p| p.body).and_then(|b| b.get("default_tags")) {
                let (maps, blocked) = values_at(defaults, &["tags"]);
                tags.open |= blocked;
                for map in maps {
                    tags.absorb_map(map);
                }
            }
            if let Some(own) = body.get("tags") {
                tags.absorb_map(own);
            }
        }
        Target::Cloudformation => {
            let key = if resource.kind == "AWS::EFS::FileSystem" { "FileSystemTags" } else { "Tags" };
            match body.get("Properties") {
                Some(props) if is_dynamic(props) => tags.open = true,
                Some(props) => {
                    if let Some(own) = props.get(key) {
                        tags.absorb_key_values(own);
                    }
                }
                None => {}
            }
        }
        _ => {}
    }
    tags
}

/// Whether one selection assigns `resource` to its plan.
pub(crate) fn selects(selection: &Resource<'_>, resource: &Resource<'_>, scope: &Scope<'_>) -> Truth {
    let Some(body) = selection.body else { return Truth::False };
    let spec = match selection.target {
        Target::Cloudformation => match body.get_path("Properties.BackupSelection") {
            Some(spec) if is_dynamic(spec) => return Truth::Unknown,
            Some(spec) => spec,
            None => return Truth::Unknown,
        },
        _ => body,
    };
    let cfn = selection.target == Target::Cloudformation;
    let (resources_key, not_key, tags_key) = if cfn {
        ("Resources", "NotResources", "ListOfTags")
    } else {
        ("resources", "not_resources", "selection_tag")
    };
    let tags = tags(resource, scope);

    let listed = spec.get(resources_key).filter(|n| !n.is_null() && !n.items().is_empty());
    let conditions = if cfn { cloudformation_conditions(spec) } else { terraform_conditions(spec) };
    let by_resources = match (listed, &conditions) {
        (None, None) => None,
        (None, Some(c)) => Some(all_conditions(c, &tags)),
        (Some(list), c) => {
            let matched = any_entry(list, resource);
            Some(match c {
                Some(c) => and(matched, all_conditions(c, &tags)),
                None => matched,
            })
        }
    };
    let by_tags = spec.get(tags_key).filter(|n| !n.is_null() && !n.items().is_empty()).map(|list| {
        if is_dynamic(list) {
            return Truth::Unknown;
        }
        let mut result = Truth::False;
        for tag in list.items() {
            let (kind, key, value) = if cfn {
                (tag.get("ConditionType"), tag.get("ConditionKey"), tag.get("ConditionValue"))
            } else {
                (tag.get("type"), tag.get("key"), tag.get("value"))
            };
            let equals = kind.and_then(Node::as_str).is_none_or(|k| k.eq_ignore_ascii_case("STRINGEQUALS"));
            let truth = if equals { condition(key, value, &tags, Operator::Equals) } else { Truth::Unknown };
            result = or(result, truth);
        }
        result
    });
    let selected = match (by_resources, by_tags) {
        // Neither resources, conditions nor tags: every supported resource.
        (None, None) => Truth::True,
        (Some(r), None) => r,
        (None, Some(t)) => t,
        (Some(r), Some(t)) => or(r, t),
    };
    let excluded = match spec.get(not_key) {
        Some(list) if !list.is_null() => any_entry(list, resource),
        _ => Truth::False,
    };
    and(selected, not(excluded))
}

/// Whether an entry of a `resources` list matches the resource.
fn any_entry(list: &Node, resource: &Resource<'_>) -> Truth {
    if matches!(list.value, Value::Expr(_)) {
        return Truth::Unknown;
    }
    let mut result = Truth::False;
    for entry in list.items() {
        result = or(result, entry_matches(entry, resource));
        if result == Truth::True {
            break;
        }
    }
    result
}

fn entry_matches(entry: &Node, resource: &Resource<'_>) -> Truth {
    if let Some(pattern) = entry.as_str() {
        return arn_pattern_matches(pattern, resource);
    }
    match links::names(entry, resource, &[]) {
        Truth::Unknown => match pseudo_parameter_pattern(entry) {
            Some(pattern) => arn_pattern_matches(&pattern, resource),
            None => Truth::Unknown,
        },
        truth => truth,
    }
}

/// `!Sub "arn:aws:rds:${AWS::Region}:${AWS::AccountId}:db:*"`: a pattern once the pseudo
/// parameters (which match any region or account) are replaced by `*`.
fn pseudo_parameter_pattern(entry: &Node) -> Option<String> {
    let argument = match &entry.value {
        Value::Tagged(tag, inner) if tag == "Sub" => inner.as_ref(),
        Value::Map(entries) => match entries.as_slice() {
            [only] if only.key == "Fn::Sub" => &only.value,
            _ => return None,
        },
        _ => return None,
    };
    let mut text = argument.as_str()?.to_string();
    for pseudo in ["${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}"] {
        text = text.replace(pseudo, "*");
    }
    (!text.contains("${")).then_some(text)
}

/// Whether an ARN pattern (`*`, `arn:aws:dynamodb:*:*:table/*`) covers the resource. The
/// resource's own ARN is known only in part: its service and type, and its name when the name
/// is a literal.
fn arn_pattern_matches(pattern: &str, resource: &Resource<'_>) -> Truth {
    if wildcard::is_everything(pattern) {
        return Truth::True;
    }
    let Some((service, prefix, name)) = arn_of(resource) else { return Truth::Unknown };
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let [_, _, pattern_service, region, account, pattern_resource] = parts.as_slice() else {
        return Truth::False;
    };
    if !wildcard::matches(pattern_service, service) {
        return Truth::False;
    }
    // The region and account are the deployment's: a literal one may or may not be it.
    let place = if [region, account].iter().all(|p| p.chars().all(|c| c == '*')) {
        Truth::True
    } else {
        Truth::Unknown
    };
    let resource_part = match name {
        Some(name) => {
            if wildcard::matches(pattern_resource, &format!("{prefix}{name}")) {
                Truth::True
            } else {
                Truth::False
            }
        }
        None => {
            let literal = pattern_resource.split('*').next().unwrap_or_default();
            if !prefix.starts_with(literal) && !literal.starts_with(prefix) {
                Truth::False
            } else if pattern_resource.strip_prefix(prefix).is_some_and(|rest| rest.chars().all(|c| c == '*'))
                || pattern_resource.chars().all(|c| c == '*')
            {
                Truth::True
            } else {
                Truth::Unknown
            }
        }
    };
    and(place, resource_part)
}

/// The service, resource-type prefix and literal name of a datastore's ARN.
fn arn_of(resource: &Resource<'_>) -> Option<(&'static str, &'static str, Option<String>)> {
    let body = resource.body?;
    let literal = |path: &str| body.get_path(path).and_then(Node::as_str).map(str::to_string);
    Some(match resource.kind.as_str() {
        "aws_db_instance" => ("rds", "db:", literal("identifier")),
        "aws_rds_cluster" => ("rds", "cluster:", literal("cluster_identifier")),
        "aws_dynamodb_table" => ("dynamodb", "table/", literal("name")),
        "aws_efs_file_system" => ("elasticfilesystem", "file-system/", None),
        "aws_ebs_volume" => ("ec2", "volume/", None),
        "AWS::RDS::DBInstance" => ("rds", "db:", literal("Properties.DBInstanceIdentifier")),
        "AWS::RDS::DBCluster" => ("rds", "cluster:", literal("Properties.DBClusterIdentifier")),
        "AWS::DynamoDB::Table" => ("dynamodb", "table/", literal("Properties.TableName")),
        "AWS::EFS::FileSystem" => ("elasticfilesystem", "file-system/", None),
        "AWS::EC2::Volume" => ("ec2", "volume/", None),
        _ => return None,
    })
}

/// How a condition compares a tag with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Equals,
    NotEquals,
    Like,
    NotLike,
}

/// One condition: the key (`aws:ResourceTag/<tag>` in `condition`, the tag key itself in
/// `selection_tag`), the value, and the operator.
type Clause<'n> = (Option<&'n Node>, Option<&'n Node>, Operator);

fn terraform_conditions(spec: &Node) -> Option<Vec<Clause<'_>>> {
    let blocks = spec.get("condition").filter(|n| !n.is_null())?;
    let mut clauses = Vec::new();
    for (name, operator) in [
        ("string_equals", Operator::Equals),
        ("string_not_equals", Operator::NotEquals),
        ("string_like", Operator::Like),
        ("string_not_like", Operator::NotLike),
    ] {
        let (items, _) = values_at(blocks, &[name]);
        for item in items.into_iter().flat_map(Node::items) {
            clauses.push((item.get("key"), item.get("value"), operator));
        }
    }
    Some(clauses)
}

fn cloudformation_conditions(spec: &Node) -> Option<Vec<Clause<'_>>> {
    let conditions = spec.get("Conditions").filter(|n| !n.is_null())?;
    let mut clauses = Vec::new();
    for (name, operator) in [
        ("StringEquals", Operator::Equals),
        ("StringNotEquals", Operator::NotEquals),
        ("StringLike", Operator::Like),
        ("StringNotLike", Operator::NotLike),
    ] {
        for item in conditions.get(name).map(Node::items).unwrap_or_default() {
            clauses.push((item.get("ConditionKey"), item.get("ConditionValue"), operator));
        }
    }
    Some(clauses)
}

fn all_conditions(clauses: &[Clause<'_>], tags: &Tags) -> Truth {
    let mut result = Truth::True;
    for (key, value, operator) in clauses {
        result = and(result, condition(*key, *value, tags, *operator));
        if result == Truth::False {
            break;
        }
    }
    result
}

fn condition(key: Option<&Node>, value: Option<&Node>, tags: &Tags, operator: Operator) -> Truth {
    let (Some(key), Some(value)) = (key.and_then(Node::as_str), value.and_then(Node::scalar_text)) else {
        return Truth::Unknown;
    };
    let key = key.strip_prefix("aws:ResourceTag/").unwrap_or(key);
    let actual = match tags.get(key) {
        Tag::Unknown => return Truth::Unknown,
        Tag::Absent => None,
        Tag::Value(v) => Some(v),
    };
    let holds = match (operator, actual) {
        (Operator::Equals, Some(v)) => v == value,
        (Operator::Like, Some(v)) => wildcard::matches(&value, &v),
        (Operator::NotEquals, Some(v)) => v != value,
        (Operator::NotLike, Some(v)) => !wildcard::matches(&value, &v),
        (Operator::Equals | Operator::Like, None) => false,
        (Operator::NotEquals | Operator::NotLike, None) => true,
    };
    if holds { Truth::True } else { Truth::False }
}

/// Kleene conjunction.
pub(crate) fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::True, Truth::True) => Truth::True,
        _ => Truth::Unknown,
    }
}

/// Kleene disjunction.
pub(crate) fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::True, _) | (_, Truth::True) => Truth::True,
        (Truth::False, Truth::False) => Truth::False,
        _ => Truth::Unknown,
    }
}

/// Kleene negation.
pub(crate) fn not(a: Truth) -> Truth {
    match a {
        Truth::True => Truth::False,
        Truth::False => Truth::True,
        Truth::Unknown => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::model::{classification, cloudformation, terraform};
    use trustlint_engine::parse::{hcl, yaml};

    fn terraform_selects(text: &str, selection: &str, target: &str) -> Truth {
        let file = hcl::parse(text).expect("parses");
        let mut resources = terraform::resources(&file);
        classification::assign(&mut resources, classification::DEFAULT_KEY);
        let scope = Scope::new(&resources);
        let find = |a: &str| resources.iter().find(|r| r.address == a).expect("resource");
        selects(find(selection), find(target), &scope)
    }

    const STORES: &str = r#"
provider "aws" {
  default_tags {
    tags = {
      backup = "daily"
    }
  }
}
resource "aws_dynamodb_table" "orders" {
  name = "orders"
  tags = {
    env = "prod"
  }
}
resource "aws_db_instance" "billing" {
  identifier = "billing"
  tags       = var.tags
}
resource "aws_efs_file_system" "shared" {}
"#;

    #[test]
    fn by_reference_pattern_and_exclusion() {
        let case = |selection: &str, target: &str| {
            let text = format!("{STORES}resource \"aws_backup_selection\" \"s\" {{\n{selection}\n}}\n");
            terraform_selects(&text, "aws_backup_selection.s", target)
        };
        assert_eq!(
            case("resources = [aws_dynamodb_table.orders.arn]", "aws_dynamodb_table.orders"),
            Truth::True
        );
        assert_eq!(
            case("resources = [aws_dynamodb_table.orders.arn]", "aws_efs_file_system.shared"),
            Truth::False
        );
        assert_eq!(case("resources = [\"*\"]", "aws_efs_file_system.shared"), Truth::True);
        assert_eq!(
            case("resources = [\"arn:aws:dynamodb:*:*:table/*\"]", "aws_dynamodb_table.orders"),
            Truth::True
        );
        assert_eq!(
            case("resources = [\"arn:aws:dynamodb:*:*:table/ord*\"]", "aws_dynamodb_table.orders"),
            Truth::True
        );
        assert_eq!(
            case("resources = [\"arn:aws:dynamodb:*:*:table/x*\"]", "aws_dynamodb_table.orders"),
            Truth::False
        );
        assert_eq!(case("resources = [\"arn:aws:rds:*:*:db:*\"]", "aws_dynamodb_table.orders"), Truth::False);
        assert_eq!(
            case(
                "resources = [\"arn:aws:elasticfilesystem:*:*:file-system/*\"]",
                "aws_efs_file_system.shared"
            ),
            Truth::True
        );
        assert_eq!(
            case(
                "resources = [\"arn:aws:elasticfilesystem:*:*:file-system/fs-1234\"]",
                "aws_efs_file_system.shared"
            ),
            Truth::Unknown
        );
        assert_eq!(
            case("resources = [\"arn:aws:dynamodb:eu-west-1:*:table/*\"]", "aws_dynamodb_table.orders"),
            Truth::Unknown
        );
        assert_eq!(
            case(
                "resources = [\"*\"]\n  not_resources = [aws_dynamodb_table.orders.arn]",
                "aws_dynamodb_table.orders"
            ),
            Truth::False
        );
        assert_eq!(case("resources = var.arns", "aws_dynamodb_table.orders"), Truth::Unknown);
    }

    #[test]
    fn by_tags_and_conditions() {
        let case = |selection: &str, target: &str| {
            let text = format!("{STORES}resource \"aws_backup_selection\" \"s\" {{\n{selection}\n}}\n");
            terraform_selects(&text, "aws_backup_selection.s", target)
        };
        let tag = |key: &str, value: &str| {
            format!(
                "selection_tag {{\n  type = \"STRINGEQUALS\"\n  key = \"{key}\"\n  value = \"{value}\"\n}}"
            )
        };
        assert_eq!(case(&tag("env", "prod"), "aws_dynamodb_table.orders"), Truth::True);
        assert_eq!(case(&tag("env", "prod"), "aws_efs_file_system.shared"), Truth::False);
        // From the provider's default tags.
        assert_eq!(case(&tag("backup", "daily"), "aws_efs_file_system.shared"), Truth::True);
        // Tags not known statically.
        assert_eq!(case(&tag("env", "prod"), "aws_db_instance.billing"), Truth::Unknown);
        let condition = "resources = [\"*\"]\ncondition {\n  string_equals {\n    key = \"aws:ResourceTag/env\"\n    value = \"prod\"\n  }\n}";
        assert_eq!(case(condition, "aws_dynamodb_table.orders"), Truth::True);
        assert_eq!(case(condition, "aws_efs_file_system.shared"), Truth::False);
        let like =
            "condition {\n  string_like {\n    key = \"aws:ResourceTag/backup\"\n    value = \"da*\"\n  }\n}";
        assert_eq!(case(like, "aws_efs_file_system.shared"), Truth::True);
        // Nothing at all: every supported resource.
        assert_eq!(case("plan_id = aws_backup_plan.p.id", "aws_efs_file_system.shared"), Truth::True);
    }

    #[test]
    fn cloudformation_selections() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      Tags:
        - Key: env
          Value: prod
  Shared:
    Type: AWS::EFS::FileSystem
    Properties:
      FileSystemTags:
        - Key: backup
          Value: weekly
  ByArn:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: by-arn
        IamRoleArn: !GetAtt Role.Arn
        Resources:
          - !GetAtt Orders.Arn
  ByTag:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: by-tag
        IamRoleArn: !GetAtt Role.Arn
        ListOfTags:
          - ConditionType: STRINGEQUALS
            ConditionKey: backup
            ConditionValue: weekly
  ByPattern:
    Type: AWS::Backup::BackupSelection
    Properties:
      BackupPlanId: !Ref Plan
      BackupSelection:
        SelectionName: by-pattern
        IamRoleArn: !GetAtt Role.Arn
        Resources:
          - !Sub "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"
"#;
        let stream = yaml::parse(text).expect("parses");
        let resources = cloudformation::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let find = |a: &str| resources.iter().find(|r| r.address == a).expect("resource");
        assert_eq!(selects(find("ByArn"), find("Orders"), &scope), Truth::True);
        assert_eq!(selects(find("ByArn"), find("Shared"), &scope), Truth::False);
        assert_eq!(selects(find("ByTag"), find("Shared"), &scope), Truth::True);
        assert_eq!(selects(find("ByTag"), find("Orders"), &scope), Truth::False);
        assert_eq!(selects(find("ByPattern"), find("Orders"), &scope), Truth::True);
        assert_eq!(selects(find("ByPattern"), find("Shared"), &scope), Truth::False);
    }

    #[test]
    fn arn_types() {
        assert_eq!(protected_type_of_arn("arn:aws:rds:*:*:db:*"), Some("RDS"));
        assert_eq!(protected_type_of_arn("arn:aws:rds:*:*:cluster:*"), Some("Aurora"));
        assert_eq!(protected_type_of_arn("arn:aws:ec2:*:*:volume/*"), Some("EBS"));
        assert_eq!(protected_type_of_arn("*"), None);
    }
}

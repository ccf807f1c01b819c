//! In how many availability zones a list of subnets (or of zone names) lies, for the
//! availability rules on Auto Scaling groups and load balancers.
//!
//! A subnet lies in exactly one zone, so a list of one subnet is one zone whatever the subnet.
//! Longer lists are resolved subnet by subnet: a subnet declared in the same module or
//! template gives its `availability_zone` (or zone id); two subnets placed at different
//! indexes of the same zone list (`data.aws_availability_zones.available.names[0]` and
//! `[1]`, CloudFormation `!Select [0, !GetAZs ""]` and `[1, ...]`) are in different zones.
//! Anything else (an id literal, a variable) is unresolved.

use trustlint_engine::rule::Scope;
use trustlint_engine::{Node, Resource, Target, Value};

use crate::links::{is_dynamic, targets};

/// What is known of the zones of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Zones {
    /// Distinct zones among the entries that could be resolved.
    pub distinct: usize,
    /// Set when some entry (or the whole list) could not be resolved.
    pub unresolved: bool,
}

impl Zones {
    /// Whether the list spans fewer than two zones; `None` when that cannot be known.
    pub fn fewer_than_two(self) -> Option<bool> {
        if self.distinct >= 2 {
            Some(false)
        } else if self.unresolved {
            None
        } else {
            Some(true)
        }
    }
}

/// The zones of a list of subnets (`vpc_zone_identifier`, `subnets`, `VPCZoneIdentifier`).
pub(crate) fn of_subnets(value: &Node, from: &Resource<'_>, scope: &Scope<'_>) -> Zones {
    if is_dynamic(value) {
        return Zones { distinct: 0, unresolved: true };
    }
    let items: Vec<&Node> = value.items().iter().collect();
    of_subnet_items(&items, from, scope)
}

/// The zones of subnets given one by one (`subnet_mapping[*].subnet_id`).
pub(crate) fn of_subnet_items(items: &[&Node], from: &Resource<'_>, scope: &Scope<'_>) -> Zones {
    if let [only] = items {
        // One subnet is one zone, unless the item expands to several (a splat, a call).
        return if may_expand(only) {
            Zones { distinct: 0, unresolved: true }
        } else {
            Zones { distinct: 1, unresolved: false }
        };
    }
    let (kinds, attributes): (&[&str], &[&str]) = match from.target {
        Target::Cloudformation => (&["AWS::EC2::Subnet"], &[]),
        _ => (&["aws_subnet", "aws_default_subnet"], &["id"]),
    };
    let mut keys: Vec<String> = Vec::new();
    let mut unresolved = false;
    for item in items {
        if is_dynamic(item) && may_expand(item) {
            unresolved = true;
            continue;
        }
        let linked = targets(item, from, scope, kinds, attributes);
        let key = match linked.found.as_slice() {
            [subnet] if !linked.unknown => subnet.body.and_then(|body| subnet_zone(subnet.target, body)),
            _ => None,
        };
        match key {
            Some(key) if !keys.contains(&key) => keys.push(key),
            Some(_) => {}
            None => unresolved = true,
        }
    }
    Zones { distinct: keys.len(), unresolved }
}

/// The zones of a list of zone names (`availability_zones`, `AvailabilityZones`).
pub(crate) fn of_names(value: &Node) -> Zones {
    if is_dynamic(value) {
        return Zones { distinct: 0, unresolved: true };
    }
    let mut keys: Vec<String> = Vec::new();
    let mut unresolved = false;
    for item in value.items() {
        match zone_key(item) {
            Some(key) if !keys.contains(&key) => keys.push(key),
            Some(_) => {}
            None => unresolved = true,
        }
    }
    Zones { distinct: keys.len(), unresolved }
}

/// Whether one list item may stand for several subnets.
fn may_expand(item: &Node) -> bool {
    match &item.value {
        Value::Expr(text) => text.contains("[*]") || text.contains(".*") || text.contains('('),
        Value::Tagged(tag, _) => !matches!(tag.as_str(), "Ref" | "GetAtt" | "Select" | "ImportValue"),
        Value::Map(entries) => match entries.as_slice() {
            [only] => !matches!(only.key.as_str(), "Ref" | "Fn::GetAtt" | "Fn::Select" | "Fn::ImportValue"),
            _ => true,
        },
        Value::List(_) => true,
        _ => false,
    }
}

/// The zone of a subnet declared in the module or template.
fn subnet_zone(target: Target, body: &Node) -> Option<String> {
    let props = match target {
        Target::Cloudformation => body.get("Properties")?,
        _ => body,
    };
    let (zone, zone_id) = match target {
        Target::Cloudformation => ("AvailabilityZone", "AvailabilityZoneId"),
        _ => ("availability_zone", "availability_zone_id"),
    };
    props
        .get(zone)
        .and_then(zone_key)
        .or_else(|| props.get(zone_id).and_then(zone_key).map(|id| format!("id:{id}")))
}

/// A key that is equal for the same zone and different for different zones, when the value
/// says which zone: a literal name, an index into one list of zones, or `!Select [n, !GetAZs]`.
fn zone_key(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(name) if !name.is_empty() => Some(name.clone()),
        Value::Expr(text) => indexed_expression(text),
        Value::Tagged(tag, inner) if tag == "Select" => select_of_zones(inner),
        Value::Map(entries) => match entries.as_slice() {
            [only] if only.key == "Fn::Select" => select_of_zones(&only.value),
            _ => None,
        },
        _ => None,
    }
}

/// `data.aws_availability_zones.available.names[1]` or `local.azs[0]`: the same list at a
/// literal index. Zone lists hold each zone once, so distinct indexes are distinct zones.
fn indexed_expression(text: &str) -> Option<String> {
    let text = text.trim();
    let open = text.rfind('[')?;
    let (base, index) = text.split_at(open);
    let number = index.strip_prefix('[')?.strip_suffix(']')?.trim();
    let simple_base = !base.is_empty()
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if simple_base && number.parse::<usize>().is_ok() { Some(format!("{base}#{number}")) } else { None }
}

/// `[n, !GetAZs region]`: the n-th zone of the region.
fn select_of_zones(arguments: &Node) -> Option<String> {
    let [index, list] = arguments.items() else { return None };
    let number = index.scalar_text()?.trim().parse::<usize>().ok()?;
    let from_zones = match &list.value {
        Value::Tagged(tag, _) => tag == "GetAZs",
        Value::Map(entries) => matches!(entries.as_slice(), [only] if only.key == "Fn::GetAZs"),
        _ => false,
    };
    from_zones.then(|| format!("getazs#{number}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::model::{cloudformation, terraform};
    use trustlint_engine::parse::{hcl, yaml};

    fn terraform_zones(text: &str, address: &str, attribute: &str) -> Zones {
        let file = hcl::parse(text).expect("parses");
        let resources = terraform::resources(&file);
        let scope = Scope::new(&resources);
        let from = resources.iter().find(|r| r.address == address).expect("resource");
        let value = from.body.and_then(|b| b.get(attribute)).expect("attribute");
        of_subnets(value, from, &scope)
    }

    const SUBNETS: &str = r#"
resource "aws_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "a2" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "b" {
  availability_zone = data.aws_availability_zones.available.names[1]
}
resource "aws_subnet" "c" {
  availability_zone = data.aws_availability_zones.available.names[2]
}
resource "aws_subnet" "x" {
  availability_zone = var.zone
}
"#;

    #[test]
    fn terraform_subnets() {
        let case = |list: &str| {
            let text = format!(
                "{SUBNETS}resource \"aws_autoscaling_group\" \"g\" {{\n  vpc_zone_identifier = {list}\n}}\n"
            );
            terraform_zones(&text, "aws_autoscaling_group.g", "vpc_zone_identifier").fewer_than_two()
        };
        assert_eq!(case("[aws_subnet.a.id]"), Some(true));
        assert_eq!(case("[\"subnet-0abc\"]"), Some(true));
        assert_eq!(case("[aws_subnet.a.id, aws_subnet.a2.id]"), Some(true));
        assert_eq!(case("[aws_subnet.a.id, aws_subnet.b.id]"), Some(false));
        assert_eq!(case("[aws_subnet.b.id, aws_subnet.c.id]"), Some(false));
        assert_eq!(case("[aws_subnet.a.id, aws_subnet.x.id]"), None);
        assert_eq!(case("[aws_subnet.a.id, \"subnet-0abc\"]"), None);
        assert_eq!(case("var.subnets"), None);
        assert_eq!(case("[aws_subnet.private[*].id]"), None);
    }

    #[test]
    fn cloudformation_subnets() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  A:
    Type: AWS::EC2::Subnet
    Properties:
      AvailabilityZone: !Select [0, !GetAZs ""]
  B:
    Type: AWS::EC2::Subnet
    Properties:
      AvailabilityZone: !Select [1, !GetAZs ""]
  A2:
    Type: AWS::EC2::Subnet
    Properties:
      AvailabilityZone: {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
  Two:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref A, !Ref B]
  Same:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      VPCZoneIdentifier: [!Ref A, !Ref A2]
"#;
        let stream = yaml::parse(text).expect("parses");
        let resources = cloudformation::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let zones = |address: &str| {
            let from = resources.iter().find(|r| r.address == address).expect("resource");
            let value = from.body.and_then(|b| b.get_path("Properties.VPCZoneIdentifier")).expect("subnets");
            of_subnets(value, from, &scope).fewer_than_two()
        };
        assert_eq!(zones("Two"), Some(false));
        assert_eq!(zones("Same"), Some(true));
    }

    #[test]
    fn zone_names() {
        let file = hcl::parse(
            "a = [\"eu-west-1a\", \"eu-west-1a\"]\nb = [\"eu-west-1a\", \"eu-west-1b\"]\nc = [var.z]\n",
        )
        .expect("parses");
        let value = |i: usize| &file.attributes[i].value;
        assert_eq!(of_names(value(0)).fewer_than_two(), Some(true));
        assert_eq!(of_names(value(1)).fewer_than_two(), Some(false));
        assert_eq!(of_names(value(2)).fewer_than_two(), None);
        assert_eq!(indexed_expression("local.azs[0]"), Some("local.azs#0".into()));
        assert_eq!(indexed_expression("element(local.azs, 0)"), None);
    }
}

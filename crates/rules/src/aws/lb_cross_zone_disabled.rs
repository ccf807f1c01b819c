//! ## What it checks
//! Load balancers whose nodes send traffic only to targets in their own availability zone,
//! or that live in a single zone:
//! - Terraform `aws_elb` (Classic) with `cross_zone_load_balancing = false`; the provider's
//!   default is `true`, so only an explicit `false` fails;
//! - Terraform `aws_lb` / `aws_alb` of type `network` or `gateway` with
//!   `enable_cross_zone_load_balancing` absent or `false` (the default is `false`).
//!   Application load balancers are always cross-zone and are not judged on it;
//! - CloudFormation `AWS::ElasticLoadBalancing::LoadBalancer` with `CrossZone` absent or
//!   `false` (CloudFormation creates it through the API, whose default is disabled), and
//!   `AWS::ElasticLoadBalancingV2::LoadBalancer` of `Type` `network` or `gateway` without the
//!   attribute `load_balancing.cross_zone.enabled` set to `true`;
//! - any of them whose subnets (`subnets`, `subnet_mapping`, `Subnets`, `SubnetMappings`) or
//!   zones (`availability_zones`, `AvailabilityZones`) lie in fewer than two availability
//!   zones: medium. A single subnet is a single zone; several are resolved through the
//!   subnets declared beside the load balancer.
//!
//! Values not known statically (a variable type, subnets from another module) leave the
//! result unknown. The rule is native because it counts the distinct zones of the subnets.
//!
//! ## Why it matters (A1.1, A1.2)
//! Without cross-zone load balancing each zone's node serves only the targets of its zone:
//! when a zone has fewer healthy targets, they take a disproportionate share of the traffic
//! and may be overwhelmed while capacity sits idle elsewhere (A1.1). A load balancer in a
//! single zone fails with that zone (A1.2).
//!
//! ## Failing example
//! ```hcl
//! resource "aws_lb" "ingest" {
//!   load_balancer_type = "network"
//!   subnets            = [aws_subnet.a.id, aws_subnet.b.id]
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_lb" "ingest" {
//!   load_balancer_type               = "network"
//!   subnets                          = [aws_subnet.a.id, aws_subnet.b.id]
//!   enable_cross_zone_load_balancing = true
//! }
//! ```
//!
//! ## Fix
//! Enable cross-zone load balancing (`enable_cross_zone_load_balancing = true`,
//! `cross_zone_load_balancing = true`, CloudFormation `CrossZone: true` or the
//! `load_balancing.cross_zone.enabled` attribute), and place the load balancer in subnets of at
//! least two availability zones.

use crate::links::{is_dynamic, values_at};
use crate::placement::{self, Zones};
use crate::prelude::*;
use trustlint_engine::Entry;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-023",
        name: "lb-cross-zone-disabled",
        title: "Load balancer does not balance across availability zones",
        severity: Severity::Low,
        criteria: &["A1.1", "A1.2"],
        help: "Enable cross-zone load balancing and place the load balancer in subnets of two or more availability zones.",
        checkov: &["CKV_AWS_138", "CKV_AWS_152"],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[
            (Target::Terraform, &["aws_elb", "aws_lb", "aws_alb"]),
            (
                Target::Cloudformation,
                &["AWS::ElasticLoadBalancing::LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer"],
            ),
        ],
    }
}

/// The cross-zone setting as read from the configuration.
enum CrossZone {
    /// On, or not applicable (application load balancers).
    Fine,
    /// Off because the attribute is absent and the default is off.
    DefaultOff,
    /// Explicitly off, at this span.
    Off(Span),
    /// Not known statically.
    Unknown,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let empty = Node::new(resource.span, Value::Map(Vec::new()));
    let props = match resource.target {
        Target::Cloudformation => match body.get("Properties") {
            Some(props) if is_dynamic(props) => return out.unknown(),
            Some(props) => props,
            None => &empty,
        },
        _ => body,
    };
    // Application load balancers: always cross-zone, and the API refuses fewer than two zones.
    let application = match (resource.target, resource.kind.as_str()) {
        (Target::Terraform, "aws_elb") | (_, "AWS::ElasticLoadBalancing::LoadBalancer") => false,
        (Target::Terraform, _) => balancer_type(props.get("load_balancer_type")) == Some(false),
        _ => balancer_type(props.get("Type")) == Some(false),
    };
    if application {
        return;
    }
    let (cross_zone, attribute) = match (resource.target, resource.kind.as_str()) {
        (Target::Terraform, "aws_elb") => (flag(props.entry("cross_zone_load_balancing"), false), "cross_zone_load_balancing"),
        (Target::Terraform, _) => match balancer_type(props.get("load_balancer_type")) {
            Some(true) => (flag(props.entry("enable_cross_zone_load_balancing"), true), "enable_cross_zone_load_balancing"),
            Some(false) => (CrossZone::Fine, ""),
            None => (CrossZone::Unknown, ""),
        },
        (_, "AWS::ElasticLoadBalancing::LoadBalancer") => (flag(props.entry("CrossZone"), true), "CrossZone"),
        _ => match balancer_type(props.get("Type")) {
            Some(true) => (v2_attribute(props), "load_balancing.cross_zone.enabled"),
            Some(false) => (CrossZone::Fine, ""),
            None => (CrossZone::Unknown, ""),
        },
    };
    let address = &resource.address;
    match cross_zone {
        CrossZone::Fine => {}
        CrossZone::Unknown => out.unknown(),
        CrossZone::DefaultOff => {
            out.fail(
                resource.span,
                format!("`{address}` does not balance across zones: `{attribute}` is not set and defaults to disabled"),
            );
        }
        CrossZone::Off(span) => {
            out.fail(span, format!("`{address}` does not balance across zones: `{attribute}` is false"));
        }
    }

    let (entry, zones) = zones(resource, props, file);
    match (zones.fewer_than_two(), entry) {
        (Some(true), Some(entry)) => {
            out.fail(
                entry.key_span.cover(entry.value.span),
                format!("`{address}` lives in a single availability zone: it fails with that zone"),
            )
            .severity(Severity::Medium);
        }
        (Some(_), _) => {}
        (None, _) => out.unknown(),
    }
}

/// A boolean attribute with its default: `Fine` when on.
fn flag(entry: Option<&Entry>, absent_is_off: bool) -> CrossZone {
    match entry.map(|e| (e, &e.value)) {
        None => {
            if absent_is_off {
                CrossZone::DefaultOff
            } else {
                CrossZone::Fine
            }
        }
        Some((_, value)) if is_dynamic(value) => CrossZone::Unknown,
        Some((_, value)) if value.is_null() && absent_is_off => CrossZone::DefaultOff,
        Some((e, value)) => match value.as_bool() {
            Some(false) => CrossZone::Off(e.key_span.cover(value.span)),
            _ => CrossZone::Fine,
        },
    }
}

/// Whether the type is `network` or `gateway` (cross-zone off by default); absent is
/// `application`. `None` when not known statically.
fn balancer_type(value: Option<&Node>) -> Option<bool> {
    match value {
        None => Some(false),
        Some(v) if is_dynamic(v) => None,
        Some(v) => Some(v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("network") || t.eq_ignore_ascii_case("gateway"))),
    }
}

/// `LoadBalancerAttributes: [{Key: load_balancing.cross_zone.enabled, Value: "true"}]`.
fn v2_attribute(props: &Node) -> CrossZone {
    let Some(attributes) = props.get("LoadBalancerAttributes") else { return CrossZone::DefaultOff };
    if is_dynamic(attributes) {
        return CrossZone::Unknown;
    }
    let mut unknown = false;
    for item in attributes.items() {
        match item.get("Key") {
            Some(key) if key.as_str() == Some("load_balancing.cross_zone.enabled") => {
                return match item.get("Value") {
                    Some(value) if is_dynamic(value) => CrossZone::Unknown,
                    Some(value) if value.as_bool() == Some(true) => CrossZone::Fine,
                    Some(value) => CrossZone::Off(value.span),
                    None => CrossZone::Off(item.span),
                };
            }
            Some(key) if is_dynamic(key) => unknown = true,
            _ => {}
        }
    }
    if unknown { CrossZone::Unknown } else { CrossZone::DefaultOff }
}

/// The load balancer's zones and the attribute they were read from.
fn zones<'n>(resource: &Resource<'_>, props: &'n Node, file: &FileContext<'_>) -> (Option<&'n Entry>, Zones) {
    let unresolved = Zones { distinct: 0, unresolved: true };
    let (subnets, mappings, mapping_key, names) = match resource.target {
        Target::Cloudformation => ("Subnets", "SubnetMappings", "SubnetId", "AvailabilityZones"),
        _ => ("subnets", "subnet_mapping", "subnet_id", "availability_zones"),
    };
    if let Some(entry) = props.entry(subnets).filter(|e| !e.value.is_null()) {
        return (Some(entry), placement::of_subnets(&entry.value, resource, file.scope));
    }
    if let Some(entry) = props.entry(mappings).filter(|e| !e.value.is_null()) {
        if is_dynamic(&entry.value) {
            return (Some(entry), unresolved);
        }
        let (items, blocked) = values_at(&entry.value, &[mapping_key]);
        if blocked || items.len() != entry.value.items().len() {
            return (Some(entry), unresolved);
        }
        return (Some(entry), placement::of_subnet_items(&items, resource, file.scope));
    }
    if let Some(entry) = props.entry(names).filter(|e| !e.value.is_null()) {
        return (Some(entry), placement::of_names(&entry.value));
    }
    (None, unresolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    #[test]
    fn terraform_load_balancers() {
        let text = r#"
resource "aws_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "b" {
  availability_zone = "eu-west-1b"
}
resource "aws_lb" "nlb_default" {
  load_balancer_type = "network"
  subnets            = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_lb" "nlb_off" {
  load_balancer_type               = "network"
  enable_cross_zone_load_balancing = false
  subnets                          = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_lb" "alb" {
  subnets = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_lb" "nlb_one_zone" {
  load_balancer_type               = "network"
  enable_cross_zone_load_balancing = true
  subnet_mapping {
    subnet_id = aws_subnet.a.id
  }
}
resource "aws_elb" "classic_default" {
  subnets = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_elb" "classic_off" {
  availability_zones        = ["eu-west-1a", "eu-west-1b"]
  cross_zone_load_balancing = false
}
resource "aws_lb" "variable_type" {
  load_balancer_type = var.type
  subnets            = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_lb" "gwlb" {
  load_balancer_type               = "gateway"
  enable_cross_zone_load_balancing = true
  subnets                          = module.vpc.private_subnets
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(
            found.lines(),
            [(8, Severity::Low), (14, Severity::Low), (23, Severity::Medium), (32, Severity::Low)],
            "{:?}",
            found.findings
        );
        assert_eq!(found.result("aws_lb.alb"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_elb.classic_default"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_lb.variable_type"), Some(CheckResult::Unknown));
        assert_eq!(found.result("aws_lb.gwlb"), Some(CheckResult::Unknown));
    }

    #[test]
    fn cloudformation_load_balancers() {
        let text = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Classic:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      AvailabilityZones: [eu-west-1a, eu-west-1b]
  ClassicOn:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      CrossZone: true
      Subnets: [!Ref A]
  Network:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Subnets: !Ref Subnets
      LoadBalancerAttributes:
        - Key: load_balancing.cross_zone.enabled
          Value: "false"
  NetworkOn:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Subnets: !Ref Subnets
      LoadBalancerAttributes:
        - Key: deletion_protection.enabled
          Value: "true"
        - Key: load_balancing.cross_zone.enabled
          Value: "true"
  Application:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref A, !Ref B]
"#;
        let found = run(meta, check, &[("template.yaml", text)]);
        assert_eq!(
            found.lines(),
            [(3, Severity::Low), (11, Severity::Medium), (19, Severity::Low)],
            "{:?}",
            found.findings
        );
        assert_eq!(found.result("NetworkOn"), Some(CheckResult::Unknown));
        assert_eq!(found.result("Application"), Some(CheckResult::Pass));
    }
}

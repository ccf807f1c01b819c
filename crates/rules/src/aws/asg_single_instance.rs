//! ## What it checks
//! Auto Scaling groups that serve traffic (Terraform `aws_autoscaling_group`, CloudFormation
//! `AWS::AutoScaling::AutoScalingGroup`) but cannot survive the loss of one instance or one
//! zone. A group serves traffic when it has `target_group_arns`, `load_balancers` or a
//! `traffic_source` (CloudFormation `TargetGroupARNs`, `LoadBalancerNames`,
//! `TrafficSources`), or when an `aws_autoscaling_attachment` or
//! `aws_autoscaling_traffic_source_attachment` names it. Such a group fails when:
//! - `min_size` (`MinSize`) is below 2;
//! - its subnets (`vpc_zone_identifier`, `VPCZoneIdentifier`) or zones
//!   (`availability_zones`, `AvailabilityZones`) lie in fewer than two availability zones. A
//!   single subnet is a single zone; the zones of several subnets are resolved from the
//!   `aws_subnet` / `AWS::EC2::Subnet` declared beside the group;
//! - at low severity, `health_check_type` (`HealthCheckType`) is absent or `EC2`: the group
//!   then replaces only instances that fail EC2 status checks, not those the load balancer
//!   marks unhealthy.
//!
//! Groups that serve no load balancer (workers, batch) are not judged. Values not known
//! statically (a variable, subnets from another module) leave the result unknown.
//!
//! The rule is native because it counts the distinct zones of the subnets a group lists.
//!
//! ## Why it matters (A1.1, A1.2, CC9.1)
//! A group behind a load balancer is the service's capacity. With one instance, or every
//! instance in one zone, a single failure or zone outage takes the service down until a
//! replacement boots elsewhere; with ELB health checks off, a hung instance keeps receiving
//! traffic. Capacity (A1.1), recovery infrastructure (A1.2) and the mitigation of foreseeable
//! disruptions (CC9.1) all ask for at least two instances in two zones.
//!
//! ## Failing example
//! ```hcl
//! resource "aws_autoscaling_group" "web" {
//!   min_size            = 1
//!   max_size            = 4
//!   vpc_zone_identifier = [aws_subnet.private_a.id]
//!   target_group_arns   = [aws_lb_target_group.web.arn]
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_autoscaling_group" "web" {
//!   min_size            = 2
//!   max_size            = 6
//!   vpc_zone_identifier = [aws_subnet.private_a.id, aws_subnet.private_b.id]
//!   target_group_arns   = [aws_lb_target_group.web.arn]
//!   health_check_type   = "ELB"
//! }
//! ```
//!
//! ## Fix
//! Set `min_size = 2` or more, list subnets in at least two availability zones, and set
//! `health_check_type = "ELB"` so that instances the load balancer finds unhealthy are replaced.

use crate::links::{Truth, is_dynamic, referrers};
use crate::placement;
use crate::prelude::*;
use trustlint_engine::Entry;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-020",
        name: "asg-single-instance",
        title: "Auto Scaling group serving traffic can lose its only instance or zone",
        severity: Severity::Medium,
        criteria: &["A1.1", "A1.2", "CC9.1"],
        help: "Set `min_size` to 2 or more, spread `vpc_zone_identifier` over two or more availability zones, and use `health_check_type = \"ELB\"`.",
        checkov: &["CKV2_AWS_15"],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[
            (Target::Terraform, &["aws_autoscaling_group"]),
            (Target::Cloudformation, &["AWS::AutoScaling::AutoScalingGroup"]),
        ],
    }
}

/// Attribute names of one format.
struct Names {
    min_size: &'static str,
    subnets: &'static str,
    zones: &'static str,
    health: &'static str,
    traffic: [&'static str; 3],
}

const TERRAFORM: Names = Names {
    min_size: "min_size",
    subnets: "vpc_zone_identifier",
    zones: "availability_zones",
    health: "health_check_type",
    traffic: ["target_group_arns", "load_balancers", "traffic_source"],
};

const CLOUDFORMATION: Names = Names {
    min_size: "MinSize",
    subnets: "VPCZoneIdentifier",
    zones: "AvailabilityZones",
    health: "HealthCheckType",
    traffic: ["TargetGroupARNs", "LoadBalancerNames", "TrafficSources"],
};

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let empty = Node::new(resource.span, Value::Map(Vec::new()));
    let (props, names) = match resource.target {
        Target::Terraform => (body, &TERRAFORM),
        Target::Cloudformation => match body.get("Properties") {
            Some(props) if is_dynamic(props) => return out.unknown(),
            Some(props) => (props, &CLOUDFORMATION),
            None => (&empty, &CLOUDFORMATION),
        },
        _ => return,
    };
    let serves = serves_traffic(resource, props, names, file);
    if serves == Truth::False {
        return;
    }
    let mut failures: Vec<(Span, String, Severity)> = Vec::new();
    let mut unknown = false;
    let address = &resource.address;

    match props.entry(names.min_size) {
        Some(entry) => match entry.value.as_f64() {
            Some(min) if min < 2.0 => failures.push((
                cover(entry),
                format!("`{address}` serves traffic with `{}` of {min}: one instance failure takes it down", names.min_size),
                Severity::Medium,
            )),
            Some(_) => {}
            None => unknown = true,
        },
        None => unknown = true,
    }

    let (entry, zones) = match (props.entry(names.subnets), props.entry(names.zones)) {
        (Some(entry), _) if !entry.value.is_null() => {
            (Some(entry), placement::of_subnets(&entry.value, resource, file.scope))
        }
        (_, Some(entry)) if !entry.value.is_null() => (Some(entry), placement::of_names(&entry.value)),
        _ => (None, placement::Zones { distinct: 0, unresolved: true }),
    };
    match (zones.fewer_than_two(), entry) {
        (Some(true), Some(entry)) => failures.push((
            cover(entry),
            format!("`{address}` serves traffic from a single availability zone: a zone outage takes it down"),
            Severity::Medium,
        )),
        (Some(_), _) => {}
        (None, _) => unknown = true,
    }

    match props.entry(names.health) {
        None => failures.push((
            resource.span,
            format!(
                "`{address}` is behind a load balancer but `{}` is not set: it defaults to EC2 status checks, so instances the load balancer finds unhealthy are not replaced",
                names.health
            ),
            Severity::Low,
        )),
        Some(entry) if is_dynamic(&entry.value) => unknown = true,
        Some(entry) if entry.value.as_str().is_some_and(|t| t.eq_ignore_ascii_case("EC2")) => failures.push((
            cover(entry),
            format!(
                "`{address}` is behind a load balancer but uses EC2 status checks only: instances the load balancer finds unhealthy are not replaced"
            ),
            Severity::Low,
        )),
        Some(_) => {}
    }

    if serves == Truth::Unknown {
        // Whether the group serves traffic is not known: its gaps are not findings.
        if !failures.is_empty() || unknown {
            out.unknown();
        }
        return;
    }
    if unknown {
        out.unknown();
    }
    for (span, message, severity) in failures {
        out.fail(span, message).severity(severity);
    }
}

fn cover(entry: &Entry) -> Span {
    entry.key_span.cover(entry.value.span)
}

/// Whether the group is registered with a load balancer, inline or through an attachment.
fn serves_traffic(resource: &Resource<'_>, props: &Node, names: &Names, file: &FileContext<'_>) -> Truth {
    let mut unknown = false;
    for key in names.traffic {
        match props.get(key) {
            Some(value) if is_dynamic(value) => unknown = true,
            Some(value) if !value.is_null() && !value.items().is_empty() => return Truth::True,
            _ => {}
        }
    }
    if resource.target == Target::Terraform {
        let attachments = referrers(
            resource,
            file.scope,
            &["aws_autoscaling_attachment", "aws_autoscaling_traffic_source_attachment"],
            &["autoscaling_group_name"],
            &["name"],
        );
        if !attachments.found.is_empty() {
            return Truth::True;
        }
        unknown |= attachments.unknown;
    }
    if unknown { Truth::Unknown } else { Truth::False }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    #[test]
    fn terraform_groups() {
        let text = r#"
resource "aws_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "b" {
  availability_zone = "eu-west-1b"
}
resource "aws_autoscaling_group" "single" {
  min_size            = 1
  max_size            = 2
  vpc_zone_identifier = [aws_subnet.a.id, aws_subnet.b.id]
  target_group_arns   = [aws_lb_target_group.web.arn]
  health_check_type   = "ELB"
}
resource "aws_autoscaling_group" "one_zone" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.a.id]
  load_balancers      = ["web"]
  health_check_type   = "ELB"
}
resource "aws_autoscaling_group" "attached" {
  name                = "attached"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.a.id, aws_subnet.b.id]
}
resource "aws_autoscaling_attachment" "attached" {
  autoscaling_group_name = aws_autoscaling_group.attached.id
  lb_target_group_arn    = aws_lb_target_group.web.arn
}
resource "aws_autoscaling_group" "worker" {
  min_size            = 1
  max_size            = 1
  vpc_zone_identifier = [aws_subnet.a.id]
}
resource "aws_autoscaling_group" "modular" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = module.vpc.private_subnets
  target_group_arns   = [aws_lb_target_group.web.arn]
  health_check_type   = "ELB"
}
resource "aws_autoscaling_group" "maybe" {
  min_size            = 1
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.a.id]
  target_group_arns   = var.target_groups
}
resource "aws_autoscaling_group" "good" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.a.id, aws_subnet.b.id]
  target_group_arns   = [aws_lb_target_group.web.arn]
  health_check_type   = "ELB"
}
"#;
        let found = run(meta, check, &[("main.tf", text)]);
        assert_eq!(
            found.lines(),
            [(9, Severity::Medium), (18, Severity::Medium), (22, Severity::Low)],
            "{:?}",
            found.findings
        );
        assert_eq!(found.result("aws_autoscaling_group.worker"), Some(CheckResult::Pass));
        assert_eq!(found.result("aws_autoscaling_group.modular"), Some(CheckResult::Unknown));
        assert_eq!(found.result("aws_autoscaling_group.maybe"), Some(CheckResult::Unknown));
        assert_eq!(found.result("aws_autoscaling_group.good"), Some(CheckResult::Pass));
    }

    #[test]
    fn cloudformation_groups() {
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
  Web:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "1"
      MaxSize: "3"
      VPCZoneIdentifier: [!Ref A, !Ref B]
      TargetGroupARNs: [!Ref TargetGroup]
  Good:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "2"
      MaxSize: "3"
      VPCZoneIdentifier: [!Ref A, !Ref B]
      TargetGroupARNs: [!Ref TargetGroup]
      HealthCheckType: ELB
"#;
        let found = run(meta, check, &[("template.yaml", text)]);
        assert_eq!(found.lines(), [(11, Severity::Low), (14, Severity::Medium)]);
        assert_eq!(found.result("Good"), Some(CheckResult::Pass));
    }
}

//! ## What it checks
//! Security group ingress rules whose source is the whole internet (`0.0.0.0/0` or `::/0`)
//! and whose ports include remote administration, a database or every port:
//! - every port: protocol `-1` / `all` (even when no ports are given), or a range `0-65535`:
//!   critical;
//! - a range covering 22 (SSH) or 3389 (RDP): critical;
//! - a range covering 3306 (MySQL), 5432 (PostgreSQL), 1433 (SQL Server), 6379 (Redis),
//!   9200 (Elasticsearch), 27017 (MongoDB) or 2375 (Docker API): high.
//!
//! Web ports (80, 443) and other ranges are not reported; ICMP and egress rules are ignored.
//! Read from Terraform's inline `ingress` blocks and `ingress = [...]` lists of
//! `aws_security_group`, and from standalone `aws_security_group_rule` (`type = "ingress"`)
//! and `aws_vpc_security_group_ingress_rule` resources, judged each on its own; and from
//! CloudFormation's `AWS::EC2::SecurityGroup` (`SecurityGroupIngress`) and
//! `AWS::EC2::SecurityGroupIngress`. The finding points at the open CIDR. A CIDR or port that
//! is not known statically (a variable, a reference, `!Ref`) makes the result unknown.
//!
//! ## Why it matters (CC6.6, CC6.1)
//! A port open to the internet is found by scanners within minutes. SSH, RDP, database and
//! cache ports reachable from anywhere leave only a password (or nothing, for Redis and the
//! Docker API) between an attacker and the system: the boundary the organisation is meant to
//! enforce against outside threats is missing (CC6.6), and logical access is not restricted to
//! authorised sources (CC6.1).
//!
//! ## Failing example
//! ```hcl
//! resource "aws_security_group" "bastion" {
//!   ingress {
//!     from_port   = 22
//!     to_port     = 22
//!     protocol    = "tcp"
//!     cidr_blocks = ["0.0.0.0/0"]
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "aws_security_group" "bastion" {
//!   ingress {
//!     from_port   = 22
//!     to_port     = 22
//!     protocol    = "tcp"
//!     cidr_blocks = ["10.20.0.0/16"]
//!   }
//! }
//! ```
//!
//! ## Fix
//! Allow the port from the networks that need it (a VPN or office range, another security
//! group, a prefix list), or reach instances through AWS Systems Manager Session Manager
//! instead of opening SSH or RDP. Put databases in private subnets and allow them only from
//! the application's security group.

use std::net::IpAddr;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AWS-004",
        name: "sg-ingress-open-to-internet",
        title: "Security group allows ingress from the internet to a sensitive port",
        severity: Severity::Critical,
        criteria: &["CC6.6", "CC6.1"],
        help: "Restrict the source to known networks or security groups; reach hosts through \
               Session Manager or a VPN instead of opening SSH/RDP to 0.0.0.0/0 or ::/0.",
        checkov: &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"],
        kics: &[
            "65905cec-d691-4320-b320-2000436cb696",
            "151187cb-0efc-481c-babd-ad24e3c9bc22",
            "4728cd65-a20c-49da-8b31-9c08b423e4db",
            "381c3f2a-ef6f-4eff-99f7-b169cda3422c",
        ],
        trivy: &["AVD-AWS-0107"],
        other: &[],
        bindings: &[
            (
                Target::Terraform,
                &["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
            ),
            (Target::Cloudformation, &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"]),
        ],
    }
}

/// Ports whose exposure to the internet is critical: remote administration.
const ADMIN_PORTS: [(u32, &str); 2] = [(22, "SSH"), (3389, "RDP")];

/// Ports whose exposure to the internet is high: data stores and control APIs.
const SENSITIVE_PORTS: [(u32, &str); 7] = [
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (1433, "SQL Server"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (27017, "MongoDB"),
    (2375, "Docker API"),
];

/// One ingress permission, whatever resource or format it came from.
struct Ingress<'a> {
    /// The CIDR lists or single CIDRs (`cidr_blocks`, `CidrIp`, ...).
    sources: Vec<Option<&'a Node>>,
    protocol: Option<&'a Node>,
    from_port: Option<&'a Node>,
    to_port: Option<&'a Node>,
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let props = || body.get("Properties");
    match resource.kind.as_str() {
        "aws_security_group" => match body.get("ingress") {
            Some(list) if not_static(list) => out.unknown(),
            Some(list) => {
                for rule in list.items() {
                    if not_static(rule) {
                        out.unknown();
                        continue;
                    }
                    judge(&terraform_rule(rule, "protocol"), resource, out);
                }
            }
            None => {}
        },
        "aws_security_group_rule" => match body.get("type") {
            Some(kind) if kind.as_str() == Some("ingress") => judge(&terraform_rule(body, "protocol"), resource, out),
            Some(kind) if not_static(kind) => out.unknown(),
            _ => {}
        },
        "aws_vpc_security_group_ingress_rule" => judge(&terraform_rule(body, "ip_protocol"), resource, out),
        "AWS::EC2::SecurityGroup" => match props().map(|p| (p, p.get("SecurityGroupIngress"))) {
            Some((p, _)) if not_static(p) => out.unknown(),
            Some((_, Some(list))) if not_static(list) => out.unknown(),
            Some((_, Some(list))) => {
                for rule in list.items() {
                    if not_static(rule) {
                        out.unknown();
                        continue;
                    }
                    judge(&cloudformation_rule(rule), resource, out);
                }
            }
            _ => {}
        },
        "AWS::EC2::SecurityGroupIngress" => match props() {
            Some(p) if not_static(p) => out.unknown(),
            Some(p) => judge(&cloudformation_rule(p), resource, out),
            None => {}
        },
        _ => {}
    }
}

/// A Terraform ingress rule: an `ingress` block or object of `aws_security_group`, or the body
/// of a standalone rule resource (the two standalone resources name the protocol differently).
fn terraform_rule<'a>(rule: &'a Node, protocol: &str) -> Ingress<'a> {
    Ingress {
        sources: ["cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"].map(|k| rule.get(k)).to_vec(),
        protocol: rule.get(protocol),
        from_port: rule.get("from_port"),
        to_port: rule.get("to_port"),
    }
}

fn cloudformation_rule(rule: &Node) -> Ingress<'_> {
    Ingress {
        sources: vec![rule.get("CidrIp"), rule.get("CidrIpv6")],
        protocol: rule.get("IpProtocol"),
        from_port: rule.get("FromPort"),
        to_port: rule.get("ToPort"),
    }
}

/// A value not known statically: a Terraform expression, a YAML intrinsic (`!Ref`), or a
/// JSON intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`).
fn not_static(node: &Node) -> bool {
    match &node.value {
        Value::Expr(_) | Value::Tagged(..) => true,
        Value::Map(entries) => {
            matches!(entries.as_slice(), [only] if only.key == "Ref" || only.key.starts_with("Fn::"))
        }
        _ => false,
    }
}

/// `0.0.0.0/0`, `::/0` and every other spelling of a zero-length prefix.
fn is_internet(cidr: &str) -> bool {
    let Some((address, prefix)) = cidr.trim().split_once('/') else { return false };
    prefix.parse::<u8>() == Ok(0) && address.parse::<IpAddr>().is_ok()
}

/// What an ingress rule opens, once its source is the internet.
enum Exposure {
    /// Nothing this rule cares about (web ports, ICMP, other ranges).
    Harmless,
    /// Not known statically.
    Unknown,
    /// Open: a description of what, and how bad.
    Open(String, Severity),
}

fn exposure(rule: &Ingress<'_>) -> Exposure {
    let Some(protocol) = rule.protocol else { return Exposure::Unknown };
    if not_static(protocol) {
        return Exposure::Unknown;
    }
    let Some(protocol) = protocol.scalar_text().map(|p| p.trim().to_ascii_lowercase()) else {
        return Exposure::Unknown;
    };
    match protocol.as_str() {
        "-1" | "all" => return Exposure::Open(format!("every port (protocol {protocol})"), Severity::Critical),
        "tcp" | "udp" | "6" | "17" => {}
        // ICMP types and codes, or a protocol without ports: no service port is exposed.
        _ => return Exposure::Harmless,
    }
    let port = |node: Option<&Node>| node.filter(|n| !not_static(n)).and_then(Node::as_f64);
    let (Some(from), Some(to)) = (port(rule.from_port), port(rule.to_port)) else { return Exposure::Unknown };
    // A negative bound (`-1`) stands for "any" in the AWS APIs.
    let from = if from < 0.0 { 0 } else { from as u32 };
    let to = if to < 0.0 { 65535 } else { to as u32 };
    let (from, to) = (from.min(to), from.max(to));
    let range = if from == to { format!("port {from}") } else { format!("ports {from}-{to}") };
    if from == 0 && to >= 65535 {
        return Exposure::Open(format!("every port ({range})"), Severity::Critical);
    }
    let named = |ports: &[(u32, &str)]| -> Vec<String> {
        ports.iter().filter(|(p, _)| (from..=to).contains(p)).map(|(p, name)| format!("{p} ({name})")).collect()
    };
    let describe = |names: Vec<String>| {
        if from == to { format!("port {}", names.join(", ")) } else { format!("{range}, including {}", names.join(", ")) }
    };
    let admin = named(&ADMIN_PORTS);
    if !admin.is_empty() {
        return Exposure::Open(describe(admin), Severity::Critical);
    }
    let sensitive = named(&SENSITIVE_PORTS);
    if !sensitive.is_empty() {
        return Exposure::Open(describe(sensitive), Severity::High);
    }
    Exposure::Harmless
}

fn judge(rule: &Ingress<'_>, resource: &Resource<'_>, out: &mut Outcome) {
    let mut open = Vec::new();
    let mut unknown_source = false;
    for source in rule.sources.iter().flatten() {
        if not_static(source) {
            unknown_source = true;
            continue;
        }
        for cidr in source.items() {
            match cidr.as_str() {
                Some(text) if is_internet(text) => open.push((cidr, text)),
                Some(_) => {}
                None if not_static(cidr) => unknown_source = true,
                None => {}
            }
        }
    }
    if open.is_empty() {
        if unknown_source {
            out.unknown();
        }
        return;
    }
    match exposure(rule) {
        Exposure::Harmless => {}
        Exposure::Unknown => out.unknown(),
        Exposure::Open(what, severity) => {
            for (cidr, text) in open {
                out.fail(cidr.span, format!("`{}` allows ingress from {} to {what}", resource.address, text.trim()))
                    .severity(severity);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::terraform;
    use trustlint_engine::parse::hcl;
    use trustlint_engine::rule::CheckResult;

    /// A failure as (line, severity, message).
    type Failure = (usize, Severity, String);

    /// Run the rule on every Terraform resource of `text`: its result and failures.
    fn run(text: &str) -> Vec<(CheckResult, Vec<Failure>)> {
        let file = hcl::parse(text).expect("parses");
        let source = SourceFile::new("main.tf", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        terraform::resources(&file)
            .iter()
            .map(|r| {
                let mut out = Outcome::default();
                check(r, &ctx, &mut out);
                let fails = out
                    .violations
                    .iter()
                    .map(|v| (source.location(v.span.start).line, v.severity.unwrap_or(Severity::Critical), v.message.clone()))
                    .collect();
                (out.result(), fails)
            })
            .collect()
    }

    #[test]
    fn internet_cidrs() {
        assert!(is_internet("0.0.0.0/0"));
        assert!(is_internet("::/0"));
        assert!(is_internet(" ::0/0 "));
        assert!(!is_internet("10.0.0.0/8"));
        assert!(!is_internet("0.0.0.0/1"));
        assert!(!is_internet("0.0.0.0"));
        assert!(!is_internet("nonsense/0"));
    }

    #[test]
    fn grades_ports_and_protocols() {
        let rule = |protocol: &str, from: i32, to: i32| {
            format!(
                "resource \"aws_security_group\" \"g\" {{\n  ingress {{\n    protocol = \"{protocol}\"\n    from_port = {from}\n    to_port = {to}\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n}}\n"
            )
        };
        let graded = |text: String| {
            let results = run(&text);
            results[0].1.first().map(|(line, severity, message)| (*line, *severity, message.clone()))
        };
        let ssh = graded(rule("tcp", 22, 22)).expect("ssh");
        assert_eq!((ssh.0, ssh.1), (6, Severity::Critical));
        assert_eq!(ssh.2, "`aws_security_group.g` allows ingress from 0.0.0.0/0 to port 22 (SSH)");
        assert_eq!(graded(rule("-1", 0, 0)).map(|f| f.1), Some(Severity::Critical));
        assert_eq!(graded(rule("ALL", 0, 0)).map(|f| f.1), Some(Severity::Critical));
        let all = graded(rule("tcp", 0, 65535)).expect("all ports");
        assert_eq!(all.1, Severity::Critical);
        assert!(all.2.contains("every port (ports 0-65535)"), "{}", all.2);
        let db = graded(rule("tcp", 3000, 3400)).expect("mysql and rdp");
        assert_eq!(db.1, Severity::Critical);
        assert!(db.2.ends_with("ports 3000-3400, including 3389 (RDP)"), "{}", db.2);
        let pg = graded(rule("6", 5432, 5432)).expect("postgres");
        assert_eq!(pg.1, Severity::High);
        assert!(pg.2.ends_with("port 5432 (PostgreSQL)"));
        assert_eq!(graded(rule("tcp", 443, 443)), None);
        assert_eq!(graded(rule("tcp", 80, 80)), None);
        assert_eq!(graded(rule("icmp", -1, -1)), None);
        assert_eq!(graded(rule("udp", 8000, 8100)), None);
    }

    #[test]
    fn inline_list_form_and_standalone_rules() {
        let text = r#"resource "aws_security_group" "list" {
  ingress = [
    {
      from_port        = 3306
      to_port          = 3306
      protocol         = "tcp"
      cidr_blocks      = ["10.0.0.0/8"]
      ipv6_cidr_blocks = ["::/0"]
    },
  ]
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "egress" {
  type        = "egress"
  from_port   = 0
  to_port     = 0
  protocol    = "-1"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "rdp" {
  type        = "ingress"
  from_port   = 3389
  to_port     = 3389
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}

resource "aws_vpc_security_group_ingress_rule" "all" {
  security_group_id = aws_security_group.list.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "-1"
}
"#;
        let results = run(text);
        assert_eq!(results[0].0, CheckResult::Fail);
        assert_eq!(results[0].1.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), [(8, Severity::High)]);
        assert_eq!(results[1].0, CheckResult::Pass);
        assert_eq!(results[2].1.iter().map(|f| f.0).collect::<Vec<_>>(), [32]);
        assert_eq!(results[3].1.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), [(37, Severity::Critical)]);
    }

    #[test]
    fn unknowns_are_neither_pass_nor_fail() {
        let text = r#"resource "aws_security_group" "a" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }
}

resource "aws_security_group" "b" {
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "c" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_security_group" "d" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.office, "0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "e" {
  type        = var.direction
  from_port   = 22
  to_port     = 22
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
"#;
        let results: Vec<CheckResult> = run(text).into_iter().map(|(r, _)| r).collect();
        assert_eq!(
            results,
            [CheckResult::Unknown, CheckResult::Unknown, CheckResult::Unknown, CheckResult::Fail, CheckResult::Unknown]
        );
    }

    /// A CloudFormation-shaped resource body, written as an HCL object for brevity (the YAML
    /// loader gives the same tree).
    fn cfn(kind: &str, body: &str, address: &str) -> (CheckResult, Vec<Severity>) {
        let text = format!("x = {body}\n");
        let file = hcl::parse(&text).expect("parses");
        let node = &file.attributes[0].value;
        let resource = Resource::tree(Target::Cloudformation, kind, address, Span::default(), node);
        let source = SourceFile::new("template.yaml", text.as_str());
        let syntax = Syntax::Text;
        let mut out = Outcome::default();
        check(&resource, &FileContext { source: &source, syntax: &syntax, scope: &Default::default() }, &mut out);
        (out.result(), out.violations.iter().map(|v| v.severity.unwrap_or(Severity::Critical)).collect())
    }

    #[test]
    fn cloudformation_security_groups() {
        let sg = r#"{ Type = "AWS::EC2::SecurityGroup", Properties = { SecurityGroupIngress = [
            { IpProtocol = "tcp", FromPort = 443, ToPort = 443, CidrIp = "0.0.0.0/0" },
            { IpProtocol = "tcp", FromPort = 27017, ToPort = 27017, CidrIpv6 = "::/0" },
            { IpProtocol = -1, CidrIp = "10.0.0.0/8" },
        ] } }"#;
        assert_eq!(cfn("AWS::EC2::SecurityGroup", sg, "Web"), (CheckResult::Fail, vec![Severity::High]));
        let rule = r#"{ Type = "AWS::EC2::SecurityGroupIngress", Properties = { GroupId = { Ref = "Web" }, IpProtocol = "-1", CidrIp = "0.0.0.0/0" } }"#;
        assert_eq!(cfn("AWS::EC2::SecurityGroupIngress", rule, "Open"), (CheckResult::Fail, vec![Severity::Critical]));
        let referenced = r#"{ Type = "AWS::EC2::SecurityGroupIngress", Properties = { IpProtocol = "tcp", FromPort = 22, ToPort = 22, CidrIp = { Ref = "AdminCidr" } } }"#;
        assert_eq!(cfn("AWS::EC2::SecurityGroupIngress", referenced, "Ssh"), (CheckResult::Unknown, vec![]));
        let egress_only = r#"{ Type = "AWS::EC2::SecurityGroup", Properties = { SecurityGroupEgress = [{ IpProtocol = "-1", CidrIp = "0.0.0.0/0" }] } }"#;
        assert_eq!(cfn("AWS::EC2::SecurityGroup", egress_only, "Out"), (CheckResult::Pass, vec![]));
    }

    #[test]
    fn tagged_values_are_unknown() {
        let port = Node::new(Span::default(), Value::Number("22".into()));
        let tagged = Node::new(
            Span::default(),
            Value::Tagged("Ref".into(), Box::new(Node::new(Span::default(), Value::String("Cidr".into())))),
        );
        let protocol = Node::new(Span::default(), Value::String("tcp".into()));
        let rule = Ingress { sources: vec![Some(&tagged)], protocol: Some(&protocol), from_port: Some(&port), to_port: Some(&port) };
        let body = Node::new(Span::default(), Value::Map(vec![]));
        let resource = Resource::tree(Target::Cloudformation, "AWS::EC2::SecurityGroupIngress", "X", Span::default(), &body);
        let mut out = Outcome::default();
        judge(&rule, &resource, &mut out);
        assert_eq!(out.result(), CheckResult::Unknown);
    }
}

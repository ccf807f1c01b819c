//! ## What it checks
//! Network security group rules that let the internet reach remote administration or every
//! port: `direction = "Inbound"`, `access = "Allow"`, a source (`source_address_prefix` or an
//! item of `source_address_prefixes`) of `*`, `Any`, `Internet`, `0.0.0.0`, `0.0.0.0/0` or
//! `::/0`, and a destination port (`destination_port_range` or an item of
//! `destination_port_ranges`) of `*`, a range covering every port, or a port or range
//! covering 22 (SSH) or 3389 (RDP). Protocols without ports (`Icmp`, `Esp`, `Ah`) are not
//! reported.
//!
//! Rules are read from the inline `security_rule` blocks of `azurerm_network_security_group`
//! and from standalone `azurerm_network_security_rule` resources. Azure applies an NSG's rules
//! in priority order, so an open rule is not reported when a `Deny` rule of the same group
//! with a smaller `priority` number denies the same traffic from the internet first (same
//! protocol or `*`, destination `*` or the same addresses, and the open ports). A standalone
//! rule belongs to the group its `network_security_group_name` and `resource_group_name`
//! name: a reference to the group, or the same literal names. The finding points at the open
//! source. A value not known statically (a variable, a `dynamic` block, a group that cannot
//! be matched) makes the result unknown.
//!
//! A native rule: ports are strings holding a number, a range or `*`, which the policy
//! language cannot compare with 22 and 3389, and the priority order joins rules of one group.
//!
//! ## Why it matters (CC6.6, CC6.1)
//! A virtual machine whose SSH or RDP port is reachable from the internet is brute-forced
//! within hours of being created; RDP exposure is a classic ransomware entry point. The
//! boundary against outside threats is missing (CC6.6), and logical access is not limited to
//! authorised networks (CC6.1).
//!
//! ## Failing example
//! ```hcl
//! resource "azurerm_network_security_rule" "rdp" {
//!   name                        = "allow-rdp"
//!   priority                    = 100
//!   direction                   = "Inbound"
//!   access                      = "Allow"
//!   protocol                    = "Tcp"
//!   source_port_range           = "*"
//!   destination_port_range      = "3389"
//!   source_address_prefix       = "Internet"
//!   destination_address_prefix  = "*"
//!   resource_group_name         = azurerm_resource_group.main.name
//!   network_security_group_name = azurerm_network_security_group.app.name
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "azurerm_network_security_rule" "rdp" {
//!   name                        = "allow-rdp-from-bastion"
//!   priority                    = 100
//!   direction                   = "Inbound"
//!   access                      = "Allow"
//!   protocol                    = "Tcp"
//!   source_port_range           = "*"
//!   destination_port_range      = "3389"
//!   source_address_prefix       = "10.10.250.0/26" # AzureBastionSubnet
//!   destination_address_prefix  = "*"
//!   resource_group_name         = azurerm_resource_group.main.name
//!   network_security_group_name = azurerm_network_security_group.app.name
//! }
//! ```
//!
//! ## Fix
//! Reach virtual machines through Azure Bastion or just-in-time VM access, or allow SSH and
//! RDP only from a VPN or office range. List the ports a service needs instead of `*`.

use std::net::IpAddr;

use trustlint_engine::policy::condition::Truth;
use trustlint_engine::rule::Scope;

use crate::link::{and, or, refers, same_value};
use crate::port_range::{ADMIN_PORTS, PortRange};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-AZURE-001",
        name: "nsg-ingress-open-to-internet",
        title: "Network security group allows inbound traffic from the internet to SSH, RDP or every port",
        severity: Severity::Critical,
        criteria: &["CC6.6", "CC6.1"],
        help: "Restrict the source to known networks (Azure Bastion, a VPN) and list only the ports the \
               service needs; use just-in-time VM access for administration.",
        checkov: &["CKV_AZURE_10", "CKV_AZURE_9"],
        kics: &[
            "3e3c175e-aadf-4e2b-a464-3fdac5748d24",
            "efbf6449-5ec5-4cfe-8f15-acc51e0d787c",
            "594c198b-4d79-41b8-9b36-fde13348b619",
        ],
        trivy: &["AVD-AZU-0050", "AVD-AZU-0048", "AVD-AZU-0047"],
        other: &[],
        bindings: &[(Target::Terraform, &["azurerm_network_security_group", "azurerm_network_security_rule"])],
    }
}

/// One security rule, inline or standalone, with the attributes this check reads.
struct SecurityRule<'a> {
    /// Its `name`, for messages.
    name: Option<String>,
    priority: Option<&'a Node>,
    direction: Option<&'a Node>,
    access: Option<&'a Node>,
    protocol: Option<&'a Node>,
    /// `source_address_prefix` and the items of `source_address_prefixes`.
    sources: Vec<&'a Node>,
    /// `destination_port_range` and the items of `destination_port_ranges`.
    ports: Vec<&'a Node>,
    /// `destination_address_prefix` and the items of `destination_address_prefixes`.
    destinations: Vec<&'a Node>,
}

impl<'a> SecurityRule<'a> {
    fn read(body: &'a Node) -> Self {
        let both = |single: &str, plural: &str| -> Vec<&'a Node> {
            let mut nodes: Vec<&'a Node> = body.get(single).into_iter().filter(|n| !n.is_null()).collect();
            match body.get(plural) {
                // An expression standing for the whole list stays one unknown item.
                Some(list) if list.is_unknown() => nodes.push(list),
                Some(list) => nodes.extend(list.items()),
                None => {}
            }
            nodes
        };
        SecurityRule {
            name: body.get("name").and_then(Node::scalar_text).map(|n| n.into_owned()),
            priority: body.get("priority"),
            direction: body.get("direction"),
            access: body.get("access"),
            protocol: body.get("protocol"),
            sources: both("source_address_prefix", "source_address_prefixes"),
            ports: both("destination_port_range", "destination_port_ranges"),
            destinations: both("destination_address_prefix", "destination_address_prefixes"),
        }
    }
}

/// What an allow rule opens to the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exposed {
    /// Every port.
    Every,
    /// One remote administration port.
    Admin(u32),
}

impl Exposed {
    fn describe(self) -> String {
        match self {
            Exposed::Every => "every port".into(),
            Exposed::Admin(port) => {
                let service = ADMIN_PORTS.iter().find(|(p, _)| *p == port).map_or("", |(_, s)| s);
                format!("port {port} ({service})")
            }
        }
    }
}

/// A scalar attribute: its text, or whether it is unknown or absent.
fn text(node: Option<&Node>) -> Result<Option<String>, ()> {
    match node {
        None => Ok(None),
        Some(n) if n.is_unknown() => Err(()),
        Some(n) => Ok(n.scalar_text().map(|t| t.trim().to_string())),
    }
}

/// Whether an attribute holds `expected` (case-insensitive, as Azure compares them).
fn is(node: Option<&Node>, expected: &str) -> Truth {
    match text(node) {
        Err(()) => Truth::Unknown,
        Ok(Some(t)) if t.eq_ignore_ascii_case(expected) => Truth::True,
        Ok(_) => Truth::False,
    }
}

/// A source that is the whole internet.
fn is_internet(prefix: &str) -> bool {
    let prefix = prefix.trim();
    if ["*", "any", "internet", "0.0.0.0"].iter().any(|p| prefix.eq_ignore_ascii_case(p)) {
        return true;
    }
    let Some((address, length)) = prefix.split_once('/') else { return false };
    length.trim().parse::<u8>() == Ok(0) && address.trim().parse::<IpAddr>().is_ok()
}

/// Protocols that carry ports (`Icmp`, `Esp` and `Ah` do not).
fn has_ports(protocol: &str) -> bool {
    ["tcp", "udp", "*"].iter().any(|p| protocol.eq_ignore_ascii_case(p))
}

/// The internet sources of an inbound allow rule (with their text) and what it opens; `Err`
/// when that cannot be known. Empty lists when the rule opens nothing this check reports.
type Opening<'a> = (Vec<(&'a Node, String)>, Vec<Exposed>);

fn opening<'a>(rule: &SecurityRule<'a>) -> Result<Opening<'a>, ()> {
    let inbound_allow = and(is(rule.direction, "Inbound"), is(rule.access, "Allow"));
    match inbound_allow {
        Truth::False => return Ok((Vec::new(), Vec::new())),
        Truth::Unknown => return Err(()),
        Truth::True => {}
    }
    match text(rule.protocol)? {
        Some(protocol) if has_ports(&protocol) => {}
        Some(_) => return Ok((Vec::new(), Vec::new())),
        None => return Err(()),
    }
    let mut sources = Vec::new();
    let mut unknown = false;
    for source in &rule.sources {
        match text(Some(source)) {
            Ok(Some(prefix)) if is_internet(&prefix) => sources.push((*source, prefix)),
            Ok(_) => {}
            Err(()) => unknown = true,
        }
    }
    if sources.is_empty() {
        return if unknown { Err(()) } else { Ok((Vec::new(), Vec::new())) };
    }
    let mut exposed = Vec::new();
    let mut unknown = false;
    for port in &rule.ports {
        let range = match text(Some(port)) {
            Ok(Some(spec)) => PortRange::parse(&spec),
            Ok(None) => None,
            Err(()) => {
                unknown = true;
                continue;
            }
        };
        let Some(range) = range else { continue };
        if range.is_every_port() {
            exposed = vec![Exposed::Every];
            break;
        }
        for (admin, _) in ADMIN_PORTS {
            if range.covers(admin) && !exposed.contains(&Exposed::Admin(admin)) {
                exposed.push(Exposed::Admin(admin));
            }
        }
    }
    if exposed.is_empty() && unknown {
        return Err(());
    }
    Ok((sources, exposed))
}

/// Whether the deny rule `deny` stops the internet reaching `item` of the allow rule `allow`
/// before `allow` is applied.
fn shadows(deny: &SecurityRule<'_>, allow: &SecurityRule<'_>, item: Exposed) -> Truth {
    let direction = and(is(deny.direction, "Inbound"), is(deny.access, "Deny"));
    let earlier = match (text(deny.priority), text(allow.priority)) {
        (Ok(Some(d)), Ok(Some(a))) => match (d.parse::<f64>(), a.parse::<f64>()) {
            (Ok(d), Ok(a)) if d < a => Truth::True,
            (Ok(_), Ok(_)) => Truth::False,
            _ => Truth::Unknown,
        },
        (Ok(None), _) | (_, Ok(None)) => Truth::False,
        _ => Truth::Unknown,
    };
    let protocol = match (text(deny.protocol), text(allow.protocol)) {
        (Ok(Some(d)), _) if d == "*" => Truth::True,
        (Ok(Some(d)), Ok(Some(a))) if d.eq_ignore_ascii_case(&a) => Truth::True,
        (Err(()), _) | (_, Err(())) => Truth::Unknown,
        _ => Truth::False,
    };
    let any_of = |nodes: &[&Node], holds: &dyn Fn(&str) -> bool| -> Truth {
        nodes.iter().fold(Truth::False, |acc, node| {
            or(
                acc,
                match text(Some(node)) {
                    Ok(Some(t)) if holds(&t) => Truth::True,
                    Ok(_) => Truth::False,
                    Err(()) => Truth::Unknown,
                },
            )
        })
    };
    let source = any_of(&deny.sources, &is_internet);
    let wildcard = |t: &str| ["*", "any", "0.0.0.0/0"].iter().any(|w| t.eq_ignore_ascii_case(w));
    let allowed_destinations: Result<Vec<String>, ()> =
        allow.destinations.iter().map(|n| text(Some(n)).map(Option::unwrap_or_default)).collect();
    let destination = or(
        any_of(&deny.destinations, &wildcard),
        match allowed_destinations {
            Err(()) => Truth::Unknown,
            Ok(wanted) if wanted.is_empty() => Truth::False,
            Ok(wanted) => wanted.iter().fold(Truth::True, |acc, w| {
                and(acc, any_of(&deny.destinations, &|t: &str| t.eq_ignore_ascii_case(w)))
            }),
        },
    );
    let ports = any_of(&deny.ports, &|spec: &str| {
        PortRange::parse(spec).is_some_and(|range| match item {
            Exposed::Every => range.is_every_port(),
            Exposed::Admin(port) => range.covers(port),
        })
    });
    [direction, earlier, protocol, source, destination, ports].into_iter().fold(Truth::True, and)
}

/// Whether the standalone rule `rule` belongs to the network security group `group`.
fn belongs(rule: &Node, group: &Resource<'_>) -> Truth {
    let Some(name) = rule.get("network_security_group_name") else { return Truth::False };
    let group_body = group.body;
    and(
        refers(name, group, &["name"]),
        same_value(rule.get("resource_group_name"), group_body.and_then(|b| b.get("resource_group_name"))),
    )
}

/// Whether two standalone rules belong to the same group (same group and resource group).
fn same_group(a: &Node, b: &Node) -> Truth {
    and(
        same_value(a.get("network_security_group_name"), b.get("network_security_group_name")),
        same_value(a.get("resource_group_name"), b.get("resource_group_name")),
    )
}

/// The inline rules of a group (`Err` when the list itself is an expression).
fn inline_rules(group: &Node) -> Result<Vec<&Node>, ()> {
    match group.get("security_rule") {
        None => Ok(Vec::new()),
        Some(list) if list.is_unknown() => Err(()),
        Some(list) => Ok(list.items().iter().collect()),
    }
}

/// The other rules of the group a rule belongs to, each with how sure the membership is.
fn siblings<'a>(resource: &Resource<'a>, own: Option<&'a Node>, scope: &Scope<'a>) -> (Vec<(&'a Node, Truth)>, bool) {
    let mut out: Vec<(&'a Node, Truth)> = Vec::new();
    let mut unknown = false;
    let Some(body) = resource.body else { return (out, unknown) };
    let is_self = |other: &Resource<'_>| other.address == resource.address && other.file == resource.file;
    match resource.kind.as_str() {
        "azurerm_network_security_group" => {
            match inline_rules(body) {
                Ok(rules) => out.extend(
                    rules.into_iter().filter(|r| !own.is_some_and(|o| std::ptr::eq(*r, o))).map(|r| (r, Truth::True)),
                ),
                Err(()) => unknown = true,
            }
            for other in scope.of_kind(resource.target, "azurerm_network_security_rule") {
                if let Some(rule) = other.body {
                    match belongs(rule, resource) {
                        Truth::False => {}
                        link => out.push((rule, link)),
                    }
                }
            }
        }
        _ => {
            for other in scope.of_kind(resource.target, "azurerm_network_security_rule") {
                if is_self(other) {
                    continue;
                }
                if let Some(rule) = other.body {
                    match same_group(body, rule) {
                        Truth::False => {}
                        link => out.push((rule, link)),
                    }
                }
            }
            for group in scope.of_kind(resource.target, "azurerm_network_security_group") {
                let link = belongs(body, group);
                if link == Truth::False {
                    continue;
                }
                match group.body.map(inline_rules) {
                    Some(Ok(rules)) => out.extend(rules.into_iter().map(|r| (r, link))),
                    Some(Err(())) => unknown = true,
                    None => {}
                }
            }
        }
    }
    (out, unknown)
}

/// Judge one allow rule (`node`) of `resource`: fail at each internet source with the ports
/// no earlier deny rule closes.
fn judge(resource: &Resource<'_>, node: &Node, scope: &Scope<'_>, out: &mut Outcome) -> Truth {
    let rule = SecurityRule::read(node);
    let (sources, exposed) = match opening(&rule) {
        Ok(found) => found,
        Err(()) => return Truth::Unknown,
    };
    if sources.is_empty() || exposed.is_empty() {
        return Truth::False;
    }
    let (others, others_unknown) = siblings(resource, Some(node), scope);
    let deny_rules: Vec<(SecurityRule<'_>, Truth)> =
        others.into_iter().map(|(n, link)| (SecurityRule::read(n), link)).collect();
    let mut open = Vec::new();
    let mut unknown = false;
    for item in exposed {
        let closed = deny_rules
            .iter()
            .fold(Truth::False, |acc, (deny, link)| or(acc, and(*link, shadows(deny, &rule, item))));
        match closed {
            Truth::False if others_unknown => unknown = true,
            Truth::False => open.push(item),
            Truth::Unknown => unknown = true,
            Truth::True => {}
        }
    }
    if open.is_empty() {
        return if unknown { Truth::Unknown } else { Truth::False };
    }
    let what = open.iter().map(|e| e.describe()).collect::<Vec<_>>().join(", ");
    let named = match (&rule.name, resource.kind.as_str()) {
        (Some(name), "azurerm_network_security_group") => format!("`{}` rule `{name}`", resource.address),
        _ => format!("`{}`", resource.address),
    };
    for (source, prefix) in sources {
        out.fail(source.span, format!("{named} allows inbound traffic from `{prefix}` to {what}"));
    }
    Truth::True
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    let mut unknown = false;
    match resource.kind.as_str() {
        "azurerm_network_security_group" => match inline_rules(body) {
            Ok(rules) => {
                for rule in rules {
                    unknown |= judge(resource, rule, file.scope, out) == Truth::Unknown;
                }
            }
            Err(()) => unknown = true,
        },
        "azurerm_network_security_rule" => unknown = judge(resource, body, file.scope, out) == Truth::Unknown,
        _ => {}
    }
    if unknown {
        out.unknown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    fn rule(name: &str, priority: u32, access: &str, source: &str, ports: &str) -> String {
        format!(
            "resource \"azurerm_network_security_rule\" \"{name}\" {{\n  name = \"{name}\"\n  priority = {priority}\n  direction = \"Inbound\"\n  access = \"{access}\"\n  protocol = \"Tcp\"\n  source_port_range = \"*\"\n  destination_port_range = \"{ports}\"\n  source_address_prefix = \"{source}\"\n  destination_address_prefix = \"*\"\n  resource_group_name = \"rg-app\"\n  network_security_group_name = azurerm_network_security_group.app.name\n}}\n\n"
        )
    }

    const GROUP: &str = "resource \"azurerm_network_security_group\" \"app\" {\n  name = \"nsg-app\"\n  location = \"westeurope\"\n  resource_group_name = \"rg-app\"\n}\n\n";

    #[test]
    fn sources_and_ports() {
        assert!(is_internet("*"));
        assert!(is_internet("Internet"));
        assert!(is_internet("any"));
        assert!(is_internet("0.0.0.0"));
        assert!(is_internet("0.0.0.0/0"));
        assert!(is_internet("::/0"));
        assert!(!is_internet("VirtualNetwork"));
        assert!(!is_internet("10.0.0.0/8"));
        let text = [
            GROUP,
            &rule("ssh", 100, "Allow", "Internet", "22"),
            &rule("all", 110, "Allow", "*", "*"),
            &rule("range", 120, "Allow", "0.0.0.0/0", "3000-3400"),
            &rule("web", 130, "Allow", "*", "443"),
            &rule("office", 140, "Allow", "203.0.113.0/24", "22"),
            &rule("deny", 150, "Deny", "*", "*"),
        ]
        .concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("azurerm_network_security_rule.ssh"), Some(CheckResult::Fail));
        assert_eq!(found.result("azurerm_network_security_rule.all"), Some(CheckResult::Fail));
        assert_eq!(found.result("azurerm_network_security_rule.range"), Some(CheckResult::Fail));
        assert_eq!(found.result("azurerm_network_security_rule.web"), Some(CheckResult::Pass));
        assert_eq!(found.result("azurerm_network_security_rule.office"), Some(CheckResult::Pass));
        assert_eq!(found.result("azurerm_network_security_rule.deny"), Some(CheckResult::Pass));
        let messages: Vec<&str> = found.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`azurerm_network_security_rule.ssh` allows inbound traffic from `Internet` to port 22 (SSH)",
                "`azurerm_network_security_rule.all` allows inbound traffic from `*` to every port",
                "`azurerm_network_security_rule.range` allows inbound traffic from `0.0.0.0/0` to port 3389 (RDP)",
            ]
        );
    }

    #[test]
    fn an_earlier_deny_of_the_same_group_closes_the_port() {
        let text = [
            GROUP,
            &rule("deny_ssh", 100, "Deny", "Internet", "22"),
            &rule("allow_admin", 200, "Allow", "*", "22"),
            &rule("allow_both", 210, "Allow", "*", "20-3400"),
            // A later deny does not close anything.
            &rule("allow_rdp", 300, "Allow", "*", "3389"),
            &rule("deny_rdp", 400, "Deny", "*", "3389"),
        ]
        .concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("azurerm_network_security_rule.allow_admin"), Some(CheckResult::Pass));
        assert_eq!(found.result("azurerm_network_security_rule.allow_both"), Some(CheckResult::Fail));
        assert_eq!(found.result("azurerm_network_security_rule.allow_rdp"), Some(CheckResult::Fail));
        assert!(
            found.findings.iter().any(|f| f.message.ends_with("allow_both` allows inbound traffic from `*` to port 3389 (RDP)")),
            "{:?}",
            found.findings
        );
    }

    #[test]
    fn a_deny_in_another_group_does_not_count() {
        let other = rule("deny_elsewhere", 100, "Deny", "*", "*")
            .replace("azurerm_network_security_group.app.name", "\"nsg-other\"");
        let text = [GROUP, &other, &rule("allow_ssh", 200, "Allow", "*", "22")].concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("azurerm_network_security_rule.allow_ssh"), Some(CheckResult::Fail));
    }

    #[test]
    fn inline_rules_and_standalone_denies() {
        let text = format!(
            "{}{}",
            "resource \"azurerm_network_security_group\" \"app\" {\n  name = \"nsg-app\"\n  location = \"westeurope\"\n  resource_group_name = \"rg-app\"\n\n  security_rule {\n    name = \"ssh\"\n    priority = 200\n    direction = \"Inbound\"\n    access = \"Allow\"\n    protocol = \"*\"\n    source_port_range = \"*\"\n    destination_port_ranges = [\"22\", \"3389\"]\n    source_address_prefixes = [\"10.0.0.0/8\", \"0.0.0.0/0\"]\n    destination_address_prefix = \"*\"\n  }\n}\n\n",
            rule("deny_ssh", 100, "Deny", "*", "22").replace("\"Tcp\"", "\"*\""),
        );
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("azurerm_network_security_group.app"), Some(CheckResult::Fail));
        assert_eq!(found.lines(), [(14, Severity::Critical)]);
        assert_eq!(
            found.findings.first().map(|f| f.message.as_str()),
            Some("`azurerm_network_security_group.app` rule `ssh` allows inbound traffic from `0.0.0.0/0` to port 3389 (RDP)")
        );
    }

    #[test]
    fn unknowns_are_neither_pass_nor_fail() {
        let text = [
            GROUP,
            &rule("by_var", 100, "Allow", "*", "22").replace("\"22\"", "var.port"),
            &rule("source_var", 110, "Allow", "*", "22").replace("source_address_prefix = \"*\"", "source_address_prefix = var.source"),
            &rule("maybe_denied", 300, "Allow", "*", "3389"),
            &rule("deny_somewhere", 100, "Deny", "*", "*").replace("azurerm_network_security_group.app.name", "var.nsg"),
        ]
        .concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("azurerm_network_security_rule.by_var"), Some(CheckResult::Unknown));
        assert_eq!(found.result("azurerm_network_security_rule.source_var"), Some(CheckResult::Unknown));
        assert_eq!(found.result("azurerm_network_security_rule.maybe_denied"), Some(CheckResult::Unknown));
    }
}

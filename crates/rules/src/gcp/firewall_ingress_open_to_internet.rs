//! ## What it checks
//! VPC firewall rules (`google_compute_firewall`) that let the whole internet reach remote
//! administration or every port:
//! - the rule is an ingress rule (`direction` absent, which means `INGRESS`, or `INGRESS`) and
//!   is not `disabled`;
//! - its `source_ranges` include `0.0.0.0/0` or `::/0`, or it names no source at all (no
//!   `source_ranges`, `source_tags` or `source_service_accounts`): the provider documents a
//!   source as required for ingress rules, and Google Cloud applies `0.0.0.0/0` when none is
//!   given;
//! - an `allow` block opens every port: `protocol = "all"`, or `protocol = "tcp"` with `ports`
//!   omitted (which means every TCP port) or a range `0-65535`; or it opens port 22 (SSH) or
//!   3389 (RDP), alone or inside a range (`ports = ["20-30"]`).
//!
//! `deny` blocks, egress rules and other protocols (`udp`, `icmp`) are not reported. The
//! finding points at the open range in `source_ranges` (at the resource when the source is
//! implied). A direction, source, protocol or port that is not known statically (a variable,
//! a `dynamic` block) makes the result unknown. A native rule: ports are strings holding a
//! number or a range, which the policy language cannot compare with 22 and 3389.
//!
//! ## Why it matters (CC6.6, CC6.1)
//! An instance reachable from the internet on SSH or RDP, or on every port, is found by
//! scanners within minutes; only a password or a key stands between an attacker and a shell.
//! The boundary against outside threats is missing (CC6.6), and logical access is not limited
//! to authorised networks (CC6.1). The `default-allow-ssh` and `default-allow-rdp` rules of
//! the default network are exactly this pattern.
//!
//! ## Failing example
//! ```hcl
//! resource "google_compute_firewall" "ssh" {
//!   name          = "allow-ssh"
//!   network       = google_compute_network.main.name
//!   source_ranges = ["0.0.0.0/0"]
//!
//!   allow {
//!     protocol = "tcp"
//!     ports    = ["22"]
//!   }
//! }
//! ```
//!
//! ## Passing example
//! ```hcl
//! resource "google_compute_firewall" "ssh" {
//!   name          = "allow-ssh-from-iap"
//!   network       = google_compute_network.main.name
//!   source_ranges = ["35.235.240.0/20"] # Identity-Aware Proxy TCP forwarding
//!
//!   allow {
//!     protocol = "tcp"
//!     ports    = ["22"]
//!   }
//! }
//! ```
//!
//! ## Fix
//! Allow SSH and RDP only from Identity-Aware Proxy (`35.235.240.0/20`), a VPN or a bastion's
//! range, and list the ports a service needs instead of leaving `ports` out. Delete the
//! default network's `default-allow-ssh` and `default-allow-rdp` rules.

use std::net::IpAddr;

use crate::port_range::{ADMIN_PORTS, PortRange};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-GCP-001",
        name: "firewall-ingress-open-to-internet",
        title: "VPC firewall allows ingress from the internet to SSH, RDP or every port",
        severity: Severity::Critical,
        criteria: &["CC6.6", "CC6.1"],
        help: "Restrict `source_ranges` to known networks (IAP `35.235.240.0/20`, a VPN) and list \
               only the ports the service needs.",
        checkov: &["CKV_GCP_2", "CKV_GCP_3", "CKV2_GCP_12"],
        kics: &["c4dcdcdf-10dd-4bf4-b4a0-8f6239e6aaa0", "678fd659-96f2-454a-a2a0-c2571f83a4a3"],
        trivy: &["AVD-GCP-0027", "AVD-GCP-0070", "AVD-GCP-0071"],
        other: &[],
        bindings: &[(Target::Terraform, &["google_compute_firewall"])],
    }
}

/// Where the rule's traffic may come from.
enum Sources<'a> {
    /// Some listed ranges are the whole internet: each node with its text.
    Internet(Vec<(&'a Node, String)>),
    /// No source is named, so Google Cloud applies `0.0.0.0/0`.
    Implied,
    /// Only narrower ranges, tags or service accounts.
    Restricted,
    /// Not known statically.
    Unknown,
}

/// What the `allow` blocks open.
enum Opened {
    /// Descriptions of what is open to the sources.
    Open(Vec<String>),
    /// Nothing this rule reports.
    Harmless,
    /// Not known statically.
    Unknown,
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(body) = resource.body else { return };
    match body.get("direction") {
        None => {}
        Some(direction) if direction.is_unknown() => return out.unknown(),
        // EGRESS: the sources are the instances themselves.
        Some(direction) if !direction.as_str().is_some_and(|d| d.trim().eq_ignore_ascii_case("INGRESS")) => return,
        Some(_) => {}
    }
    match body.get("disabled") {
        Some(disabled) if disabled.is_unknown() => return out.unknown(),
        Some(disabled) if disabled.as_bool() == Some(true) => return,
        _ => {}
    }
    let sources = sources(body);
    if matches!(sources, Sources::Restricted) {
        return;
    }
    let opened = match opened(body) {
        Opened::Harmless => return,
        Opened::Unknown => return out.unknown(),
        Opened::Open(what) => what.join("; "),
    };
    match sources {
        Sources::Internet(ranges) => {
            for (node, range) in ranges {
                out.fail(node.span, format!("`{}` allows ingress from {range} to {opened}", resource.address));
            }
        }
        Sources::Implied => {
            out.fail(
                resource.span,
                format!(
                    "`{}` names no source (`source_ranges`, `source_tags` or `source_service_accounts`), \
                     so it allows ingress from 0.0.0.0/0 to {opened}",
                    resource.address
                ),
            );
        }
        Sources::Unknown => out.unknown(),
        Sources::Restricted => {}
    }
}

/// A zero-length prefix: `0.0.0.0/0`, `::/0` and their other spellings.
fn is_internet(cidr: &str) -> bool {
    let Some((address, prefix)) = cidr.trim().split_once('/') else { return false };
    prefix.trim().parse::<u8>() == Ok(0) && address.trim().parse::<IpAddr>().is_ok()
}

/// Whether an optional list attribute names something (an expression might).
fn names_some(node: Option<&Node>) -> Option<bool> {
    match node {
        None => Some(false),
        Some(n) if n.is_unknown() => None,
        Some(n) => Some(!n.items().is_empty()),
    }
}

fn sources(body: &Node) -> Sources<'_> {
    let ranges = body.get("source_ranges");
    match names_some(ranges) {
        None => return Sources::Unknown,
        Some(false) => {
            // Without any source the API applies 0.0.0.0/0; tags or service accounts alone
            // limit the sources to instances of the network.
            return match (names_some(body.get("source_tags")), names_some(body.get("source_service_accounts"))) {
                (Some(true), _) | (_, Some(true)) => Sources::Restricted,
                (Some(false), Some(false)) => Sources::Implied,
                _ => Sources::Unknown,
            };
        }
        Some(true) => {}
    }
    let mut open = Vec::new();
    let mut unknown = false;
    for range in ranges.map(Node::items).unwrap_or_default() {
        match range.as_str() {
            Some(text) if is_internet(text) => open.push((range, text.trim().to_string())),
            Some(_) => {}
            None => unknown |= range.is_unknown(),
        }
    }
    match (open.is_empty(), unknown) {
        (false, _) => Sources::Internet(open),
        (true, true) => Sources::Unknown,
        (true, false) => Sources::Restricted,
    }
}

fn opened(body: &Node) -> Opened {
    let Some(allows) = body.get("allow") else { return Opened::Harmless };
    if allows.is_unknown() {
        return Opened::Unknown;
    }
    let mut open: Vec<String> = Vec::new();
    let mut unknown = false;
    for allow in allows.items() {
        match allow_opens(allow) {
            Opened::Open(what) => {
                for item in what {
                    if !open.contains(&item) {
                        open.push(item);
                    }
                }
            }
            Opened::Unknown => unknown = true,
            Opened::Harmless => {}
        }
    }
    match (open.is_empty(), unknown) {
        (false, _) => Opened::Open(open),
        (true, true) => Opened::Unknown,
        (true, false) => Opened::Harmless,
    }
}

/// What one `allow { protocol, ports }` block opens.
fn allow_opens(allow: &Node) -> Opened {
    if allow.is_unknown() {
        return Opened::Unknown;
    }
    let Some(protocol) = allow.get("protocol") else { return Opened::Unknown };
    if protocol.is_unknown() {
        return Opened::Unknown;
    }
    let Some(protocol) = protocol.scalar_text().map(|p| p.trim().to_ascii_lowercase()) else {
        return Opened::Unknown;
    };
    match protocol.as_str() {
        "all" => return Opened::Open(vec!["every port (protocol `all`)".into()]),
        "tcp" | "6" => {}
        // UDP, ICMP, ESP, ...: no SSH or RDP service listens there.
        _ => return Opened::Harmless,
    }
    let ports = allow.get("ports");
    match names_some(ports) {
        None => return Opened::Unknown,
        Some(false) => return Opened::Open(vec!["every TCP port (protocol `tcp` with no `ports`)".into()]),
        Some(true) => {}
    }
    let mut open = Vec::new();
    let mut unknown = false;
    for port in ports.map(Node::items).unwrap_or_default() {
        let Some(text) = port.scalar_text() else {
            unknown |= port.is_unknown();
            continue;
        };
        let Some(range) = PortRange::parse(&text) else { continue };
        if range.is_every_port() {
            open.push(format!("every TCP port (`{}`)", text.trim()));
            continue;
        }
        for (admin, service) in ADMIN_PORTS {
            if range.covers(admin) {
                let within = if range.low == range.high { String::new() } else { format!(" (range `{}`)", text.trim()) };
                open.push(format!("port {admin} ({service}){within}"));
            }
        }
    }
    match (open.is_empty(), unknown) {
        (false, _) => Opened::Open(open),
        (true, true) => Opened::Unknown,
        (true, false) => Opened::Harmless,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run;
    use trustlint_engine::rule::CheckResult;

    fn firewall(name: &str, attributes: &str) -> String {
        format!("resource \"google_compute_firewall\" \"{name}\" {{\n  network = \"default\"\n{attributes}}}\n\n")
    }

    #[test]
    fn internet_cidrs() {
        assert!(is_internet("0.0.0.0/0"));
        assert!(is_internet("::/0"));
        assert!(is_internet(" 0::0/0 "));
        assert!(!is_internet("0.0.0.0/1"));
        assert!(!is_internet("10.0.0.0/8"));
        assert!(!is_internet("0.0.0.0"));
    }

    #[test]
    fn ports_and_protocols() {
        let text = [
            firewall("ssh", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"tcp\"\n    ports = [\"22\"]\n  }\n"),
            firewall("all", "  source_ranges = [\"::/0\"]\n  allow {\n    protocol = \"all\"\n  }\n"),
            firewall("tcp_no_ports", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"tcp\"\n  }\n"),
            firewall("range", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"6\"\n    ports = [\"80\", \"3000-3400\"]\n  }\n"),
            firewall("web", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"tcp\"\n    ports = [\"80\", \"443\"]\n  }\n"),
            firewall("udp", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"udp\"\n  }\n"),
            firewall("numbers", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"tcp\"\n    ports = [3389]\n  }\n"),
        ]
        .concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("google_compute_firewall.ssh"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_compute_firewall.all"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_compute_firewall.tcp_no_ports"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_compute_firewall.range"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_compute_firewall.web"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_compute_firewall.udp"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_compute_firewall.numbers"), Some(CheckResult::Fail));
        let messages: Vec<&str> = found.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(messages.contains(&"`google_compute_firewall.ssh` allows ingress from 0.0.0.0/0 to port 22 (SSH)"));
        assert!(messages.contains(&"`google_compute_firewall.all` allows ingress from ::/0 to every port (protocol `all`)"));
        assert!(messages.iter().any(|m| m.contains("every TCP port (protocol `tcp` with no `ports`)")));
        assert!(messages.iter().any(|m| m.ends_with("to port 3389 (RDP)")));
        assert!(messages.iter().any(|m| m.ends_with("to port 3389 (RDP) (range `3000-3400`)")));
        assert!(found.findings.iter().all(|f| f.severity == Severity::Critical));
    }

    #[test]
    fn direction_disabled_and_sources() {
        let text = [
            firewall("egress", "  direction = \"EGRESS\"\n  destination_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"all\"\n  }\n"),
            firewall("off", "  disabled = true\n  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"all\"\n  }\n"),
            firewall("implied", "  allow {\n    protocol = \"tcp\"\n    ports = [\"22\"]\n  }\n"),
            firewall("tags", "  source_tags = [\"bastion\"]\n  allow {\n    protocol = \"tcp\"\n    ports = [\"22\"]\n  }\n"),
            firewall("office", "  source_ranges = [\"203.0.113.0/24\"]\n  allow {\n    protocol = \"all\"\n  }\n"),
        ]
        .concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        assert_eq!(found.result("google_compute_firewall.egress"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_compute_firewall.off"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_compute_firewall.implied"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_compute_firewall.tags"), Some(CheckResult::Pass));
        assert_eq!(found.result("google_compute_firewall.office"), Some(CheckResult::Pass));
        assert_eq!(found.lines(), [(19, Severity::Critical)]);
    }

    #[test]
    fn unknowns_are_neither_pass_nor_fail() {
        let text = [
            firewall("ranges", "  source_ranges = var.ranges\n  allow {\n    protocol = \"tcp\"\n    ports = [\"22\"]\n  }\n"),
            firewall("ports", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"tcp\"\n    ports = var.ports\n  }\n"),
            firewall("direction", "  direction = var.direction\n  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"all\"\n  }\n"),
            firewall(
                "dynamic",
                "  source_ranges = [\"0.0.0.0/0\"]\n  dynamic \"allow\" {\n    for_each = var.rules\n    content {\n      protocol = allow.value.protocol\n      ports = allow.value.ports\n    }\n  }\n",
            ),
            // A known open port decides even when another item is unknown.
            firewall("mixed", "  source_ranges = [\"0.0.0.0/0\"]\n  allow {\n    protocol = \"tcp\"\n    ports = [var.port, \"3389\"]\n  }\n"),
            // An unknown port does not matter when the source is restricted.
            firewall("restricted", "  source_ranges = [\"10.0.0.0/8\"]\n  allow {\n    protocol = \"tcp\"\n    ports = var.ports\n  }\n"),
        ]
        .concat();
        let found = run(meta, check, &[("main.tf", &text)]);
        for name in ["ranges", "ports", "direction", "dynamic"] {
            assert_eq!(found.result(&format!("google_compute_firewall.{name}")), Some(CheckResult::Unknown), "{name}");
        }
        assert_eq!(found.result("google_compute_firewall.mixed"), Some(CheckResult::Fail));
        assert_eq!(found.result("google_compute_firewall.restricted"), Some(CheckResult::Pass));
    }
}

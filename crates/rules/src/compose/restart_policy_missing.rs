//! ## What it checks
//! Every compose service for a restart policy that brings it back after a crash or a host
//! reboot. The service passes when either
//! - `restart` is `always`, `unless-stopped` or `on-failure` (`on-failure:5` too); or
//! - `deploy.restart_policy.condition` is `any` or `on-failure`; a `restart_policy` block
//!   without `condition` counts, because its default is `any`.
//!
//! `restart` absent means `no` (the Compose default): the finding points at the service's
//! name; an explicit `restart: "no"` is pointed at.
//!
//! Exempt: one-shot services, that is those another service of the file waits for with
//! `depends_on: {<service>: {condition: service_completed_successfully}}` (migrations, seed
//! jobs): they are meant to exit. A setting inherited through `extends` from a service of the
//! same file counts; `extends` from another file, a value written with a variable that has no
//! default (`restart: ${RESTART}`), and a service entry with neither `image`, `build` nor
//! `extends` (a fragment completed by another file) are unknown. Override files are merged
//! into their base file before the rule runs, so a restart policy an override adds counts.
//!
//! This rule is native because it follows the `depends_on` graph between services and
//! `extends`, which the policy language cannot express.
//!
//! ## Why it matters (A1.2)
//! A container without a restart policy stays down after its process crashes or the Docker
//! host restarts, until someone notices and starts it by hand. A restart policy is the
//! simplest recovery mechanism Compose offers, part of the environmental protections and
//! recovery infrastructure A1.2 asks for.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   api:
//!     image: example/api:1.4.2
//!   worker:
//!     image: example/worker:1.4.2
//!     restart: "no"
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   api:
//!     image: example/api:1.4.2
//!     restart: unless-stopped
//!     depends_on:
//!       migrate:
//!         condition: service_completed_successfully
//!   migrate:
//!     image: example/api:1.4.2
//!     command: ["migrate", "up"]
//! ```
//!
//! ## Fix
//! Add `restart: unless-stopped` (or `on-failure:5` for batch-like services) to long-running
//! services; under Swarm, set `deploy.restart_policy.condition: any`.

use crate::compose_services::{Lookup, dependents, effective, interpolate, is_fragment, name, services};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-COMPOSE-003",
        name: "restart-policy-missing",
        title: "Service has no restart policy",
        severity: Severity::Low,
        criteria: &["A1.2"],
        help: "Add `restart: unless-stopped` (or `on-failure[:N]`) to long-running services.",
        checkov: &[],
        kics: &["2fc99041-ddad-49d5-853f-e35e70a48391"],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Compose, &["service"])],
    }
}

/// What a setting says about restarting.
enum Verdict {
    Restarts,
    DoesNot,
    Unknown,
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(service) = resource.body else { return };
    if !matches!(service.value, Value::Map(_)) {
        return;
    }
    let all = services(resource, file);
    if !dependents(all, name(resource), "service_completed_successfully").is_empty() {
        return;
    }
    let restart = effective(all, service, "restart");
    let deploy = effective(all, service, "deploy");
    let restart_verdict = match restart {
        Lookup::Found(node) => judge_restart(node),
        Lookup::Absent => Verdict::DoesNot,
        Lookup::Unknown => Verdict::Unknown,
    };
    let deploy_verdict = match deploy {
        Lookup::Found(node) => judge_deploy(node),
        Lookup::Absent => Verdict::DoesNot,
        Lookup::Unknown => Verdict::Unknown,
    };
    match (restart_verdict, deploy_verdict) {
        (Verdict::Restarts, _) | (_, Verdict::Restarts) => {}
        (Verdict::Unknown, _) | (_, Verdict::Unknown) => out.unknown(),
        (Verdict::DoesNot, Verdict::DoesNot) => {
            if is_fragment(service) {
                out.unknown();
                return;
            }
            match restart {
                // Point at an explicit `restart: "no"` written on this service.
                Lookup::Found(node) if service.get("restart").is_some() => {
                    let value = node.scalar_text().unwrap_or_default();
                    out.fail(node.span, format!("`{}` sets `restart: {value}`: it stays down after a crash or reboot", resource.address));
                }
                _ => {
                    out.fail(
                        resource.span,
                        format!("`{}` has no restart policy (default `no`): it stays down after a crash or reboot", resource.address),
                    );
                }
            }
        }
    }
}

fn judge_restart(node: &Node) -> Verdict {
    let Some(text) = node.scalar_text() else { return Verdict::Unknown };
    let Some(value) = interpolate(&text) else { return Verdict::Unknown };
    let value = value.trim().to_ascii_lowercase();
    if value == "always" || value == "unless-stopped" || value == "on-failure" || value.starts_with("on-failure:") {
        Verdict::Restarts
    } else {
        Verdict::DoesNot
    }
}

fn judge_deploy(deploy: &Node) -> Verdict {
    let Some(policy) = deploy.get("restart_policy") else { return Verdict::DoesNot };
    if !matches!(policy.value, Value::Map(_)) {
        return Verdict::DoesNot;
    }
    // The default condition of a restart_policy block is `any`.
    let Some(condition) = policy.get("condition") else { return Verdict::Restarts };
    let Some(text) = condition.scalar_text() else { return Verdict::Unknown };
    match interpolate(&text).map(|v| v.trim().to_ascii_lowercase()) {
        Some(v) if v == "any" || v == "on-failure" => Verdict::Restarts,
        Some(_) => Verdict::DoesNot,
        None => Verdict::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::compose::resources;
    use trustlint_engine::parse::yaml::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    /// Result per service, and the line of each finding.
    fn run(text: &str) -> (Vec<(String, CheckResult)>, Vec<usize>) {
        let source = SourceFile::new("compose.yaml", text);
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut results = Vec::new();
        let mut lines = Vec::new();
        for resource in resources(syntax.documents()) {
            let mut out = Outcome::default();
            check(&resource, &file, &mut out);
            results.push((resource.address.clone(), out.result()));
            lines.extend(out.violations.iter().map(|v| source.location(v.span.start).line));
        }
        (results, lines)
    }

    fn results(text: &str) -> Vec<CheckResult> {
        run(text).0.into_iter().map(|(_, r)| r).collect()
    }

    #[test]
    fn restart_values() {
        for value in ["always", "unless-stopped", "on-failure", "on-failure:5", "\"${RESTART:-always}\""] {
            let text = format!("services:\n  a:\n    image: x:1\n    restart: {value}\n");
            assert_eq!(results(&text), vec![CheckResult::Pass], "{value}");
        }
        let (_, lines) = run("services:\n  a:\n    image: x:1\n    restart: \"no\"\n");
        assert_eq!(lines, vec![4]);
        let (_, lines) = run("services:\n  a:\n    image: x:1\n");
        assert_eq!(lines, vec![2]);
        assert_eq!(results("services:\n  a:\n    image: x:1\n    restart: ${RESTART}\n"), vec![CheckResult::Unknown]);
    }

    #[test]
    fn deploy_restart_policy() {
        let any = "services:\n  a:\n    image: x:1\n    deploy:\n      restart_policy:\n        condition: any\n";
        assert_eq!(results(any), vec![CheckResult::Pass]);
        let default = "services:\n  a:\n    image: x:1\n    deploy:\n      restart_policy:\n        max_attempts: 3\n";
        assert_eq!(results(default), vec![CheckResult::Pass]);
        let none = "services:\n  a:\n    image: x:1\n    deploy:\n      restart_policy:\n        condition: none\n";
        assert_eq!(run(none).1, vec![2]);
        let replicas = "services:\n  a:\n    image: x:1\n    deploy:\n      replicas: 2\n";
        assert_eq!(run(replicas).1, vec![2]);
    }

    #[test]
    fn one_shot_services_are_exempt() {
        let text = "services:\n  api:\n    image: x:1\n    restart: always\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n      db:\n        condition: service_started\n  migrate:\n    image: x:1\n  db:\n    image: postgres:16\n";
        let (found, lines) = run(text);
        assert_eq!(found[1], ("services.migrate".to_string(), CheckResult::Pass));
        assert_eq!(lines, vec![12]);
    }

    #[test]
    fn extends_and_fragments() {
        let same_file = "services:\n  base:\n    image: x:1\n    restart: always\n  web:\n    extends: base\n  job:\n    extends:\n      service: base\n";
        assert_eq!(results(same_file), vec![CheckResult::Pass; 3]);
        let other_file = "services:\n  web:\n    extends:\n      file: common.yml\n      service: base\n";
        assert_eq!(results(other_file), vec![CheckResult::Unknown]);
        let fragment = "services:\n  web:\n    environment:\n      DEBUG: \"1\"\n";
        assert_eq!(results(fragment), vec![CheckResult::Unknown]);
        let cycle = "services:\n  a:\n    image: x:1\n    extends: b\n  b:\n    extends: a\n";
        assert_eq!(results(cycle), vec![CheckResult::Unknown, CheckResult::Unknown]);
    }
}

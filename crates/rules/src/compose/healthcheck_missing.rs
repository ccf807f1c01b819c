//! ## What it checks
//! Every compose service for a health check:
//! - `healthcheck: {disable: true}` or `test: ["NONE"]` fails at that value: it switches off
//!   the check even when the image defines one;
//! - no `healthcheck` fails at the service's name when the service runs a registry image
//!   (`image:` without `build:`). When `build:` builds the image from a Dockerfile, that
//!   Dockerfile's `HEALTHCHECK` counts, and the engine does not yet join a compose file to the
//!   Dockerfile it builds: the result is unknown, never a guess;
//! - a service another service waits for with `depends_on: {<service>: {condition:
//!   service_healthy}}` and that has no health check at all is graded **high**: Compose
//!   refuses to start the dependent service.
//!
//! Exempt: one-shot services (those another service waits for with
//! `condition: service_completed_successfully`): they are expected to exit, so a health state
//! means nothing for them. A `healthcheck` inherited through `extends` from a service of the
//! same file counts; `extends` from another file and a service entry with neither `image`,
//! `build` nor `extends` (a fragment completed by another file) are unknown. Override files
//! are merged into their base file before the rule runs.
//!
//! This rule is native because it follows `depends_on` and `extends` between services.
//!
//! ## Why it matters (A1.2)
//! Without a health check Compose only knows that the process runs, not that it serves:
//! dependents start against a database that is still initialising, and a hung service is
//! never reported unhealthy. Health checks are part of the availability protections and
//! recovery mechanisms A1.2 asks for.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   api:
//!     image: example/api:1.4.2
//!     depends_on:
//!       db:
//!         condition: service_healthy
//!   db:
//!     image: postgres:16.3
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   api:
//!     image: example/api:1.4.2
//!     healthcheck:
//!       test: ["CMD", "wget", "-qO-", "http://localhost:8080/healthz"]
//!       interval: 30s
//!     depends_on:
//!       db:
//!         condition: service_healthy
//!   db:
//!     image: postgres:16.3
//!     healthcheck:
//!       test: ["CMD-SHELL", "pg_isready -U postgres"]
//!       interval: 10s
//! ```
//!
//! ## Fix
//! Add a `healthcheck` with a `test` that fails when the service cannot serve (`pg_isready`,
//! `redis-cli ping`, an HTTP `/healthz` request), or a `HEALTHCHECK` in the Dockerfile the
//! service builds; remove `disable: true`.

use crate::compose_services::{Lookup, dependents, effective, is_fragment, name, services};
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-COMPOSE-004",
        name: "healthcheck-missing",
        title: "Service has no health check",
        severity: Severity::Low,
        criteria: &["A1.2"],
        help: "Add a `healthcheck` with a `test` command that fails when the service cannot serve.",
        checkov: &[],
        kics: &["698ed579-b239-4f8f-a388-baa4bcb13ef8"],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Compose, &["service"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(service) = resource.body else { return };
    if !matches!(service.value, Value::Map(_)) {
        return;
    }
    let all = services(resource, file);
    let own = name(resource);
    if !dependents(all, own, "service_completed_successfully").is_empty() {
        return;
    }
    let waiting = dependents(all, own, "service_healthy");
    match effective(all, service, "healthcheck") {
        Lookup::Found(healthcheck) => judge(resource, healthcheck, &waiting, out),
        Lookup::Unknown => out.unknown(),
        Lookup::Absent => {
            if is_fragment(service) {
                out.unknown();
                return;
            }
            // The image may bring its own HEALTHCHECK when it is built from a Dockerfile here.
            if !matches!(effective(all, service, "build"), Lookup::Absent) {
                out.unknown();
                return;
            }
            match waiting.first() {
                Some((dependent, _)) => {
                    out.fail(
                        resource.span,
                        format!(
                            "`{}` has no healthcheck, but `{dependent}` waits for it with `condition: service_healthy`: Compose will not start `{dependent}`",
                            resource.address
                        ),
                    )
                    .severity(Severity::High);
                }
                None => {
                    out.fail(resource.span, format!("`{}` has no healthcheck", resource.address));
                }
            }
        }
    }
}

/// Judge a `healthcheck` block that is present.
fn judge(resource: &Resource<'_>, healthcheck: &Node, waiting: &[(&str, &Node)], out: &mut Outcome) {
    let disabled = healthcheck.get("disable").filter(|d| d.as_bool() == Some(true));
    let none_test = healthcheck.get("test").filter(|test| match &test.value {
        Value::String(s) => s.trim().eq_ignore_ascii_case("NONE"),
        Value::List(items) => items.first().and_then(Node::as_str).is_some_and(|s| s.trim() == "NONE"),
        _ => false,
    });
    let Some(off) = disabled.or(none_test) else { return };
    match waiting.first() {
        Some((dependent, _)) => {
            out.fail(
                off.span,
                format!(
                    "`{}` disables its healthcheck, but `{dependent}` waits for it with `condition: service_healthy`",
                    resource.address
                ),
            )
            .severity(Severity::High);
        }
        None => {
            out.fail(off.span, format!("`{}` disables its healthcheck", resource.address));
        }
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::compose::resources;
    use trustlint_engine::parse::yaml::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    /// Result per service, and (line, severity override) of each finding.
    fn run(text: &str) -> (Vec<CheckResult>, Vec<(usize, Option<Severity>)>) {
        let source = SourceFile::new("compose.yaml", text);
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let mut results = Vec::new();
        let mut found = Vec::new();
        for resource in resources(syntax.documents()) {
            let mut out = Outcome::default();
            check(&resource, &file, &mut out);
            results.push(out.result());
            found.extend(out.violations.iter().map(|v| (source.location(v.span.start).line, v.severity)));
        }
        (results, found)
    }

    #[test]
    fn registry_images_need_a_healthcheck() {
        assert_eq!(run("services:\n  db:\n    image: postgres:16\n").1, vec![(2, None)]);
        let ok = "services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n";
        assert_eq!(run(ok).0, vec![CheckResult::Pass]);
    }

    #[test]
    fn disabled_checks_fail_where_written() {
        let disable = "services:\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\n";
        assert_eq!(run(disable).1, vec![(5, None)]);
        let none = "services:\n  db:\n    build: .\n    healthcheck:\n      test: [\"NONE\"]\n";
        assert_eq!(run(none).1, vec![(5, None)]);
        let none_string = "services:\n  db:\n    image: x:1\n    healthcheck:\n      test: NONE\n";
        assert_eq!(run(none_string).1, vec![(5, None)]);
    }

    #[test]
    fn built_images_are_unknown() {
        assert_eq!(run("services:\n  api:\n    build: ./api\n").0, vec![CheckResult::Unknown]);
        assert_eq!(run("services:\n  api:\n    build:\n      context: .\n    image: acme/api:1\n").0, vec![
            CheckResult::Unknown
        ]);
    }

    #[test]
    fn service_healthy_without_a_check_is_high() {
        let text = "services:\n  api:\n    image: a:1\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n";
        assert_eq!(run(text).1, vec![(9, Some(Severity::High))]);
        let disabled = "services:\n  api:\n    image: a:1\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    depends_on: {db: {condition: service_healthy}}\n  db:\n    image: postgres:16\n    healthcheck: {disable: true}\n";
        assert_eq!(run(disabled).1, vec![(8, Some(Severity::High))]);
    }

    #[test]
    fn one_shot_extends_and_fragments() {
        let one_shot = "services:\n  api:\n    image: a:1\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n  migrate:\n    image: a:1\n";
        assert_eq!(run(one_shot).0, vec![CheckResult::Pass, CheckResult::Pass]);
        let extends = "services:\n  base:\n    image: a:1\n    healthcheck: {test: [\"CMD\", \"true\"]}\n  web:\n    extends: base\n";
        assert_eq!(run(extends).0, vec![CheckResult::Pass, CheckResult::Pass]);
        assert_eq!(run("services:\n  web:\n    ports: [\"80:80\"]\n").0, vec![CheckResult::Unknown]);
    }
}

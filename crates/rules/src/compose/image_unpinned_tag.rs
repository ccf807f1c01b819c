//! ## What it checks
//! Every compose service's `image`: one with no tag (`image: redis`, which Docker pulls as
//! `:latest`) or with the tag `latest` fails. A digest (`@sha256:...`) pins the content and
//! passes whatever the tag says.
//!
//! Not judged: a service with `build:` (there `image:` only names what the build produces; the
//! Dockerfile's base images are judged by TL-DOCKER-004), and a service without `image`.
//! Variables are interpolated as Compose does when they are unset: `${TAG:-latest}` is read as
//! `latest`; a reference without a default (`${TAG}`, `$TAG`) makes the result unknown.
//!
//! This rule is native because it needs Compose interpolation and the image reference grammar
//! (a registry port is not a tag: `registry:5000/app` has no tag).
//!
//! ## Why it matters (A1.2, CC8.1)
//! `latest` moves: `docker compose pull` or a new host brings in whatever was pushed last,
//! possibly a new major version, and going back to the previous state is guesswork. An
//! explicit version makes the deployment reproducible (A1.2) and an upgrade a reviewed change
//! (CC8.1).
//!
//! ## Failing example
//! ```yaml
//! services:
//!   cache:
//!     image: redis
//!   proxy:
//!     image: nginx:latest
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   cache:
//!     image: redis:7.2.5-alpine
//!   proxy:
//!     image: nginx:1.27.0@sha256:0f04e4f646a3f14bf31d8bc8d885b6c951fdcf42589d06845f64d18aec6a3c4d
//!   api:
//!     build: ./api
//!     image: registry.example.com/api
//! ```
//!
//! ## Fix
//! Name an explicit version tag (`postgres:16.3-alpine`), and pin the digest as well where the
//! deployment must be exactly reproducible.

use trustlint_engine::image::ImageRef;

use crate::compose_services::interpolate;
use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-COMPOSE-005",
        name: "image-unpinned-tag",
        title: "Service image has no tag or uses `latest`",
        severity: Severity::Medium,
        criteria: &["A1.2", "CC8.1"],
        help: "Give the image an explicit version tag (`postgres:16.3-alpine`), or pin it by digest.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Compose, &["service"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(service) = resource.body else { return };
    if service.get("build").is_some() {
        return;
    }
    let Some(image) = service.get("image") else { return };
    let Some(written) = image.scalar_text() else {
        out.unknown();
        return;
    };
    let Some(resolved) = interpolate(&written) else {
        out.unknown();
        return;
    };
    let reference = ImageRef::parse(&resolved);
    if reference.repository.is_empty() {
        return;
    }
    if reference.digest.is_some() {
        return;
    }
    let from_default = if resolved == written.as_ref() { "" } else { " (a variable's default)" };
    match reference.tag.as_deref() {
        None => {
            out.fail(
                image.span,
                format!("`{}` runs `{resolved}`{from_default} with no tag: it pulls `latest`, which moves", resource.address),
            );
        }
        Some(tag) if tag.eq_ignore_ascii_case("latest") => {
            out.fail(image.span, format!("`{}` runs `{resolved}`{from_default}: `latest` moves", resource.address));
        }
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::model::compose::resources;
    use trustlint_engine::parse::yaml::parse;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    fn result(image_line: &str) -> CheckResult {
        let text = format!("services:\n  app:\n{image_line}");
        let source = SourceFile::new("compose.yaml", text.as_str());
        let Ok(stream) = parse(&source.text) else { panic!("parse failed") };
        let syntax = Syntax::Yaml(stream);
        let file = FileContext { source: &source, syntax: &syntax, scope: &Default::default() };
        let resources = resources(syntax.documents());
        let Some(resource) = resources.first() else { panic!("no service") };
        let mut out = Outcome::default();
        check(resource, &file, &mut out);
        if let Some(v) = out.violations.first() {
            assert_eq!(source.location(v.span.start).line, 3, "points at the image");
        }
        out.result()
    }

    #[test]
    fn tags() {
        assert_eq!(result("    image: redis\n"), CheckResult::Fail);
        assert_eq!(result("    image: nginx:latest\n"), CheckResult::Fail);
        assert_eq!(result("    image: registry.example.com:5000/team/app\n"), CheckResult::Fail);
        assert_eq!(result("    image: redis:7.2\n"), CheckResult::Pass);
        assert_eq!(result("    image: registry.example.com:5000/team/app:1.0\n"), CheckResult::Pass);
        assert_eq!(result("    image: redis@sha256:0f04e4f646a3f14bf31d8bc8d885b6c951fdcf42589d06845f64d18aec6a3c4d\n"), CheckResult::Pass);
    }

    #[test]
    fn interpolation() {
        assert_eq!(result("    image: \"app:${TAG:-latest}\"\n"), CheckResult::Fail);
        assert_eq!(result("    image: \"app:${TAG:-1.4}\"\n"), CheckResult::Pass);
        assert_eq!(result("    image: \"app:${TAG}\"\n"), CheckResult::Unknown);
        assert_eq!(result("    image: ${IMAGE}\n"), CheckResult::Unknown);
    }

    #[test]
    fn build_output_names_are_not_judged() {
        assert_eq!(result("    build: .\n    image: acme/app\n"), CheckResult::Pass);
        assert_eq!(result("    command: [\"x\"]\n"), CheckResult::Pass);
    }
}

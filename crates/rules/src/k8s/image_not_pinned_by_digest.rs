//! ## What it checks
//! The `image` of every container of a workload (`containers`, `initContainers`,
//! `ephemeralContainers`, in a Pod or in the pod template of a Deployment, StatefulSet,
//! DaemonSet, ReplicaSet, ReplicationController, Job or CronJob): a reference without a
//! digest (`@sha256:...`) fails, whatever its tag.
//!
//! A Kustomize `images:` entry evaluated with the manifests (a `Kustomization` object of the
//! same directory, Kustomize's `images` or Flux's `spec.images`) that gives the image a
//! `digest` pins it: the rendered manifest carries the digest. References built from
//! variables (`$(IMAGE)`, `${REGISTRY}/app`) are not known statically and count as unknown.
//!
//! This rule is native because the Kustomize entry must match the container's image by name,
//! which a policy condition cannot compare.
//!
//! ## Why it matters (PI1.2, CC8.1)
//! A tag is a pointer the registry lets anyone with push access move: `app:1.4.2` can be
//! re-pushed with different content, and a compromised registry or a mistaken CI job changes
//! what runs without a change to the manifest. A digest names the exact bytes that were
//! built, scanned and approved, so the input to the deployment is the one that was reviewed
//! (PI1.2) and every change to it goes through a change to the repository (CC8.1).
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: api
//!     image: registry.example.com/api:2.3.4
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: api
//!     image: registry.example.com/api:2.3.4@sha256:0f2f2e1b8c4d6a7e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6
//! ```
//!
//! ## Fix
//! Deploy `image: repo:tag@sha256:<digest>` (the tag stays for readers), or set `digest:` in
//! the Kustomize `images:` entry, and let a bot (Renovate, Dependabot) update digests.

use trustlint_engine::image::ImageRef;
use trustlint_engine::model::kubernetes;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-K8S-016",
        name: "image-not-pinned-by-digest",
        title: "Container image is not pinned by digest",
        severity: Severity::Low,
        criteria: &["PI1.2", "CC8.1"],
        help: "Reference the image by digest: `image: repo:tag@sha256:<digest>` (or a Kustomize `images[].digest`).",
        checkov: &["CKV_K8S_43"],
        kics: &["7c81d34c-8e5a-402b-9798-9f442630e678"],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Kubernetes, &["@workload"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let Some(pod) = resource.pod_spec else { return };
    let overrides: Vec<&Node> = file
        .scope
        .of_kind(Target::Kubernetes, "Kustomization")
        .filter_map(|k| k.body)
        .flat_map(|body| {
            let images = body.get("images").or_else(|| body.get_path("spec.images"));
            images.map(Node::items).unwrap_or_default()
        })
        .collect();
    for container in kubernetes::containers(pod) {
        let Some(image) = container.get("image") else { continue };
        let Some(text) = image.as_str() else {
            if image.is_expr() || image.as_tagged().is_some() {
                out.unknown();
            }
            continue;
        };
        let reference = ImageRef::parse(text);
        if reference.is_variable() || text.contains("$(") {
            out.unknown();
            continue;
        }
        if reference.digest.is_some() || pinned_by_kustomize(&reference, &overrides) {
            continue;
        }
        let name = container.get("name").and_then(Node::as_str).unwrap_or("?");
        out.fail(
            image.span,
            format!("container `{name}` of `{}` runs `{}` without a digest", resource.address, text.trim()),
        );
    }
}

/// Whether a Kustomize `images:` entry for this image (matched by name, registry included)
/// sets a digest.
fn pinned_by_kustomize(reference: &ImageRef, overrides: &[&Node]) -> bool {
    let name = match &reference.registry {
        Some(registry) => format!("{registry}/{}", reference.repository),
        None => reference.repository.clone(),
    };
    overrides.iter().any(|entry| {
        entry.get("name").and_then(Node::as_str) == Some(name.as_str())
            && entry.get("digest").and_then(Node::as_str).is_some_and(|d| !d.trim().is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustlint_engine::SourceFile;
    use trustlint_engine::parse::yaml;
    use trustlint_engine::rule::{CheckResult, Scope};

    fn run(text: &str) -> (CheckResult, Vec<String>) {
        let stream = yaml::parse(text).expect("parses");
        let resources = kubernetes::resources(&stream.documents);
        let scope = Scope::new(&resources);
        let source = SourceFile::new("k8s.yaml", text);
        let syntax = Syntax::Text;
        let ctx = FileContext { source: &source, syntax: &syntax, scope: &scope };
        let mut out = Outcome::default();
        for r in resources.iter().filter(|r| r.pod_spec.is_some()) {
            check(r, &ctx, &mut out);
        }
        (out.result(), out.violations.iter().map(|v| source.slice(v.span).to_string()).collect())
    }

    const POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: 'busybox:1.36@sha256:0f2f2e1b8c4d6a7e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6'}
  containers:
    - {name: app, image: registry.example.com/shop/app:1.2.0}
    - {name: proxy, image: envoyproxy/envoy:v1.31.2}
";

    #[test]
    fn tags_are_not_digests() {
        let (result, pointed) = run(POD);
        assert_eq!(result, CheckResult::Fail);
        assert_eq!(pointed, ["registry.example.com/shop/app:1.2.0", "envoyproxy/envoy:v1.31.2"]);
    }

    #[test]
    fn a_kustomize_digest_pins_the_image_it_names() {
        let text = format!(
            "{POD}---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: registry.example.com/shop/app
    digest: sha256:4c1e997385b8fb4ad4d1d3c7e5a1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3
  - name: envoyproxy/envoy
    newTag: v1.32.0
"
        );
        let (_, pointed) = run(&text);
        assert_eq!(pointed, ["envoyproxy/envoy:v1.31.2"]);
    }

    #[test]
    fn variables_are_unknown() {
        let (result, pointed) = run("apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: app, image: '${REGISTRY}/app:1.0'}
");
        assert_eq!(result, CheckResult::Unknown);
        assert!(pointed.is_empty());
    }
}

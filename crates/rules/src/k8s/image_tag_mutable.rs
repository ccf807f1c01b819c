//! ## What it checks
//! The `image` of every container of a workload (`containers`, `initContainers`,
//! `ephemeralContainers`, in a Pod or in the pod template of a Deployment, StatefulSet,
//! DaemonSet, ReplicaSet, ReplicationController, Job or CronJob): an image with no tag (which
//! means `:latest`) or with the tag `latest` fails. An image pinned by digest
//! (`app@sha256:...`) passes whatever its tag; pinning by digest is TL-K8S-016's concern.
//!
//! ## Why it matters (A1.2, CC8.1)
//! A mutable tag makes the deployed software depend on whatever was pushed last: a rollback
//! or a rescheduled pod can silently run different code, so recovery is not repeatable (A1.2)
//! and changes reach production without going through change management (CC8.1). `:latest`
//! also makes `imagePullPolicy` default to `Always`, so a registry outage stops pods from
//! starting.
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: web
//!     image: nginx
//!   - name: sidecar
//!     image: registry.example.com/proxy:latest
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: web
//!     image: nginx:1.27.2
//!   - name: sidecar
//!     image: registry.example.com/proxy@sha256:4c1e997385b8fb4ad4d1d3c7e5a1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3
//! ```
//!
//! ## Fix
//! Deploy an explicit, immutable version tag (or a digest), and let your release tooling
//! update it.

use trustlint_engine::image::ImageRef;
use trustlint_engine::model::kubernetes;

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-K8S-014",
        name: "image-tag-mutable",
        title: "Container image uses a mutable tag (none or `latest`)",
        severity: Severity::Medium,
        criteria: &["A1.2", "CC8.1"],
        help: "Use an explicit version tag (`image: app:1.4.2`) or a digest (`app@sha256:...`).",
        checkov: &["CKV_K8S_14"],
        kics: &["583053b7-e632-46f0-b989-f81ff8045385"],
        trivy: &["AVD-KSV-0013"],
        other: &[],
        bindings: &[(Target::Kubernetes, &["@workload"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(pod) = resource.pod_spec else { return };
    for container in kubernetes::containers(pod) {
        let Some(image) = container.get("image") else { continue };
        let Some(text) = image.as_str() else {
            if image.is_expr() || image.as_tagged().is_some() {
                out.unknown();
            }
            continue;
        };
        let reference = ImageRef::parse(text.trim());
        if reference.is_variable() {
            out.unknown();
            continue;
        }
        if reference.digest.is_some() {
            continue;
        }
        let name = container.get("name").and_then(Node::as_str).unwrap_or("?");
        match reference.tag.as_deref() {
            None => {
                out.fail(image.span, format!("container `{name}` runs `{text}` with no tag, which means `:latest`"));
            }
            Some("latest") => {
                out.fail(image.span, format!("container `{name}` runs the mutable tag `{text}`"));
            }
            Some(_) => {}
        }
    }
}

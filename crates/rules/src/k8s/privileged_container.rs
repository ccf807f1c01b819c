//! ## What it checks
//! Every container of a workload (`containers`, `initContainers`, `ephemeralContainers`, in a
//! Pod or in the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job or CronJob) for `securityContext.privileged: true`.
//!
//! ## Why it matters (CC6.1, CC6.8)
//! A privileged container has every capability and the host's devices: whoever runs code in
//! it controls the node and every workload on it. Logical access to the node is no longer
//! restricted (CC6.1) and malicious software in the image runs unconfined (CC6.8).
//!
//! ## Failing example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example.com/app:1.4.2
//!     securityContext:
//!       privileged: true
//! ```
//!
//! ## Passing example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example.com/app:1.4.2
//!     securityContext:
//!       privileged: false
//!       allowPrivilegeEscalation: false
//! ```
//!
//! ## Fix
//! Remove `privileged: true`; grant the one capability the process needs with
//! `capabilities.add` instead.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-K8S-001",
        name: "privileged-container",
        title: "Container runs privileged",
        severity: Severity::Critical,
        criteria: &["CC6.1", "CC6.8"],
        help: "Remove `securityContext.privileged: true`; add only the capabilities the process needs.",
        checkov: &["CKV_K8S_16"],
        kics: &["dd29336b-fe57-445b-a26e-e6aa867ae609"],
        trivy: &["AVD-KSV-0017"],
        other: &[],
        bindings: &[(Target::Kubernetes, &["@workload"])],
    }
}

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(pod) = resource.pod_spec else { return };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for container in pod.get(list).map(Node::items).unwrap_or_default() {
            let Some(flag) = container.get_path("securityContext.privileged") else { continue };
            match flag.as_bool() {
                Some(true) => {
                    let name = container.get("name").and_then(Node::as_str).unwrap_or("?");
                    out.fail(flag.span, format!("container `{name}` of `{}` runs privileged", resource.address));
                }
                Some(false) => {}
                None if flag.is_expr() => out.unknown(),
                None => {}
            }
        }
    }
}

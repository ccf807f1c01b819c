//! ## What it checks
//! Every compose service for a shared host namespace (`network_mode: host`, `pid: host`,
//! `ipc: host`, `userns_mode: host`) and for bind mounts of the Docker socket
//! (`/var/run/docker.sock`, `/run/docker.sock`) or of a sensitive host directory (`/`, `/etc`,
//! `/root`, `/boot`, `/proc`, `/sys`, `/dev`, `/usr`, `/lib`, `/bin`, `/sbin`, `/home`,
//! `/run`, `/var/run`, `/var/lib/docker`, `/var/lib/kubelet`), in the short (`src:dst[:mode]`)
//! and the long (`type: bind`, `source:`) volume syntax. Single files such as
//! `/etc/localtime:/etc/localtime:ro` are not sensitive directories and pass.
//!
//! ## Why it matters (CC6.1, CC6.6)
//! A container that shares the host's network, process or IPC namespace, or that can talk to
//! the Docker daemon, is no longer isolated: the Docker socket alone is root on the host.
//! The system boundary (CC6.6) and logical access to the host (CC6.1) are gone.
//!
//! ## Failing example
//! ```yaml
//! services:
//!   agent:
//!     image: example/agent:2.1
//!     network_mode: host
//!     volumes:
//!       - /var/run/docker.sock:/var/run/docker.sock
//! ```
//!
//! ## Passing example
//! ```yaml
//! services:
//!   agent:
//!     image: example/agent:2.1
//!     networks: [backend]
//!     volumes:
//!       - agent-data:/data
//! ```
//!
//! ## Fix
//! Use a user-defined network and published ports instead of the host namespaces; mount named
//! volumes or specific files instead of host directories; reach the Docker API through a
//! restricted proxy rather than the raw socket.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-COMPOSE-002",
        name: "host-namespace-or-docker-socket",
        title: "Service shares a host namespace or mounts the Docker socket",
        severity: Severity::High,
        criteria: &["CC6.1", "CC6.6"],
        help: "Drop `network_mode/pid/ipc/userns_mode: host`; mount named volumes, not the Docker socket or host system directories.",
        checkov: &[],
        kics: &[
            "071a71ff-f868-47a4-ac0b-3c59e4ab5443",
            "4f31dd9f-2cc3-4751-9b53-67e4af83dac0",
            "baa3890f-bed7-46f5-ab8f-1da8fc91c729",
            "d6355c88-1e8d-49e9-b2f2-f8a1ca12c75b",
            "1c1325ff-831d-43a1-973e-839ae57dfcc0",
        ],
        trivy: &[],
        other: &[],
        bindings: &[(Target::Compose, &["service"])],
    }
}

/// Host directories that expose the host when bind-mounted (exact match).
const SENSITIVE_DIRS: [&str; 13] =
    ["/", "/etc", "/root", "/boot", "/usr", "/lib", "/bin", "/sbin", "/home", "/run", "/var/run", "/var/lib/kubelet", "/dev"];

/// Host paths sensitive with everything below them.
const SENSITIVE_TREES: [&str; 4] = ["/proc", "/sys", "/var/lib/docker", "/dev"];

pub(crate) fn check(resource: &Resource<'_>, _file: &FileContext<'_>, out: &mut Outcome) {
    let Some(service) = resource.body else { return };
    for key in ["network_mode", "pid", "ipc", "userns_mode"] {
        if let Some(value) = service.get(key)
            && value.as_str().is_some_and(|v| v.trim() == "host")
        {
            out.fail(value.span, format!("`{}` shares the host's namespace (`{key}: host`)", resource.address));
        }
    }
    for volume in service.get("volumes").map(Node::items).unwrap_or_default() {
        let (source, span) = match &volume.value {
            Value::String(short) => {
                // `src:dst[:mode]`; a source without `/`, `.` or `~` is a named volume.
                let Some(src) = short_source(short) else { continue };
                (src.to_string(), volume.span)
            }
            Value::Map(_) => {
                let bind = volume.get("type").and_then(Node::as_str).is_none_or(|t| t == "bind");
                let Some(src) = volume.get("source").filter(|_| bind) else { continue };
                let Some(text) = src.as_str() else { continue };
                (text.to_string(), src.span)
            }
            _ => continue,
        };
        if let Some(why) = sensitive(&source) {
            out.fail(span, format!("`{}` mounts {why} from the host (`{source}`)", resource.address));
        }
    }
}

/// Why a bind-mount source is sensitive, if it is.
fn sensitive(source: &str) -> Option<&'static str> {
    let path = interpolation_default(source.trim());
    if path.ends_with("docker.sock") || path.ends_with("containerd.sock") || path.ends_with("podman.sock") {
        return Some("the container runtime's socket");
    }
    let normalised = match path.trim_end_matches('/') {
        "" if path.starts_with('/') => "/",
        p => p,
    };
    if SENSITIVE_DIRS.contains(&normalised) {
        return Some("a sensitive host directory");
    }
    let under = |root: &str| normalised == root || normalised.strip_prefix(root).is_some_and(|rest| rest.starts_with('/'));
    if SENSITIVE_TREES.iter().any(|root| under(root)) {
        return Some("a sensitive host path");
    }
    None
}

/// The source of a short-syntax volume (`src:dst[:mode]`), skipping colons inside `${...}`.
fn short_source(short: &str) -> Option<&str> {
    let mut depth = 0usize;
    let bytes = short.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => return short.get(..i),
            _ => {}
        }
    }
    None
}

/// `${VAR:-default}` / `${VAR-default}` read as its default, which is what runs when the
/// variable is unset; any other text is returned as is.
fn interpolation_default(source: &str) -> &str {
    let Some(inner) = source.strip_prefix("${").and_then(|s| s.strip_suffix('}')) else { return source };
    match inner.split_once(":-").or_else(|| inner.split_once('-')) {
        Some((_, default)) => default,
        None => source,
    }
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn short_syntax() {
        assert_eq!(super::short_source("/a:/b:ro"), Some("/a"));
        assert_eq!(super::short_source("${S:-/var/run/docker.sock}:/x"), Some("${S:-/var/run/docker.sock}"));
        assert_eq!(super::short_source("anonymous"), None);
    }

    #[test]
    fn sources() {
        assert!(sensitive("/var/run/docker.sock").is_some());
        assert!(sensitive("${DOCKER_HOST_SOCK:-/var/run/docker.sock}").is_some());
        assert!(sensitive("${DATA_DIR:-./data}").is_none());
        assert!(sensitive("/").is_some());
        assert!(sensitive("/etc/").is_some());
        assert!(sensitive("/proc/1/ns").is_some());
        assert!(sensitive("/etc/localtime").is_none());
        assert!(sensitive("./data").is_none());
        assert!(sensitive("db-data").is_none());
        assert!(sensitive("/srv/app").is_none());
        assert!(sensitive("/device").is_none());
    }
}

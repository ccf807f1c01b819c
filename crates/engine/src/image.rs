//! Container image references (`registry.example.com:5000/team/app:1.4@sha256:...`).
//!
//! The split follows the Docker reference grammar (`distribution/reference`):
//! `[registry/]repository[:tag][@digest]`. The first path component is a registry only when
//! the reference has a `/` and that component contains a `.` or a `:` (a port), is
//! `localhost`, or has an upper-case letter; otherwise it is part of a Docker Hub repository
//! (`library/alpine`, `bitnami/redis`). The tag is what follows the last `:` after the last
//! `/`, so `host:5000/app` has a registry with a port and no tag. Nothing is normalised:
//! Docker Hub references keep `registry: None` and no `library/` is added.
//!
//! References written with build arguments (`$BASE`, `${REGISTRY}/app:${TAG:-1.0}`) are
//! split without looking inside `${...}`, and [`ImageRef::is_variable`] says the result is not
//! known statically.
//!
//! ```
//! use trustlint_engine::image::ImageRef;
//! let r = ImageRef::parse("ghcr.io/acme/api:2.1@sha256:0123abcd");
//! assert_eq!(r.registry.as_deref(), Some("ghcr.io"));
//! assert_eq!(r.repository, "acme/api");
//! assert_eq!(r.tag.as_deref(), Some("2.1"));
//! assert_eq!(r.digest.as_deref(), Some("sha256:0123abcd"));
//! ```

/// An image reference split into its parts, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ImageRef {
    /// The registry host (with its port), when the reference names one.
    pub registry: Option<String>,
    /// The repository path (`alpine`, `library/alpine`, `acme/api`).
    pub repository: String,
    /// The tag after `:`, if any.
    pub tag: Option<String>,
    /// The digest after `@` (`sha256:...`), if any.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Split a reference; surrounding blanks are ignored. Parsing never fails: a malformed
    /// reference yields whatever parts it has.
    pub fn parse(reference: &str) -> ImageRef {
        let reference = reference.trim();
        let (name_tag, digest) = match find_outside_vars(reference, |c| c == '@', false) {
            Some(at) => (reference.get(..at).unwrap_or(""), reference.get(at + 1..).map(str::to_string)),
            None => (reference, None),
        };
        let last_slash = find_outside_vars(name_tag, |c| c == '/', true);
        let colon =
            find_outside_vars(name_tag, |c| c == ':', true).filter(|c| last_slash.is_none_or(|s| *c > s));
        let (name, tag) = match colon {
            Some(c) => (name_tag.get(..c).unwrap_or(""), name_tag.get(c + 1..).map(str::to_string)),
            None => (name_tag, None),
        };
        let (registry, repository) = match find_outside_vars(name, |c| c == '/', false) {
            Some(slash) => {
                let first = name.get(..slash).unwrap_or("");
                let is_registry = first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase());
                if is_registry && !first.contains('$') {
                    (Some(first.to_string()), name.get(slash + 1..).unwrap_or("").to_string())
                } else {
                    (None, name.to_string())
                }
            }
            None => (None, name.to_string()),
        };
        ImageRef { registry, repository, tag, digest }
    }

    /// Whether any part still holds a build-argument reference (`$VAR`, `${VAR}`): its real
    /// value is only known at build time.
    pub fn is_variable(&self) -> bool {
        self.registry.iter().chain(self.tag.iter()).chain(self.digest.iter()).any(|p| p.contains('$'))
            || self.repository.contains('$')
    }

    /// Whether this is `scratch`, Docker's reserved empty base image.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository == "scratch" && self.tag.is_none() && self.digest.is_none()
    }

    /// Registry and repository without tag or digest (`ghcr.io/acme/api`, `alpine`).
    pub fn name(&self) -> String {
        match &self.registry {
            Some(registry) => format!("{registry}/{}", self.repository),
            None => self.repository.clone(),
        }
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Byte offset of the first (or last) character matching `pred` outside `${...}`.
fn find_outside_vars(s: &str, pred: impl Fn(char) -> bool, last: bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut prev_dollar = false;
    let mut found = None;
    for (i, c) in s.char_indices() {
        match c {
            '{' if prev_dollar || depth > 0 => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if depth == 0 && pred(c) => {
                found = Some(i);
                if !last {
                    break;
                }
            }
            _ => {}
        }
        prev_dollar = c == '$';
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(r: &str) -> (Option<String>, String, Option<String>, Option<String>) {
        let r = ImageRef::parse(r);
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn docker_hub_references() {
        assert_eq!(parts("alpine"), (None, "alpine".into(), None, None));
        assert_eq!(parts("alpine:3.20"), (None, "alpine".into(), some("3.20"), None));
        assert_eq!(parts("library/alpine:3"), (None, "library/alpine".into(), some("3"), None));
        assert_eq!(parts("bitnami/redis:7.2"), (None, "bitnami/redis".into(), some("7.2"), None));
    }

    #[test]
    fn registries_with_ports_are_not_tags() {
        assert_eq!(parts("host:5000/app"), (some("host:5000"), "app".into(), None, None));
        assert_eq!(
            parts("host:5000/team/app:1.2"),
            (some("host:5000"), "team/app".into(), some("1.2"), None)
        );
        assert_eq!(parts("localhost/app"), (some("localhost"), "app".into(), None, None));
        assert_eq!(
            parts("gcr.io/distroless/static:nonroot"),
            (some("gcr.io"), "distroless/static".into(), some("nonroot"), None)
        );
        assert_eq!(parts("Registry/app"), (some("Registry"), "app".into(), None, None));
    }

    #[test]
    fn digests_with_and_without_tags() {
        let d = "sha256:7e3b21b2b7e7b4b24e1a2e5b7d0c4b6a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c";
        assert_eq!(parts(&format!("alpine@{d}")), (None, "alpine".into(), None, some(d)));
        assert_eq!(parts(&format!("alpine:3.20@{d}")), (None, "alpine".into(), some("3.20"), some(d)));
        assert_eq!(
            parts(&format!("registry.example.com:443/a/b:1@{d}")),
            (some("registry.example.com:443"), "a/b".into(), some("1"), some(d))
        );
    }

    #[test]
    fn variables_and_scratch() {
        let r = ImageRef::parse("${REGISTRY}/app:${TAG:-1.0}");
        assert!(r.is_variable());
        assert_eq!(r.tag.as_deref(), Some("${TAG:-1.0}"));
        assert_eq!(r.repository, "${REGISTRY}/app");
        let r = ImageRef::parse("${BASE:-alpine:3.20}");
        assert_eq!(r.tag, None);
        assert!(r.is_variable());
        assert!(ImageRef::parse("python:$PY").is_variable());
        assert!(!ImageRef::parse("python:3.12").is_variable());
        assert!(ImageRef::parse(" scratch ").is_scratch());
        assert!(!ImageRef::parse("scratch:1").is_scratch());
        assert!(!ImageRef::parse("example.com/scratch").is_scratch());
    }

    #[test]
    fn display_round_trips() {
        for r in ["alpine", "host:5000/a/b:1@sha256:ab", "ghcr.io/x/y@sha256:cd", "x:1"] {
            assert_eq!(ImageRef::parse(r).to_string(), r);
        }
        assert_eq!(ImageRef::parse("gcr.io/distroless/static:nonroot").name(), "gcr.io/distroless/static");
    }

    #[test]
    fn malformed_references_do_not_panic() {
        for r in ["", ":", "@", "/", "a/", "${", "}}:x", "é:ü@ß", "a@b@c"] {
            let _ = ImageRef::parse(r);
        }
        assert_eq!(parts("a@b@c").3, some("b@c"));
    }
}

//! ## What it checks
//! A `CODEOWNERS` file (GitHub reads `.github/CODEOWNERS`, `CODEOWNERS` and
//! `docs/CODEOWNERS`; GitLab the same names) must assign owners to infrastructure-as-code
//! paths. Its rules are evaluated as GitHub does: gitignore-style patterns (`*`, `**`, a
//! leading `/` anchors at the root, a trailing `/` means a directory's contents, a pattern
//! with an inner `/` is anchored, `docs/*` covers only the files directly in `docs/`), and
//! the **last** matching rule wins, so a later pattern with no owners removes ownership.
//!
//! The rule fails when no infrastructure path is owned. Infrastructure paths are probed with
//! representative files of each kind the catalogue names:
//! - Terraform: `main.tf` at the root and in `infra/`, `terraform/`, `modules/network/`,
//!   `environments/prod/`, `deploy/` and `iac/`;
//! - Kubernetes manifests: `deployment.yaml` in `k8s/`, `kubernetes/`, `manifests/`,
//!   `deploy/`; Helm charts: `charts/app/` and `helm/app/` templates;
//! - CI: `.github/workflows/ci.yml`.
//!
//! The finding points at the top of the file. GitLab section headers (`[Section]`) and
//! comments are skipped.
//!
//! How this is bound: the engine lints files, not the repository tree, so the rule judges
//! each file named `CODEOWNERS` that the scan reads. A repository with **no** `CODEOWNERS`
//! at all cannot be reported until the engine offers a repository-level resource; nor can the
//! probes be replaced by the repository's actual IaC paths. Code owners only take effect when
//! branch protection requires their review; that setting lives outside the repository and
//! belongs in the report's manual evidence.
//!
//! ## Why it matters (CC8.1, CC6.3)
//! Infrastructure code changes production directly: a Terraform plan, a manifest or a
//! workflow can open a firewall, grant admin rights or leak secrets. Code owners route those
//! changes to the people accountable for them, so that changes are authorised and approved
//! (CC8.1) by someone other than their author (segregation of duties, CC6.3).
//!
//! ## Failing example
//! ```text
//! # .github/CODEOWNERS
//! /docs/        @acme/tech-writers
//! /src/web/     @acme/frontend
//! ```
//!
//! ## Passing example
//! ```text
//! # .github/CODEOWNERS
//! *                     @acme/engineering
//! /infra/               @acme/platform
//! /.github/workflows/   @acme/platform @acme/security
//! ```
//!
//! ## Fix
//! Add owners for the infrastructure paths (`*.tf`, `/infra/`, `/k8s/`, `/charts/`,
//! `/.github/workflows/`), or a catch-all `*` rule, and require code-owner review in the
//! default branch's protection rules.

use crate::prelude::*;

pub(crate) fn meta() -> Meta {
    Meta {
        id: "TL-REPO-001",
        name: "iac-changes-lack-code-owners",
        title: "CODEOWNERS assigns no owner to infrastructure code",
        severity: Severity::Low,
        criteria: &["CC8.1", "CC6.3"],
        help: "Add CODEOWNERS rules for `*.tf`, `/k8s/`, `/charts/` and `/.github/workflows/` (or `*`), and require code-owner review.",
        checkov: &[],
        kics: &[],
        trivy: &[],
        other: &["OpenSSF Scorecard: Code-Review / Branch-Protection (related)"],
        bindings: &[(Target::Text, &["file"])],
    }
}

/// Representative infrastructure files: if none of them has an owner, no IaC path does.
const PROBES: [&str; 16] = [
    "main.tf",
    "infra/main.tf",
    "terraform/main.tf",
    "modules/network/main.tf",
    "environments/prod/main.tf",
    "deploy/main.tf",
    "iac/main.tf",
    "k8s/deployment.yaml",
    "kubernetes/deployment.yaml",
    "manifests/deployment.yaml",
    "deploy/deployment.yaml",
    "charts/app/templates/deployment.yaml",
    "charts/app/values.yaml",
    "helm/app/templates/deployment.yaml",
    ".github/workflows/ci.yml",
    ".github/workflows/release.yaml",
];

/// Patterns longer than this many path segments are not evaluated (no real path is that deep).
const MAX_SEGMENTS: usize = 64;

pub(crate) fn check(resource: &Resource<'_>, file: &FileContext<'_>, out: &mut Outcome) {
    let path = file.source.path.as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    if name != "CODEOWNERS" {
        return;
    }
    let rules: Vec<Rule<'_>> = file.source.text.lines().filter_map(Rule::parse).collect();
    if rules.is_empty() {
        out.fail(resource.span, "CODEOWNERS has no ownership rules: infrastructure changes need no code-owner review");
        return;
    }
    let owned = PROBES.iter().any(|probe| {
        let segments: Vec<&str> = probe.split('/').collect();
        rules.iter().rev().find(|r| r.pattern.matches(&segments)).is_some_and(|r| r.has_owners)
    });
    if !owned {
        out.fail(
            resource.span,
            "no CODEOWNERS rule covers infrastructure code (`*.tf`, `k8s/`, `charts/`, `.github/workflows/`)",
        );
    }
}

/// One ownership rule: a pattern and whether it names owners.
struct Rule<'t> {
    pattern: Pattern<'t>,
    has_owners: bool,
}

impl<'t> Rule<'t> {
    /// Read one line; `None` for blanks, comments and GitLab section headers.
    fn parse(line: &'t str) -> Option<Rule<'t>> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') || line.starts_with("^[") {
            return None;
        }
        // The pattern ends at the first blank not escaped with `\`.
        let bytes = line.as_bytes();
        let mut end = line.len();
        let mut i = 0;
        while i < bytes.len() {
            match bytes.get(i) {
                Some(b'\\') => i += 1,
                Some(b) if b.is_ascii_whitespace() => {
                    end = i;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let pattern = line.get(..end)?;
        let rest = line.get(end..).unwrap_or("");
        let owners = rest.split('#').next().unwrap_or("");
        let has_owners = owners.split_whitespace().next().is_some();
        Some(Rule { pattern: Pattern::new(pattern), has_owners })
    }
}

/// A CODEOWNERS pattern, split into path segments.
struct Pattern<'t> {
    segments: Vec<&'t str>,
    /// Matched from the root only (leading `/`, or a `/` inside the pattern).
    anchored: bool,
    /// A trailing `/`: only a directory (and so its contents) matches.
    directory: bool,
    /// Ends in `/*` after a directory: GitHub matches the files directly inside only.
    shallow: bool,
}

impl<'t> Pattern<'t> {
    fn new(raw: &'t str) -> Self {
        let directory = raw.ends_with('/') && raw.len() > 1;
        let body = raw.trim_end_matches('/');
        let leading = body.starts_with('/');
        let body = body.trim_start_matches('/');
        let segments: Vec<&str> = if body.is_empty() { vec!["**"] } else { body.split('/').collect() };
        let anchored = leading || segments.len() > 1;
        let shallow = segments.len() > 1 && segments.last() == Some(&"*");
        Pattern { segments, anchored, directory, shallow }
    }

    /// Whether the rule applies to the file at `path` (its segments).
    fn matches(&self, path: &[&str]) -> bool {
        if self.segments.len() > MAX_SEGMENTS {
            return false;
        }
        let starts = if self.anchored { 0..1 } else { 0..path.len() };
        for start in starts {
            for end in start + 1..=path.len() {
                let Some(part) = path.get(start..end) else { continue };
                if !segments_match(&self.segments, part) {
                    continue;
                }
                let is_file = end == path.len();
                if is_file && !self.directory {
                    return true;
                }
                // A matched directory covers everything below it, except for `dir/*`.
                if !is_file && !self.shallow {
                    return true;
                }
            }
        }
        false
    }
}

/// Whether pattern segments match path segments exactly (`**` spans zero or more segments),
/// by dynamic programming over (pattern, path) positions: no recursion, no backtracking blow-up.
fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    let (p, s) = (pattern.len(), path.len());
    // ok[i][j]: pattern[i..] matches path[j..].
    let mut ok = vec![vec![false; s + 1]; p + 1];
    if let Some(cell) = ok.get_mut(p).and_then(|row| row.get_mut(s)) {
        *cell = true;
    }
    for i in (0..p).rev() {
        for j in (0..=s).rev() {
            let segment = pattern.get(i).copied().unwrap_or("");
            let value = if segment == "**" {
                let skip = ok.get(i + 1).and_then(|r| r.get(j)).copied().unwrap_or(false);
                let consume = j < s && ok.get(i).and_then(|r| r.get(j + 1)).copied().unwrap_or(false);
                skip || consume
            } else {
                j < s
                    && path.get(j).is_some_and(|name| glob(segment, name))
                    && ok.get(i + 1).and_then(|r| r.get(j + 1)).copied().unwrap_or(false)
            };
            if let Some(cell) = ok.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = value;
            }
        }
    }
    ok.first().and_then(|r| r.first()).copied().unwrap_or(false)
}

/// `*` (any run of characters) and `?` (one character) within one path segment; `\x` is `x`.
fn glob(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = unescape(pattern).chars().collect();
    let name: Vec<char> = name.chars().collect();
    // Iterative wildcard matching with one backtrack point: linear in practice.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some('?') => {
                p += 1;
                n += 1;
            }
            Some(c) if Some(c) == name.get(n) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

fn unescape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use trustlint_engine::SourceFile;
    use trustlint_engine::rule::CheckResult;

    use super::*;

    fn covers(pattern: &str, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').collect();
        Pattern::new(pattern).matches(&segments)
    }

    #[test]
    fn github_pattern_semantics() {
        assert!(covers("*", "a/b/main.tf"));
        assert!(covers("*.tf", "infra/prod/main.tf"));
        assert!(covers("/infra/", "infra/modules/vpc/main.tf"));
        assert!(!covers("/infra/", "src/infra.tf"));
        assert!(covers("infra/", "services/api/infra/main.tf"), "unanchored directory");
        assert!(covers("apps", "apps/x/y.yaml"));
        assert!(covers("docs/*", "docs/getting-started.md"));
        assert!(!covers("docs/*", "docs/build/troubleshooting.md"));
        assert!(covers("/.github/workflows/*.yml", ".github/workflows/ci.yml"));
        assert!(covers("**/k8s/**", "deploy/k8s/app/deployment.yaml"));
        assert!(covers("/**/main.tf", "main.tf"));
        assert!(!covers("/src/", "main.tf"));
        assert!(covers("/.github/", ".github/workflows/ci.yml"));
        assert!(covers("ma?n.t\\f", "main.tf"));
        assert!(!covers("/main.tf/", "main.tf"), "a directory pattern does not match a file");
    }

    #[test]
    fn globs() {
        assert!(glob("*.tf", "main.tf"));
        assert!(glob("*", "anything"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(!glob("*.tf", "main.tfvars"));
        let long = "*a".repeat(200);
        assert!(!glob(&long, &"b".repeat(500)));
    }

    fn run(path: &str, text: &str) -> (CheckResult, Vec<String>) {
        let source = SourceFile::new(path, text);
        let file = FileContext { source: &source, syntax: &Syntax::Text, scope: &Default::default() };
        let resource = Resource::bare(Target::Text, "file", path, Span::point(0), 0);
        let mut out = Outcome::default();
        check(&resource, &file, &mut out);
        (out.result(), out.violations.iter().map(|v| v.message.clone()).collect())
    }

    #[test]
    fn codeowners_files_are_judged() {
        assert_eq!(run(".github/CODEOWNERS", "* @acme/eng\n").0, CheckResult::Pass);
        assert_eq!(run("CODEOWNERS", "# team\n/.github/workflows/ @acme/platform # CI\n").0, CheckResult::Pass);
        assert_eq!(run("docs/CODEOWNERS", "/docs/ @acme/writers\n/src/ @acme/dev\n").0, CheckResult::Fail);
        let (result, messages) = run("CODEOWNERS", "# nothing yet\n\n");
        assert_eq!(result, CheckResult::Fail);
        assert!(messages[0].contains("no ownership rules"), "{}", messages[0]);
        // GitLab sections are headers, not patterns.
        assert_eq!(run("CODEOWNERS", "[Infra]\n*.tf @platform\n").0, CheckResult::Pass);
    }

    #[test]
    fn last_match_wins() {
        // The later rule without owners removes ownership of infrastructure files.
        assert_eq!(run("CODEOWNERS", "* @acme/eng\n*.tf\n/k8s/\n/deploy/\n/kubernetes/\n/manifests/\n/charts/\n/helm/\n/.github/\n").0, CheckResult::Fail);
        assert_eq!(run("CODEOWNERS", "* @acme/eng\n/docs/\n").0, CheckResult::Pass);
    }

    #[test]
    fn other_files_are_not_judged() {
        assert_eq!(run("src/CODEOWNERS.md", "nothing").0, CheckResult::Pass);
        assert_eq!(run("main.tf", "").0, CheckResult::Pass);
    }

    #[test]
    fn huge_patterns_are_bounded() {
        let line = format!("{} @x\n", "**/".repeat(10_000));
        assert_eq!(run("CODEOWNERS", &line).0, CheckResult::Fail);
    }
}

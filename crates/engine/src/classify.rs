//! What a file is, decided by its path first and its content second.
//!
//! [`by_path`] is cheap and runs on every walked file; for YAML and JSON, [`by_content`] looks
//! at the parsed documents to tell Kubernetes, CloudFormation, compose and GitHub Actions
//! apart. A YAML or JSON file that is none of them is plain text for the secret scanners,
//! never an error.

use crate::{Node, Target};

/// What the path says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// `.tf` (native syntax).
    TerraformHcl,
    /// `.tf.json`.
    TerraformJson,
    /// `.tfvars` (values for a module's variables).
    TerraformVars,
    /// `.tfvars.json`.
    TerraformVarsJson,
    /// `Dockerfile`, `Containerfile`, `*.dockerfile`, `Dockerfile.*`.
    Dockerfile,
    /// `.env`, `.env.*`.
    Dotenv,
    /// `.yaml`, `.yml`: needs a look at the content.
    Yaml,
    /// `.json`: needs a look at the content.
    Json,
    /// Any other file: only the secret scanners read it.
    Text,
    /// Lock files and other generated files nobody writes by hand: not read at all.
    Ignored,
}

/// Lock files: generated, full of hashes that look like secrets, never hand-edited.
const LOCK_FILES: [&str; 12] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "composer.lock",
    "Gemfile.lock",
    "go.sum",
    ".terraform.lock.hcl",
    "uv.lock",
];

/// Classify a file by its `/`-separated relative path.
pub fn by_path(path: &str) -> PathKind {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if LOCK_FILES.contains(&name) || lower.ends_with(".lock") {
        return PathKind::Ignored;
    }
    if lower.ends_with(".tf") {
        return PathKind::TerraformHcl;
    }
    if lower.ends_with(".tf.json") {
        return PathKind::TerraformJson;
    }
    if lower.ends_with(".tfvars") {
        return PathKind::TerraformVars;
    }
    if lower.ends_with(".tfvars.json") {
        return PathKind::TerraformVarsJson;
    }
    if is_dockerfile_name(&lower) {
        return PathKind::Dockerfile;
    }
    if lower == ".env" || (lower.starts_with(".env.") && !is_documentation(&lower)) {
        return PathKind::Dotenv;
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return PathKind::Yaml;
    }
    if lower.ends_with(".json") {
        return PathKind::Json;
    }
    PathKind::Text
}

fn is_documentation(lower: &str) -> bool {
    [".md", ".txt", ".rst", ".html"].iter().any(|ext| lower.ends_with(ext))
}

fn is_dockerfile_name(lower: &str) -> bool {
    if lower == "dockerfile" || lower == "containerfile" || lower.ends_with(".dockerfile") {
        return true;
    }
    // `Dockerfile.prod`, `Containerfile.dev`; not `Dockerfile.md` or `dockerfile.go`.
    let Some((stem, ext)) = lower.split_once('.') else { return false };
    (stem == "dockerfile" || stem == "containerfile")
        && !is_documentation(lower)
        && !matches!(ext, "go" | "py" | "rs" | "js" | "ts" | "java" | "rb" | "sh" | "bak" | "orig" | "swp")
}

/// Cheap check on raw YAML or JSON text: could it be one of the formats we model? Files that
/// cannot are not parsed at all (the secret scanners still read them).
pub fn may_be_infrastructure(path: &str, text: &str) -> bool {
    is_workflow_path(path)
        || is_action_file(path)
        || is_compose_name(path)
        || (text.contains("apiVersion") && text.contains("kind"))
        || text.contains("AWSTemplateFormatVersion")
        || text.contains("AWS::")
        || text.contains("services")
        || (text.contains("jobs") && (text.contains("runs-on") || text.contains("steps")))
}

/// A Helm chart template (`templates/` with `{{ }}` actions): not YAML until rendered.
pub fn is_helm_template(path: &str, text: &str) -> bool {
    (path.starts_with("templates/") || path.contains("/templates/")) && has_template_actions(text)
}

/// Whether the text carries `{{ ... }}` template actions (Helm, Jinja, Go templates). GitHub
/// Actions' `${{ }}` expressions do not count.
pub fn has_template_actions(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|rest| rest.find("{{")) {
        let at = from + pos;
        if at == 0 || bytes.get(at - 1) != Some(&b'$') {
            return true;
        }
        from = at + 2;
    }
    false
}

/// `.github/workflows/*.yml`.
pub fn is_workflow_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.starts_with(".github/workflows/") || lower.contains("/.github/workflows/"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

/// `action.yml` / `action.yaml` (action metadata).
pub fn is_action_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "action.yml" || name == "action.yaml"
}

/// `compose*.y*ml` or `docker-compose*.y*ml`.
pub fn is_compose_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (name.starts_with("compose") || name.starts_with("docker-compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Decide the target of a parsed YAML or JSON file, or `None` for a file that is none of
/// them.
pub fn by_content(path: &str, documents: &[Node]) -> Option<Target> {
    let first = documents.iter().find(|d| !d.is_null())?;
    if is_workflow_path(path) && first.get("jobs").is_some() {
        return Some(Target::GithubActions);
    }
    if is_action_file(path) && first.get("runs").is_some() {
        return Some(Target::GithubActions);
    }
    if documents.iter().any(is_cloudformation) {
        return Some(Target::Cloudformation);
    }
    if documents.iter().any(is_kubernetes_object) {
        return Some(Target::Kubernetes);
    }
    if is_compose(path, first) {
        return Some(Target::Compose);
    }
    if is_workflow(first) {
        return Some(Target::GithubActions);
    }
    None
}

fn is_cloudformation(doc: &Node) -> bool {
    if doc.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    doc.get("Resources").is_some_and(|resources| {
        resources.entries().iter().any(|e| {
            e.value
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
        })
    })
}

/// A map with string `apiVersion` and `kind`.
pub fn is_kubernetes_object(doc: &Node) -> bool {
    let text = |key| doc.get(key).and_then(Node::as_str).is_some_and(|s| !s.is_empty());
    text("apiVersion") && text("kind")
}

fn is_compose(path: &str, doc: &Node) -> bool {
    let Some(services) = doc.get("services") else { return false };
    if is_compose_name(path) {
        return true;
    }
    let entries = services.entries();
    !entries.is_empty()
        && entries.iter().all(|e| matches!(e.value.value, crate::Value::Map(_)))
        && entries.iter().any(|e| e.value.get("image").is_some() || e.value.get("build").is_some())
}

fn is_workflow(doc: &Node) -> bool {
    if doc.get("on").is_none() {
        return false;
    }
    doc.get("jobs").is_some_and(|jobs| {
        jobs.entries().iter().any(|j| {
            j.value.get("runs-on").is_some()
                || j.value.get("steps").is_some()
                || j.value.get("uses").is_some()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entry, Span, Value};

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Span::default(),
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Entry { key: k.into(), key_span: Span::default(), value: v })
                    .collect(),
            ),
        )
    }
    fn s(v: &str) -> Node {
        Node::new(Span::default(), Value::String(v.into()))
    }

    #[test]
    fn paths() {
        assert_eq!(by_path("infra/main.tf"), PathKind::TerraformHcl);
        assert_eq!(by_path("infra/main.tf.json"), PathKind::TerraformJson);
        assert_eq!(by_path("env/prod.tfvars"), PathKind::TerraformVars);
        assert_eq!(by_path("x.auto.tfvars.json"), PathKind::TerraformVarsJson);
        assert_eq!(by_path("app/Dockerfile"), PathKind::Dockerfile);
        assert_eq!(by_path("Dockerfile.prod"), PathKind::Dockerfile);
        assert_eq!(by_path("build/api.dockerfile"), PathKind::Dockerfile);
        assert_eq!(by_path("Containerfile"), PathKind::Dockerfile);
        assert_eq!(by_path("Dockerfile.md"), PathKind::Text);
        assert_eq!(by_path(".env"), PathKind::Dotenv);
        assert_eq!(by_path("svc/.env.production"), PathKind::Dotenv);
        assert_eq!(by_path("k8s/deploy.yaml"), PathKind::Yaml);
        assert_eq!(by_path("template.json"), PathKind::Json);
        assert_eq!(by_path("package-lock.json"), PathKind::Ignored);
        assert_eq!(by_path(".terraform.lock.hcl"), PathKind::Ignored);
        assert_eq!(by_path("src/main.py"), PathKind::Text);
    }

    #[test]
    fn contents() {
        let k8s = map(vec![("apiVersion", s("v1")), ("kind", s("Pod"))]);
        assert_eq!(by_content("a.yaml", &[k8s]), Some(Target::Kubernetes));

        let cfn = map(vec![("AWSTemplateFormatVersion", s("2010-09-09"))]);
        assert_eq!(by_content("t.yaml", &[cfn]), Some(Target::Cloudformation));

        let cfn_bare =
            map(vec![("Resources", map(vec![("Bucket", map(vec![("Type", s("AWS::S3::Bucket"))]))]))]);
        assert_eq!(by_content("t.json", &[cfn_bare]), Some(Target::Cloudformation));

        let compose = map(vec![("services", map(vec![("web", map(vec![("image", s("nginx"))]))]))]);
        assert_eq!(by_content("stack.yml", std::slice::from_ref(&compose)), Some(Target::Compose));
        assert_eq!(by_content("docker-compose.override.yml", &[compose]), Some(Target::Compose));

        let wf = map(vec![
            ("on", s("push")),
            ("jobs", map(vec![("build", map(vec![("runs-on", s("ubuntu-latest"))]))])),
        ]);
        assert_eq!(
            by_content("ci/templates/build.yml", std::slice::from_ref(&wf)),
            Some(Target::GithubActions)
        );
        assert_eq!(by_content(".github/workflows/ci.yml", &[wf]), Some(Target::GithubActions));

        // Look-alikes: plain YAML that is none of them.
        let config = map(vec![("services", s("none")), ("kind", s("config"))]);
        assert_eq!(by_content("config.yaml", &[config]), None);
        let openapi = map(vec![("openapi", s("3.0.0")), ("paths", map(vec![]))]);
        assert_eq!(by_content("api.yaml", &[openapi]), None);
        assert_eq!(by_content("empty.yaml", &[]), None);
    }

    #[test]
    fn templates_are_recognised() {
        assert!(is_helm_template("chart/templates/deploy.yaml", "image: {{ .Values.image }}"));
        assert!(!is_helm_template("chart/templates/deploy.yaml", "run: echo ${{ github.sha }}"));
        assert!(!is_helm_template("k8s/deploy.yaml", "image: {{ .Values.image }}"));
        assert!(has_template_actions("a: {{ x }}"));
        assert!(!has_template_actions("a: ${{ x }}"));
    }
}

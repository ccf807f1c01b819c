//! The resource model: each format adapter turns a parsed file into [`Resource`]s, the unit a
//! rule judges.

pub mod classification;
pub mod cloudformation;
pub mod compose;
pub mod dockerfile;
pub mod dotenv;
pub mod github_actions;
pub mod kubernetes;
pub mod terraform;

use serde::Serialize;

use crate::{Node, Span};

/// The configuration language a resource was written in; rules bind to targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// Terraform (`.tf`, `.tf.json`, `.tfvars`).
    Terraform,
    /// CloudFormation templates (YAML or JSON).
    Cloudformation,
    /// Kubernetes manifests.
    Kubernetes,
    /// docker-compose files.
    Compose,
    /// Dockerfiles.
    Dockerfile,
    /// GitHub Actions workflows and action metadata.
    GithubActions,
    /// `.env` files.
    Dotenv,
    /// Any text file (secret scanners).
    Text,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 8] = [
        Target::Terraform,
        Target::Cloudformation,
        Target::Kubernetes,
        Target::Compose,
        Target::Dockerfile,
        Target::GithubActions,
        Target::Dotenv,
        Target::Text,
    ];

    /// The name used in policies and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Terraform => "terraform",
            Target::Cloudformation => "cloudformation",
            Target::Kubernetes => "kubernetes",
            Target::Compose => "compose",
            Target::Dockerfile => "dockerfile",
            Target::GithubActions => "github-actions",
            Target::Dotenv => "dotenv",
            Target::Text => "text",
        }
    }

    /// Parse a target name.
    pub fn parse(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a rule judges: a Terraform resource, a Kubernetes object, a compose service, a
/// workflow job, a Dockerfile stage, a dotenv entry, or a whole text file.
#[derive(Debug, Clone)]
pub struct Resource<'a> {
    /// The language it was written in.
    pub target: Target,
    /// Its type: `aws_s3_bucket`, `AWS::S3::Bucket`, `Deployment`, `service`, `job`, `step`,
    /// `stage`, `entry`, `file`.
    pub kind: String,
    /// A stable address: `aws_s3_bucket.logs`, `Deployment/default/web`, `services.web`,
    /// `jobs.build.steps[2]`, `stage[1] builder`.
    pub address: String,
    /// Where to point when no attribute is more specific (the resource's header).
    pub span: Span,
    /// The body as a spanned tree, for tree-shaped formats.
    pub body: Option<&'a Node>,
    /// Kubernetes workloads: the pod spec, whatever the kind wraps it in.
    pub pod_spec: Option<&'a Node>,
    /// The effective data-classification tag value (the resource's own tag, or the provider's
    /// `default_tags`), set by the linter; see `classification`.
    pub classification: Option<&'a Node>,
    /// Index of the document in a multi-document file, or of the stage in a Dockerfile.
    pub index: usize,
    /// Index of the file among those evaluated together (see `rule::Scope`).
    pub file: usize,
}

impl<'a> Resource<'a> {
    /// A resource with a tree body.
    pub fn tree(
        target: Target,
        kind: impl Into<String>,
        address: impl Into<String>,
        span: Span,
        body: &'a Node,
    ) -> Self {
        Resource {
            target,
            kind: kind.into(),
            address: address.into(),
            span,
            body: Some(body),
            pod_spec: None,
            classification: None,
            index: 0,
            file: 0,
        }
    }

    /// A resource without a tree body (Dockerfile stages, dotenv entries, text files).
    pub fn bare(
        target: Target,
        kind: impl Into<String>,
        address: impl Into<String>,
        span: Span,
        index: usize,
    ) -> Self {
        Resource {
            target,
            kind: kind.into(),
            address: address.into(),
            span,
            body: None,
            pod_spec: None,
            classification: None,
            index,
            file: 0,
        }
    }
}

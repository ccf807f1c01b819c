//! A parsed file: its syntax tree in whichever form its format has.

use crate::parse::{
    dockerfile::Dockerfile, dotenv::DotenvFile, hcl::HclFile, json::JsonDocument, yaml::YamlStream,
};

/// The parsed form of a file.
#[derive(Debug, Clone)]
pub enum Syntax {
    /// A YAML stream (Kubernetes, CloudFormation, compose, workflows).
    Yaml(YamlStream),
    /// A JSON document (Kubernetes, CloudFormation).
    Json(JsonDocument),
    /// Terraform (native syntax or `.tf.json`).
    Hcl(HclFile),
    /// A Dockerfile.
    Dockerfile(Dockerfile),
    /// A dotenv file.
    Dotenv(DotenvFile),
    /// Text only (secret scanners).
    Text,
}

impl Syntax {
    /// The tree roots of a YAML or JSON file (one per document).
    pub fn documents(&self) -> &[crate::Node] {
        match self {
            Syntax::Yaml(stream) => &stream.documents,
            Syntax::Json(doc) => std::slice::from_ref(&doc.root),
            _ => &[],
        }
    }

    /// The comments of the file, in order (suppressions live there).
    pub fn comments(&self) -> &[crate::Comment] {
        match self {
            Syntax::Yaml(stream) => &stream.comments,
            Syntax::Json(doc) => &doc.comments,
            Syntax::Hcl(file) => &file.comments,
            Syntax::Dockerfile(df) => &df.comments,
            Syntax::Dotenv(env) => &env.comments,
            Syntax::Text => &[],
        }
    }

    /// The tree roots, mutable (for resolving a template's intrinsics in place).
    pub fn documents_mut(&mut self) -> &mut [crate::Node] {
        match self {
            Syntax::Yaml(stream) => &mut stream.documents,
            Syntax::Json(doc) => std::slice::from_mut(&mut doc.root),
            _ => &mut [],
        }
    }
}

//! HCL (Terraform) into spanned blocks and trees (stub: replaced by the real loader).

use super::ParseError;
use crate::{Comment, Entry, Node, Span};

/// A parsed `.tf`, `.tfvars` or `.tf.json` file.
#[derive(Debug, Clone, Default)]
pub struct HclFile {
    /// Top-level attributes (`.tfvars` files are only these).
    pub attributes: Vec<Entry>,
    /// Top-level blocks (`resource`, `data`, `module`, `variable`, ...).
    pub blocks: Vec<Block>,
    /// Every comment, in order.
    pub comments: Vec<Comment>,
}

/// A top-level block with its labels.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type (`resource`).
    pub ident: String,
    /// Bytes of the block type.
    pub ident_span: Span,
    /// The labels (`"aws_s3_bucket"`, `"logs"`) without quotes, with their spans.
    pub labels: Vec<(String, Span)>,
    /// The whole block, header to closing brace.
    pub span: Span,
    /// The body as a map.
    pub body: Node,
}

/// Parse HCL native syntax.
pub fn parse(text: &str) -> Result<HclFile, ParseError> {
    let _ = text;
    Ok(HclFile::default())
}

/// Read a `.tf.json` document (already parsed as JSON) as the same structure.
pub fn from_json(root: &Node) -> HclFile {
    let _ = root;
    HclFile::default()
}

//! The trustlint engine: source files, spanned parsers, the resource model, rules and
//! findings.
//!
//! A file goes through [`classify`] (what is it?), a parser in [`parse`] (a spanned tree),
//! an adapter in [`model`] (the resources in it), and then every enabled [`rule::Rule`] bound
//! to the resources' target and type. The result is a list of [`Finding`]s, located to the
//! character, which the CLI renders.
//!
//! ```
//! use trustlint_engine::{SourceFile, Span};
//! let file = SourceFile::new("main.tf", "resource \"aws_s3_bucket\" \"b\" {}\n");
//! assert_eq!(file.location(9).line, 1);
//! assert_eq!(file.slice(Span::new(0, 8)), "resource");
//! ```
#![deny(missing_docs)]

pub mod classify;
pub mod document;
pub mod expect;
pub mod finding;
pub mod image;
pub mod lint;
pub mod model;
pub mod parse;
pub mod policy;
pub mod redact;
pub mod rule;
pub mod shell;
pub mod source;
pub mod span;
pub mod suppress;
pub mod terraform;
pub mod tree;

pub use finding::{Finding, Severity};
pub use model::{Resource, Target};
pub use source::SourceFile;
pub use span::{LineIndex, Location, Span};
pub use tree::{Comment, Entry, Node, Value};

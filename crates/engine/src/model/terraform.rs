//! Terraform resources: the blocks of one file that rules judge.
//!
//! | block                         | kind            | address                 |
//! |-------------------------------|-----------------|-------------------------|
//! | `resource "T" "N"`            | `T`             | `T.N`                   |
//! | `data "T" "N"`                | `data.T`        | `data.T.N`              |
//! | `module "N"`                  | `module`        | `module.N`              |
//! | `provider "P"` (`alias = "A"`) | `provider.P`   | `provider.P` (`provider.P.A`) |
//! | `terraform`                   | `terraform`     | `terraform`             |
//!
//! A resource's span is its header (the type keyword through the last label) and its body is
//! the block's body. Variables, locals, outputs and other blocks are not judged.
//! [`resources`] gives a file's blocks as written; the linter judges the bodies the
//! module-wide evaluation gives (see [`crate::terraform`]), with the same kinds and addresses.

use crate::parse::hcl::{Block, HclFile};
use crate::{Node, Resource, Target};

/// The resources of a parsed Terraform file, in source order.
pub fn resources(file: &HclFile) -> Vec<Resource<'_>> {
    file.blocks.iter().filter_map(resource).collect()
}

fn resource(block: &Block) -> Option<Resource<'_>> {
    let (kind, address) = kind_and_address(block)?;
    Some(Resource::tree(Target::Terraform, kind, address, block.header, &block.body))
}

/// The resource type and address of a block that is judged, `None` for the others
/// (`variable`, `locals`, `output`, malformed blocks).
pub(crate) fn kind_and_address(block: &Block) -> Option<(String, String)> {
    let labels: Vec<&str> = block.labels.iter().map(|(label, _)| label.as_str()).collect();
    let (kind, address) = match (block.ident.as_str(), labels.as_slice()) {
        ("resource", [kind, name]) => ((*kind).to_string(), format!("{kind}.{name}")),
        ("data", [kind, name]) => (format!("data.{kind}"), format!("data.{kind}.{name}")),
        ("module", [name]) => ("module".to_string(), format!("module.{name}")),
        ("provider", [name]) => {
            let kind = format!("provider.{name}");
            let address = match block.body.get("alias").and_then(Node::as_str) {
                Some(alias) => format!("{kind}.{alias}"),
                None => kind.clone(),
            };
            (kind, address)
        }
        ("terraform", []) => ("terraform".to_string(), "terraform".to_string()),
        _ => return None,
    };
    Some((kind, address))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::hcl;

    #[test]
    fn blocks_become_addressed_resources() {
        let text = r#"terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

variable "env" {}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

data "aws_iam_policy_document" "p" {}

module "vpc" {
  source = "./vpc"
}

locals {
  a = 1
}
"#;
        let file = hcl::parse(text).expect("parses");
        let found: Vec<(String, String)> =
            resources(&file).iter().map(|r| (r.kind.clone(), r.address.clone())).collect();
        let expected = [
            ("terraform", "terraform"),
            ("provider.aws", "provider.aws"),
            ("provider.aws", "provider.aws.us"),
            ("aws_s3_bucket", "aws_s3_bucket.logs"),
            ("data.aws_iam_policy_document", "data.aws_iam_policy_document.p"),
            ("module", "module.vpc"),
        ];
        assert_eq!(found, expected.map(|(k, a)| (k.to_string(), a.to_string())));

        let all = resources(&file);
        let bucket = &all[3];
        assert_eq!(bucket.target, Target::Terraform);
        assert_eq!(&text[bucket.span.start..bucket.span.end], r#"resource "aws_s3_bucket" "logs""#);
        assert_eq!(bucket.body.and_then(|b| b.get("bucket")).and_then(Node::as_str), Some("logs"));
        assert_eq!(&text[all[0].span.start..all[0].span.end], "terraform");
    }

    #[test]
    fn malformed_blocks_are_not_resources() {
        let file = hcl::parse("resource \"aws_s3_bucket\" {}\nmodule {}\n").expect("parses");
        assert!(resources(&file).is_empty());
    }
}

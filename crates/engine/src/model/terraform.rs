//! Terraform blocks as resources (stub until the adapter lands).
use crate::Resource;
use crate::parse::hcl::HclFile;
/// The resources of a Terraform file.
pub fn resources(file: &HclFile) -> Vec<Resource<'_>> {
    let _ = file;
    Vec::new()
}

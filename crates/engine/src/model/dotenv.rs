//! dotenv entries as resources (stub until the adapter lands).
use crate::Resource;
use crate::parse::dotenv::DotenvFile;
/// One resource per entry.
pub fn resources(file: &DotenvFile) -> Vec<Resource<'_>> {
    let _ = file;
    Vec::new()
}

//! Dockerfile stages as resources (stub until the adapter lands).
use crate::Resource;
use crate::parse::dockerfile::Dockerfile;
/// One resource per stage.
pub fn resources(df: &Dockerfile) -> Vec<Resource<'_>> {
    let _ = df;
    Vec::new()
}

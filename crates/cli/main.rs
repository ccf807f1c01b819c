//! The trustlint command line.
fn main() {}

//! Placeholder for the kubernetes adapter.

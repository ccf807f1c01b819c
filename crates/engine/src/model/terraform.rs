//! Placeholder for the terraform adapter.

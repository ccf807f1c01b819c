//! Placeholder for the dockerfile adapter.

//! Placeholder for the compose adapter.

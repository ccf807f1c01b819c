//! Placeholder for the cloudformation adapter.

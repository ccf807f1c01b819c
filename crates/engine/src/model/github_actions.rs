//! Placeholder for the github_actions adapter.

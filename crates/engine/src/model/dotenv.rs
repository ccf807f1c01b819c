//! Placeholder for the dotenv adapter.

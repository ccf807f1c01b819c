//! File classification.

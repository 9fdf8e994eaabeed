//! Work in progress.
#![deny(missing_docs)]

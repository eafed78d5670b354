//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod fake_provider;
pub mod flow;
pub mod pty;

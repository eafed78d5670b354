//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod big_fleet;
pub mod fake_provider;
pub mod flow;
pub mod pty;

//! Process concerns that no pipeline stage owns: signals ([`interrupt`]), `--timings`
//! ([`timings`]) and the worker pool ([`workers`]). They import nothing of the pipeline.

pub mod interrupt;
pub mod timings;
pub mod workers;

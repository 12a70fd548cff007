//! Process concerns that no pipeline stage owns: memory exhaustion ([`alloc`]), signals ([`interrupt`]), `--timings`
//! ([`timings`]) and the worker pool ([`workers`]). They import nothing of the pipeline.

pub mod alloc;
pub mod interrupt;
pub mod timings;
pub mod workers;

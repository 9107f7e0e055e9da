//! What the in-process tests share: tools, a scripted model server, and the provider
//! clients' common scenarios.
//!
//! Not every test uses every item of every module.
#![allow(dead_code)]

pub(crate) mod city_tools;
pub(crate) mod cuts;
pub(crate) mod deep;
pub(crate) mod dispatch_tools;
pub(crate) mod model_server;
pub(crate) mod programs;
pub(crate) mod providers;
pub(crate) mod rich_signatures;
pub(crate) mod schema_values;
pub(crate) mod signatures;

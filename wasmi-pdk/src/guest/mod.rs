//! The plugin-side runtime: request handling, host calls, logging and the
//! tiny executor that drives them over stdin/stdout.

mod context;
mod executor;
mod handler;
mod logger;
mod router;
mod serve;

pub use self::{
    context::{Context, HostCall, TypedHostCall},
    handler::RequestHandler,
    logger::init_logger,
    router::Router,
    serve::{serve, serve_io},
};

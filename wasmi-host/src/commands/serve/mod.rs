//! `wasmi-host serve`: a JSON-RPC 2.0 server on the CLI's own stdin and
//! stdout (one message or batch per line) that runs every request in a
//! fresh plugin instance, concurrently: of one plugin, or of a directory
//! of plugins addressed as `PLUGIN.METHOD`.

mod answer;
mod input;

use std::sync::Arc;

use serde_json::Value;
use tokio::{
    io::{AsyncWriteExt, BufReader, BufWriter},
    sync::{Semaphore, mpsc},
    task::JoinSet,
};
use wasmi_hdk::{
    Error, Plugin, RpcError,
    protocol::{Id, codes::METHOD_NOT_FOUND},
    set::PluginSet,
};

use self::{
    answer::{answer_line, response},
    input::InputLine,
};
use crate::{
    cli::ServeArgs,
    error::CliError,
    exit::Exit,
    load::{self, PluginSource},
    logging::Verbosity,
    plugin_dir, store_file,
};

/// What requests are sent to.
#[derive(Debug, Clone)]
enum Target {
    /// One plugin: a request for `METHOD` calls its `METHOD`.
    Plugin(Plugin),
    /// A set of plugins: a request for `PLUGIN.METHOD` calls plugin
    /// `PLUGIN`'s `METHOD`.
    Set(PluginSet),
}

impl Target {
    /// Calls `method` in a fresh instance of the plugin it names.
    async fn call(&self, method: &str, params: Value) -> Result<Value, Error> {
        match self {
            Self::Plugin(plugin) => plugin.call_raw(method, params).await,
            Self::Set(set) => {
                let (plugin, method) = route(set, method)?;
                plugin.call_raw(method, params).await
            }
        }
    }
}

/// Splits `PLUGIN.METHOD` at its first dot (plugin names have none) and
/// finds the plugin; anything else is method not found (-32601).
fn route<'m>(set: &PluginSet, method: &'m str) -> Result<(Plugin, &'m str), Error> {
    let not_found = |why: String| {
        Error::Rpc(RpcError::new(
            METHOD_NOT_FOUND,
            format!(
                "method not found: {method} ({why}; plugins: {})",
                set.names().join(", ")
            ),
        ))
    };
    let Some((name, inner)) = method.split_once('.') else {
        return Err(not_found("call PLUGIN.METHOD".to_owned()));
    };
    match set.plugin(name) {
        Some(plugin) => Ok((plugin, inner)),
        None => Err(not_found(format!("no plugin named `{name}`"))),
    }
}

/// Serves until stdin ends, then waits for the requests in flight.
pub(crate) async fn run(args: ServeArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let store = store_file::open(&args.store)?;
    let target = match &args.plugins {
        Some(dir) => {
            let set = plugin_dir::load(dir, &args.run.limits, &args.run.mocks, store, verbosity)?;
            tracing::info!(
                plugins = %set.names().join(", "),
                "serving JSON-RPC 2.0 on stdin/stdout as PLUGIN.METHOD"
            );
            Target::Set(set)
        }
        None => {
            let source = PluginSource::open(args.plugin.as_deref())?;
            let plugin = source.load(&args.run, load::default_limits(), Some(store), verbosity)?;
            tracing::info!(
                plugin = plugin.name(),
                "serving JSON-RPC 2.0 on stdin/stdout"
            );
            Target::Plugin(plugin)
        }
    };
    let line_limit = match &target {
        Target::Plugin(plugin) => plugin.limits().max_message(),
        Target::Set(_) => load::limits(&args.run.limits, load::default_limits()).max_message(),
    };
    let slots = args.max_concurrent as usize;
    let (calls, lines) = (
        Arc::new(Semaphore::new(slots)),
        Arc::new(Semaphore::new(slots)),
    );
    // Answers wait here for the writer; when it is full (a client that
    // does not read), answering waits, and so does reading.
    let (lines_out, lines_to_write) = mpsc::channel(slots);
    let writer = tokio::spawn(write_lines(lines_to_write));
    let mut in_flight = JoinSet::new();
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    loop {
        // At most `max_concurrent` lines are being answered: past that,
        // reading waits, and the client's writes with it.
        let permit = lines
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        // Stop reading when no answer can be written any more (the client
        // closed our stdout): the writer's error is the outcome.
        let read = tokio::select! {
            read = input::read_line(&mut stdin, &mut line, line_limit) => read,
            () = lines_out.closed() => break,
        };
        let read = read.map_err(|source| CliError::Io {
            what: "cannot read stdin",
            source,
        })?;
        let text = match read {
            InputLine::End => break,
            InputLine::TooLong(length) => {
                let error = RpcError::invalid_request(format!(
                    "the line is {length} bytes, over the limit of {line_limit} bytes (--max-message)"
                ));
                let _ = lines_out.send(response(Id::Null, Err(error))).await;
                continue;
            }
            InputLine::Line => match String::from_utf8(core::mem::take(&mut line)) {
                Ok(text) => text,
                Err(e) => {
                    let error = RpcError::parse_error(format!("the line is not UTF-8: {e}"));
                    let _ = lines_out.send(response(Id::Null, Err(error))).await;
                    continue;
                }
            },
        };
        if text.trim().is_empty() {
            continue;
        }
        let target = target.clone();
        let calls = calls.clone();
        let lines_out = lines_out.clone();
        in_flight.spawn(async move {
            if let Some(answer) = answer_line(&target, &calls, slots, line_limit, text.trim()).await
            {
                let _ = lines_out.send(answer).await;
            }
            // Held until the answer is queued, so a slow reader slows reading.
            drop(permit);
        });
        // Forget the finished ones, so a long session does not pile them up.
        while in_flight.try_join_next().is_some() {}
    }
    if lines_out.is_closed() {
        in_flight.abort_all();
    }
    while in_flight.join_next().await.is_some() {}
    drop(lines_out);
    match writer.await {
        Ok(Ok(())) => Ok(Exit::Success),
        Ok(Err(source)) => Err(CliError::Io {
            what: "cannot write to stdout",
            source,
        }),
        Err(join) => Err(CliError::Io {
            what: "the stdout writer stopped",
            source: std::io::Error::other(join.to_string()),
        }),
    }
}

/// Writes each answer as one line, so concurrent answers never interleave;
/// flushes whenever no other answer is waiting.
async fn write_lines(mut lines: mpsc::Receiver<String>) -> std::io::Result<()> {
    let mut stdout = BufWriter::new(tokio::io::stdout());
    while let Some(line) = lines.recv().await {
        stdout.write_all(line.as_bytes()).await?;
        stdout.write_all(b"\n").await?;
        if lines.is_empty() {
            stdout.flush().await?;
        }
    }
    stdout.flush().await
}

//! `wasmi-host run`: any `wasm32-wasip1` program, with the CLI's own stdio.

use std::io::{self, Read};

use futures::{StreamExt, TryStreamExt, io::AsyncRead};
use tokio::sync::mpsc;
use wasmi_hdk::CommandIo;

use crate::{
    cli::ProgramArgs, error::CliError, exit::Exit, load::PluginSource, logging::Verbosity,
};

/// Bytes of the CLI's stdin read at a time.
const CHUNK: usize = 64 << 10;

/// Runs the program once and exits with its exit code.
pub(crate) async fn run(args: &ProgramArgs, verbosity: Verbosity) -> Result<Exit, CliError> {
    let source = PluginSource::open(Some(&args.file))?;
    let program = source.load_program(args, verbosity)?;
    let io = CommandIo::new(stdin(), io::stdout(), io::stderr());
    let code = program.run_command(io).await.map_err(CliError::Call)?;
    Ok(Exit::Program(code))
}

/// The CLI's stdin as an asynchronous reader: a thread reads it (a
/// terminal or pipe read blocks) one chunk ahead of the program.
fn stdin() -> impl AsyncRead + Send + 'static {
    let (chunks, mut received) = mpsc::channel::<io::Result<Vec<u8>>>(1);
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        loop {
            let mut chunk = vec![0; CHUNK];
            let read = stdin.read(&mut chunk).map(|n| {
                chunk.truncate(n);
                chunk
            });
            let end = !matches!(&read, Ok(chunk) if !chunk.is_empty());
            if chunks.blocking_send(read).is_err() || end {
                break;
            }
        }
    });
    futures::stream::poll_fn(move |cx| received.poll_recv(cx))
        .take_while(|read| futures::future::ready(!matches!(read, Ok(c) if c.is_empty())))
        .into_async_read()
}

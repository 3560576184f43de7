use std::{
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::Value;
use wasmi_hdk::{
    CallFailure, CallReport, Error, HostRouter, Limits, LogLevel, Plugin, PluginBuilder,
    ProtocolViolation, Reported, RpcError,
};

use crate::watchdog::Watch;

/// A call's result and report side by side, whatever the outcome.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) result: Result<Value, Error>,
    pub(crate) report: CallReport,
}

/// `call_with`'s answer as an [`Outcome`].
pub(crate) trait Outcomes {
    fn outcome(self) -> Outcome;
}

impl Outcomes for Result<Reported<Value>, CallFailure> {
    fn outcome(self) -> Outcome {
        match self {
            Ok(reported) => Outcome {
                result: Ok(reported.value),
                report: reported.report,
            },
            Err(failure) => Outcome {
                result: Err(failure.error),
                report: failure.report,
            },
        }
    }
}

/// How long any one test may wait before it counts as hung.
///
/// This is the only wall-clock bound of the suite, and it only catches
/// hangs: tests assert outcomes, and a broken bound makes the misbehaviour
/// it guards run forever (an endless loop or sleep), so it ends here. It is
/// far above what any test needs: the heaviest take about 4 s of CPU, and
/// up to 20 s on a 2-core machine shared with builds.
const HANG: Duration = Duration::from_secs(120);

/// Awaits `fut`, failing the test if it takes longer than [`HANG`].
///
/// A `fut` stuck inside one poll cannot be timed out from its own task: the
/// [`Watch`] aborts the test binary then, a little later, instead.
pub(crate) async fn within<F: Future>(fut: F) -> F::Output {
    let _watch = Watch::start(HANG + Duration::from_secs(30));
    tokio::time::timeout(HANG, fut)
        .await
        .expect("timed out: the call hung")
}

/// Runs `f` on its own thread, failing the test if it takes longer than [`HANG`].
pub(crate) fn on_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(HANG).expect("timed out: the call hung")
}

/// Default limits without the call timeout (30 s by default), for calls
/// that move many megabytes: on a busy machine they may take longer than
/// that, and the timeout is not what they test. [`within`] still bounds them.
pub(crate) fn untimed() -> Limits {
    Limits::default().without_timeout()
}

/// `host.echo` answers its params; what most plugin methods call.
pub(crate) fn echo_host() -> HostRouter {
    HostRouter::new().with_method(
        "host.echo",
        |_caller, params: serde_json::Value| async move { Ok::<_, RpcError>(params) },
    )
}

/// The well-behaved test plugin with `host.echo`.
pub(crate) fn test_plugin() -> Plugin {
    builder().build(test_plugin_artifacts::TEST_PLUGIN).unwrap()
}

/// A builder for the test plugin with `host.echo` and name `test-plugin`.
pub(crate) fn builder() -> PluginBuilder {
    Plugin::builder()
        .with_name("test-plugin")
        .with_host(echo_host())
}

/// The misbehaving plugin, built with `builder`'s settings.
pub(crate) fn misbehaving(builder: PluginBuilder) -> Plugin {
    builder
        .build(test_plugin_artifacts::MISBEHAVING_PLUGIN)
        .unwrap()
}

/// Log lines captured from a plugin's stderr.
pub(crate) type Captured = Arc<Mutex<Vec<(LogLevel, Option<String>, String)>>>;

/// A builder whose plugin's log lines are captured instead of traced.
pub(crate) fn capturing(builder: PluginBuilder) -> (PluginBuilder, Captured) {
    let lines: Captured = Arc::default();
    let sink = lines.clone();
    let builder = builder.with_log_handler(move |record| {
        sink.lock().unwrap().push((
            record.level,
            record.target.map(str::to_owned),
            record.message.to_owned(),
        ));
    });
    (builder, lines)
}

/// Compiles WAT text to wasm bytes.
pub(crate) fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

/// The protocol violation `error` is; any other error fails the test.
pub(crate) fn violation(error: Error) -> ProtocolViolation {
    match error {
        Error::Protocol { violation, .. } => violation,
        other => panic!("expected a protocol violation, got {other:?}"),
    }
}

//! `--help` of every command: an example and the exit codes.

use super::util::wasmi_host;

#[test]
fn every_command_has_help_with_an_example_and_the_exit_codes() {
    for command in [
        &[][..],
        &["call"],
        &["serve"],
        &["emit"],
        &["inspect"],
        &["check"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let run = wasmi_host(&args).expect_code(0);
        assert!(run.stdout.contains("Example"), "{args:?}: {run:#?}");
        assert!(run.stdout.contains("wasmi-host "), "{args:?}");
        for code in [
            "Exit codes:",
            "  1  the plugin answered",
            "  4  the plugin cannot be loaded",
        ] {
            assert!(run.stdout.contains(code), "{args:?} lacks {code:?}");
        }
    }
}

#[test]
fn call_and_serve_document_the_host_methods() {
    for command in ["call", "serve", "emit"] {
        let run = wasmi_host(&[command, "--help"]).expect_code(0);
        for method in ["host.echo", "host.time", "host.log", "--mock"] {
            assert!(run.stdout.contains(method), "{command} lacks {method}");
        }
    }
}

#[test]
fn version() {
    let run = wasmi_host(&["--version"]).expect_code(0);
    assert!(run.stdout.starts_with("wasmi-host "), "{run:#?}");
}

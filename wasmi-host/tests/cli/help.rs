//! `--help` of every command (an example and the exit codes), the short
//! top-level help, `--version`, completions, man pages and `--color`.

use super::util::{TempDir, wasmi_host};

/// Every subcommand, as `wasmi-host --help` lists them.
const COMMANDS: [&str; 9] = [
    "call",
    "serve",
    "emit",
    "inspect",
    "check",
    "snapshot",
    "run",
    "completions",
    "man",
];

#[test]
fn the_top_level_help_fits_one_screen_and_points_at_the_commands() {
    for flag in ["-h", "--help"] {
        let run = wasmi_host(&[flag]).expect_code(0);
        assert!(run.stdout.lines().count() <= 40, "{flag}: {}", run.stdout);
        for command in COMMANDS {
            assert!(run.stdout.contains(&format!("  {command} ")), "{command}");
        }
        assert!(run.stdout.contains("wasmi-host help COMMAND"), "{flag}");
    }
}

#[test]
fn every_command_has_help_with_an_example_and_the_exit_codes() {
    for command in [
        &["call"][..],
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
fn the_version_names_the_engine() {
    let run = wasmi_host(&["--version"]).expect_code(0);
    assert_eq!(
        run.stdout,
        format!(
            "wasmi-host {} (wasmi {})\n",
            env!("CARGO_PKG_VERSION"),
            wasmi_hdk::WASMI_VERSION
        )
    );
}

#[test]
fn completions_cover_every_command_in_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = wasmi_host(&["completions", shell]).expect_code(0);
        for command in COMMANDS {
            assert!(run.stdout.contains(command), "{shell} lacks {command}");
        }
        assert!(run.stdout.contains("max-open-files"), "{shell}");
    }
    wasmi_host(&["completions", "tcsh"]).expect_code(2);
}

#[test]
fn man_pages_are_generated_from_the_flags() {
    let run = wasmi_host(&["man"]).expect_code(0);
    assert!(run.stdout.contains(".TH wasmi-host 1"), "{}", run.stdout);
    assert!(run.stdout.contains("snapshot"));
    let dir = TempDir::new("man");
    wasmi_host(&["man", "--out-dir", dir.path()]).expect_code(0);
    for command in COMMANDS {
        let page = std::fs::read_to_string(format!("{}/wasmi-host-{command}.1", dir.path()))
            .unwrap_or_else(|e| panic!("{command}: {e}"));
        assert!(
            page.contains(&format!(".TH wasmi-host-{command} 1")),
            "{command}"
        );
    }
}

/// `check`'s table is coloured only when asked to (the tests' stdout is
/// not a terminal, and they set `NO_COLOR`).
#[test]
fn color_follows_the_flag_then_no_color() {
    let escape = '\x1b';
    let run = wasmi_host(&["check", "--color", "always"]);
    assert!(run.stdout.contains(escape), "{run:#?}");
    for args in [
        &["check"][..],
        &["check", "--color", "never"],
        &["check", "--color", "auto"],
    ] {
        assert!(!wasmi_host(args).stdout.contains(escape), "{args:?}");
    }
    wasmi_host(&["check", "--color", "sometimes"]).expect_code(2);
}

//! Plugin log lines on stderr, and `-q` / `-v` / `-vv`.

use super::util::wasmi_host;

fn levels_shown(args: &[&str]) -> Vec<&'static str> {
    let run = wasmi_host(args).expect_code(0);
    assert_eq!(run.stdout, "null\n", "logs stay off stdout: {run:#?}");
    ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"]
        .into_iter()
        .filter(|level| {
            let line = format!(
                "[test-plugin {level} test_plugin] {} line",
                level.to_lowercase()
            );
            run.stderr.contains(&line)
        })
        .collect()
}

#[test]
fn info_and_above_by_default() {
    assert_eq!(levels_shown(&["call", "log"]), ["ERROR", "WARN", "INFO"]);
}

#[test]
fn quiet_hides_plugin_logs() {
    assert!(levels_shown(&["-q", "call", "log"]).is_empty());
    let run = wasmi_host(&["call", "log", "--quiet"]).expect_code(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn verbose_shows_debug_and_very_verbose_trace() {
    assert_eq!(
        levels_shown(&["-v", "call", "log"]),
        ["ERROR", "WARN", "INFO", "DEBUG"]
    );
    assert_eq!(
        levels_shown(&["call", "log", "-vv"]),
        ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"]
    );
}

#[test]
fn an_explicit_plugin_log_wins_over_verbose() {
    assert_eq!(
        levels_shown(&["-v", "call", "log", "--env", "PLUGIN_LOG=warn"]),
        ["ERROR", "WARN"]
    );
}

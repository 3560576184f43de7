//! `wasmi-host serve`: JSON-RPC 2.0 on the CLI's stdin/stdout.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::util::{
    HANG, Server, binary, misbehaving, wait_or_kill, wasmi_host, wasmi_host_with_stdin,
};

/// Every stdout line parsed; each must be a single line of JSON.
fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

/// Single responses by id (as its JSON text), checking each is JSON-RPC 2.0.
fn by_id(responses: &[Value]) -> HashMap<String, Value> {
    responses
        .iter()
        .map(|r| {
            assert_eq!(r["jsonrpc"], "2.0", "{r}");
            (r["id"].to_string(), r.clone())
        })
        .collect()
}

#[test]
fn answers_every_request_by_id() {
    let input = [
        r#"{"jsonrpc":"2.0","id":1,"method":"sieve","params":[1000]}"#,
        r#"{"jsonrpc":"2.0","id":"two","method":"ping"}"#,
        r#"{"jsonrpc":"2.0","method":"ping"}"#,
        "",
        r#"[{"jsonrpc":"2.0","id":3,"method":"add","params":[1,2]},{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","id":4,"method":"nope"}]"#,
        "this is not json",
        r#"{"jsonrpc":"2.0","id":5,"method":"many_echo","params":[2]}"#,
        "[]",
        r#"[{"jsonrpc":"2.0","method":"ping"}]"#,
        r#"{"id":6,"method":"ping"}"#,
        "[1]",
        r#"{"jsonrpc":"2.0","id":7,"method":"sleep","params":[50]}"#,
    ]
    .join("\n");
    let run = wasmi_host_with_stdin(&["serve"], &format!("{input}\n")).expect_code(0);
    let out = lines(&run.stdout);
    // 6 single answers, the parse error, the empty batch's error, and 2 batch answers:
    // notifications and the all-notification batch get none.
    assert_eq!(out.len(), 9, "{run:#?}");
    let (batches, singles): (Vec<Value>, Vec<Value>) = out.into_iter().partition(Value::is_array);
    let singles = by_id(&singles);
    assert_eq!(singles["1"]["result"], 168);
    assert_eq!(singles["\"two\""]["result"], "pong");
    assert_eq!(singles["5"]["result"], 2);
    assert!(singles["7"]["result"].as_u64().is_some_and(|ms| ms >= 50));
    assert_eq!(singles["6"]["error"]["code"], -32600);
    let null_codes: Vec<i64> = lines(&run.stdout)
        .iter()
        .filter(|r| r.is_object() && r["id"].is_null())
        .map(|r| r["error"]["code"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(null_codes.len(), 2, "{run:#?}");
    assert!(null_codes.contains(&-32700) && null_codes.contains(&-32600));

    assert_eq!(batches.len(), 2, "{batches:?}");
    let batch = batches
        .iter()
        .find(|b| b.as_array().is_some_and(|a| a.len() == 2))
        .expect("the three-message batch has two answers");
    let batch = by_id(batch.as_array().map(Vec::as_slice).unwrap_or_default());
    assert_eq!(batch["3"]["result"], 3);
    assert_eq!(batch["4"]["error"]["code"], -32601);
    let invalid = batches
        .iter()
        .find(|b| b.as_array().is_some_and(|a| a.len() == 1))
        .expect("the batch [1] has one answer");
    assert_eq!(invalid[0]["error"]["code"], -32600);
}

#[test]
fn answers_concurrently_out_of_order() {
    // The slow request comes first and sleeps for longer than the test may
    // run; the fast one is answered while it sleeps. (One at a time, the
    // first answer would be the slow one's, after the test timed out.)
    let mut server = Server::start(&["--timeout", "1h"]);
    server.send(r#"{"jsonrpc":"2.0","id":"slow","method":"sleep","params":[3000000]}"#);
    server.send(r#"{"jsonrpc":"2.0","id":"fast","method":"ping"}"#);
    let first: Value = serde_json::from_str(&server.next_line()).unwrap();
    assert_eq!(
        first,
        json!({"jsonrpc": "2.0", "id": "fast", "result": "pong"})
    );
}

#[test]
fn plugin_failures_answer_32000_with_their_kind() {
    let input = concat!(
        r#"{"jsonrpc":"2.0","id":1,"method":"panic"}"#,
        "\n",
        r#"{"jsonrpc":"2.0","id":3,"method":"garbage"}"#,
        "\n",
        r#"{"jsonrpc":"2.0","id":4,"method":"read_stdin_forever"}"#,
        "\n"
    );
    let run =
        wasmi_host_with_stdin(&["-q", "serve", "--plugin", misbehaving()], input).expect_code(0);
    let mut out = by_id(&lines(&run.stdout));
    // The timeout on its own, so that no other call of this test can meet it
    // on a busy machine.
    let looping = r#"{"jsonrpc":"2.0","id":2,"method":"loop"}"#;
    let timed = wasmi_host_with_stdin(
        &[
            "-q",
            "serve",
            "--plugin",
            misbehaving(),
            "--timeout",
            "300ms",
        ],
        &format!("{looping}\n"),
    )
    .expect_code(0);
    out.extend(by_id(&lines(&timed.stdout)));
    for (id, kind) in [("1", "trap"), ("2", "timeout"), ("3", "protocol")] {
        assert_eq!(out[id]["error"]["code"], -32000, "{run:#?}\n{timed:#?}");
        assert_eq!(
            out[id]["error"]["data"]["kind"], kind,
            "{run:#?}\n{timed:#?}"
        );
    }
    assert!(
        out["1"]["error"]["data"]["stderr_tail"]
            .as_str()
            .is_some_and(|t| t.contains("deliberate panic"))
    );
    assert_eq!(out["4"]["result"], json!(0));
}

#[test]
fn exits_cleanly_at_end_of_input() {
    let run = wasmi_host_with_stdin(&["serve"], "").expect_code(0);
    assert_eq!(run.stdout, "");
    let run = wasmi_host_with_stdin(&["serve"], r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#)
        .expect_code(0);
    assert_eq!(
        lines(&run.stdout),
        [json!({"jsonrpc": "2.0", "id": 9, "result": "pong"})]
    );
}

#[test]
fn plugin_logs_stay_off_stdout() {
    let input = r#"{"jsonrpc":"2.0","id":1,"method":"log"}"#;
    let run = wasmi_host_with_stdin(&["serve"], input).expect_code(0);
    assert_eq!(lines(&run.stdout).len(), 1);
    assert!(
        run.stderr
            .contains("[test-plugin INFO test_plugin] info line"),
        "{run:#?}"
    );
}

#[test]
fn a_line_over_the_message_limit_is_refused_and_the_next_one_answered() {
    // 64 KiB without a newline, then a request, against a 1 KiB limit. The
    // server never holds the long line: it answers -32600 and reads on.
    let long = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"echo","params":["{}"]}}"#,
        "x".repeat(64 << 10)
    );
    let input = format!(
        "{long}\n{}\n",
        r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#
    );
    let run = wasmi_host_with_stdin(&["serve", "--max-message", "1K"], &input).expect_code(0);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 2, "{run:#?}");
    let refused = out
        .iter()
        .find(|r| r["id"].is_null())
        .expect("an answer for the long line");
    assert_eq!(refused["error"]["code"], -32600);
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{} bytes", long.len())) && message.contains("1024 bytes"),
        "{message}"
    );
    assert_eq!(by_id(&out)["2"]["result"], "pong");
}

#[test]
fn max_concurrent_one_answers_in_input_order() {
    // The same input as `answers_concurrently_out_of_order`, one call at a
    // time: the fast request waits for the slow one, in a batch too.
    let slow = r#"{"jsonrpc":"2.0","id":"slow","method":"sleep","params":[300]}"#;
    let fast = r#"{"jsonrpc":"2.0","id":"fast","method":"ping"}"#;
    let input = format!("{slow}\n{fast}\n");
    let run = wasmi_host_with_stdin(&["serve", "--max-concurrent", "1"], &input).expect_code(0);
    let ids: Vec<String> = lines(&run.stdout)
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, ["slow", "fast"], "{run:#?}");

    // Two 200 ms sleeps in one batch take 400 ms or more, one after the other.
    let sleep = |id| format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"sleep","params":[200]}}"#);
    let batch = format!("[{},{}]\n", sleep(1), sleep(2));
    let started = std::time::Instant::now();
    let run = wasmi_host_with_stdin(&["serve", "--max-concurrent", "1"], &batch).expect_code(0);
    assert_eq!(
        lines(&run.stdout)[0].as_array().map(Vec::len),
        Some(2),
        "{run:#?}"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));

    let run = wasmi_host(&["serve", "--max-concurrent", "0"]).expect_code(2);
    assert!(run.stderr.contains("--max-concurrent"), "{run:#?}");
}

#[test]
fn a_batch_of_more_than_1024_messages_is_one_error() {
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let batch = |n: usize| format!("[{}]", vec![ping; n].join(","));
    let input = format!("{}\n{}\n", batch(1025), batch(1024));
    let run = wasmi_host_with_stdin(&["serve"], &input).expect_code(0);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 2, "{run:#?}");
    let refused = out
        .iter()
        .find(|r| r.is_object())
        .expect("one error for the long batch");
    assert_eq!(refused["error"]["code"], -32600);
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("more than 1024")),
        "{refused}"
    );
    let answered = out
        .iter()
        .find_map(Value::as_array)
        .expect("the 1024 are answered");
    assert_eq!(answered.len(), 1024);
    assert!(answered.iter().all(|a| a["result"] == "pong"));
}

/// Resident memory of process `pid` in MiB (Linux).
#[cfg(target_os = "linux")]
fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024
}

/// A client that writes 300 000 bad lines and does not read the answers
/// (30 MB of them) for two seconds: the server stops reading instead of
/// queueing them, then answers every one once the client reads.
///
/// The two seconds are not a bound: a server that queued without limit
/// would grow past 32 MiB in far less, and on a busy machine it only
/// gets less done in them, which shrinks what it holds.
#[cfg(target_os = "linux")]
#[test]
fn a_client_that_does_not_read_slows_the_server_instead_of_growing_it() {
    use std::{
        io::{BufRead, BufReader, Write},
        process::{Command, Stdio},
    };

    let lines_sent = 300_000;
    let mut child = Command::new(binary())
        .args(["-q", "serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&b"x\n".repeat(lines_sent));
    });
    std::thread::sleep(std::time::Duration::from_secs(2));
    let held = rss_mib(pid);
    let stdout = child.stdout.take().unwrap();
    let (tx, answers) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(BufReader::new(stdout).lines().count());
    });
    let answers = match answers.recv_timeout(HANG) {
        Ok(answers) => answers,
        Err(_) => {
            let _ = child.kill();
            panic!("the server did not answer every line in {HANG:?}");
        }
    };
    writer.join().unwrap();
    assert!(wait_or_kill(&mut child, "serve").success());
    assert_eq!(answers, lines_sent);
    // Measured: 12 MiB; answers queued without a bound made it 60 MiB.
    assert!(
        held < 32,
        "the server held {held} MiB while the client did not read"
    );
}

#[test]
fn a_batch_whose_answers_outgrow_the_line_limit_is_one_error() {
    let batch = |n: usize| {
        let items: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"time"}}"#))
            .collect();
        format!("[{}]", items.join(","))
    };
    // 30 answers of about 80 bytes do not fit in 2 KiB; 10 do.
    let input = format!("{}\n{}\n", batch(30), batch(10));
    let run = wasmi_host_with_stdin(&["serve", "--max-message", "2K"], &input).expect_code(0);
    let out = lines(&run.stdout);
    assert_eq!(out.len(), 2, "{run:#?}");
    let refused = out.iter().find(|r| r.is_object()).expect("one error");
    assert_eq!(refused["error"]["code"], -32603);
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("30 answers") && message.contains("2048"),
        "{message}"
    );
    assert_eq!(out.iter().find_map(Value::as_array).map(Vec::len), Some(10));
}

#[test]
fn the_server_stops_when_its_answers_cannot_be_written() {
    use std::{
        io::{Read, Write},
        process::{Command, Stdio},
    };

    let mut child = Command::new(binary())
        .args(["-q", "serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n")
        .unwrap();
    // stdin stays open: the server must notice on its own (or hang).
    let status = wait_or_kill(&mut child, "a server with nobody to answer");
    drop(stdin);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!status.success(), "{status:?}");
    assert!(stderr.contains("cannot write to stdout"), "{stderr}");
}

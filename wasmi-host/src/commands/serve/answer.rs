//! Answering one input line: a message, or a batch of at most
//! [`MAX_BATCH`] messages run a bounded number at a time.

use core::fmt;

use futures::{StreamExt, stream::FuturesOrdered};
use serde::{
    Deserialize, Deserializer,
    de::{self, SeqAccess, Visitor},
};
use serde_json::{Value, error::Category, value::RawValue};
use tokio::sync::Semaphore;
use wasmi_hdk::{
    RpcError,
    protocol::{Id, Message, MessageError, Response},
};

use super::Target;
use crate::failure;

/// The most messages one batch may hold; a longer batch is answered with
/// one `-32600` error, before any of it runs or is even parsed whole.
pub(super) const MAX_BATCH: usize = 1024;

/// The answer to one input line (a message or a batch), if it needs one.
/// Calls wait for one of the `calls` permits (`--max-concurrent`), and a
/// batch starts at most `width` of its messages at a time; a batch whose
/// answers would be longer than `max_line` (`--max-message`) is answered
/// with one error instead, and its answers are not kept.
pub(super) async fn answer_line(
    target: &Target,
    calls: &Semaphore,
    width: usize,
    max_line: usize,
    line: &str,
) -> Option<String> {
    if !line.starts_with('[') {
        return answer(target, calls, line).await;
    }
    let batch = match serde_json::from_str::<Batch<'_>>(line) {
        Ok(Batch(items)) if items.is_empty() => {
            return Some(error(Id::Null, RpcError::invalid_request("an empty batch")));
        }
        Ok(Batch(items)) => items,
        Err(e) => return Some(error(Id::Null, line_error(e))),
    };
    // In order, at most `width` at a time; every message runs, but the
    // answers are kept only while they fit in one line.
    let mut items = batch.into_iter();
    let mut running = FuturesOrdered::new();
    let mut answers = String::from("[");
    let (mut answered, mut length) = (0usize, 1usize);
    loop {
        while running.len() < width {
            let Some(item) = items.next() else { break };
            running.push_back(answer(target, calls, item.get()));
        }
        let Some(answer) = running.next().await else {
            break;
        };
        let Some(answer) = answer else { continue };
        length = length.saturating_add(answer.len() + 1);
        if length <= max_line {
            if answered > 0 {
                answers.push(',');
            }
            answers.push_str(&answer);
        } else {
            answers = String::new();
        }
        answered += 1;
    }
    if length > max_line {
        return Some(error(
            Id::Null,
            RpcError::internal(format!(
                "the batch ran, but its {answered} answers ({length} bytes) would exceed \
                 the line limit of {max_line} bytes (--max-message): send fewer requests per batch"
            )),
        ));
    }
    (answered > 0).then(|| answers + "]")
}

/// Runs one message: a request gets the plugin's answer, a notification
/// runs and gets none, anything else is an invalid request (or, for text
/// that is not JSON, a parse error).
async fn answer(target: &Target, calls: &Semaphore, text: &str) -> Option<String> {
    match Message::parse(text) {
        Ok(Message::Request(request)) => {
            tracing::debug!(id = %request.id, method = %request.method, "request");
            let _running = calls.acquire().await;
            let result = target
                .call(&request.method, request.params.unwrap_or(Value::Null))
                .await;
            Some(response(
                request.id,
                result.map_err(|e| failure::to_rpc_error(&e)),
            ))
        }
        Ok(Message::Notification(notification)) => {
            tracing::debug!(method = %notification.method, "notification");
            let params = notification.params.unwrap_or(Value::Null);
            let _running = calls.acquire().await;
            if let Err(e) = target.call(&notification.method, params).await {
                tracing::warn!(
                    method = %notification.method,
                    "notification failed: {}",
                    failure::describe(&e)
                );
            }
            None
        }
        Ok(Message::Response(_)) => Some(error(
            id_of(text),
            RpcError::invalid_request("a response, but this server sends no requests"),
        )),
        Err(MessageError::Json(e)) => Some(error(id_of(text), line_error(e))),
        Err(e) => Some(error(id_of(text), RpcError::invalid_request(e))),
    }
}

/// Text that is not JSON is a parse error; JSON of the wrong shape (not an
/// object, an id of 1.5, a batch too long) is an invalid request.
fn line_error(e: serde_json::Error) -> RpcError {
    match e.classify() {
        Category::Data => RpcError::invalid_request(e),
        Category::Syntax | Category::Eof | Category::Io => RpcError::parse_error(e),
    }
}

/// The message's id if it is a JSON object with a valid one, else `null`.
fn id_of(text: &str) -> Id {
    #[derive(Deserialize)]
    struct WithId {
        id: Id,
    }
    if !text.trim_start().starts_with('{') {
        return Id::Null;
    }
    serde_json::from_str::<WithId>(text).map_or(Id::Null, |m| m.id)
}

/// An error response line.
fn error(id: Id, error: RpcError) -> String {
    response(id, Err(error))
}

/// A response line (without its newline), members in the usual order.
pub(super) fn response(id: Id, outcome: Result<Value, RpcError>) -> String {
    Message::Response(Response { id, outcome }).to_line()
}

/// A JSON array of at most [`MAX_BATCH`] values, each kept as its text:
/// reading stops at the first one too many.
struct Batch<'a>(Vec<&'a RawValue>);

impl<'de> Deserialize<'de> for Batch<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items;

        impl<'de> Visitor<'de> for Items {
            type Value = Batch<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a batch: an array of messages")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    if items.len() == MAX_BATCH {
                        return Err(de::Error::custom(format_args!(
                            "a batch of more than {MAX_BATCH} messages"
                        )));
                    }
                    items.push(item);
                }
                Ok(Batch(items))
            }
        }

        deserializer.deserialize_seq(Items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_read_up_to_its_limit() {
        let Batch(items) = serde_json::from_str(r#"[1, {"a": [2]}, "x"]"#).unwrap();
        let texts: Vec<&str> = items.iter().map(|i| i.get()).collect();
        assert_eq!(texts, ["1", r#"{"a": [2]}"#, r#""x""#]);
        let full = format!("[{}]", vec!["0"; MAX_BATCH].join(","));
        assert!(serde_json::from_str::<Batch<'_>>(&full).is_ok());
        let over = format!("[{}]", vec!["0"; MAX_BATCH + 1].join(","));
        let error = serde_json::from_str::<Batch<'_>>(&over).err().unwrap();
        assert_eq!(error.classify(), Category::Data);
        assert!(error.to_string().contains("more than 1024"), "{error}");
    }

    #[test]
    fn not_json_is_a_parse_error_and_wrong_shapes_are_invalid() {
        let code = |text: &str| match Message::parse(text) {
            Err(MessageError::Json(e)) => line_error(e).code,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(code("not json"), -32700);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"#), -32700);
        assert_eq!(code("1"), -32600);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#), -32600);
        assert_eq!(
            id_of(r#"{"jsonrpc":"2.0","id":7,"result":1}"#),
            Id::Number(7)
        );
        assert_eq!(id_of("[1]"), Id::Null);
    }
}

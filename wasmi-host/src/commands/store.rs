//! `wasmi-host store`: look into the store file plugins keep their state
//! in (`--store PATH`): list namespaces and keys, read, write and remove a
//! key.

use std::io::{Read, Write};

use serde_json::Value;
use wasmi_hdk::store::{KvStore, ListQuery, MAX_PAGE, Namespace, RedbStore};

use crate::{
    cli::{StoreArgs, StoreCommand, StoreTarget},
    error::CliError,
    exit::Exit,
    output::{self, JsonStyle},
    store_file, units,
};

/// Runs one `store` subcommand.
pub(crate) async fn run(args: StoreArgs) -> Result<Exit, CliError> {
    match args.command {
        StoreCommand::Ls { prefix, target } => {
            let store = store_file::open_existing(&target.path)?;
            match namespace(&target)? {
                Some(ns) => list_keys(&store, &ns, prefix).await,
                None if prefix.is_empty() => list_namespaces(&store),
                None => Err(CliError::Usage(
                    "a PREFIX lists keys: give --plugin NAME or --namespace NS".to_owned(),
                )),
            }
        }
        StoreCommand::Get {
            key,
            pretty,
            compact,
            target,
        } => {
            let ns = required_namespace(&target)?;
            let store = store_file::open_existing(&target.path)?;
            let value = store
                .get(&ns, &key)
                .await
                .map_err(|source| failed(format!("cannot read key {key:?}"), source))?;
            let Some(value) = value else {
                return Err(no_such_key(key, &ns));
            };
            output::print_json(&value, JsonStyle::choose(pretty, compact)).map_err(stdout)?;
            Ok(Exit::Success)
        }
        StoreCommand::Put { key, value, target } => {
            let ns = required_namespace(&target)?;
            let value = read_value(value)?;
            let store = store_file::open_existing(&target.path)?;
            store
                .set(&ns, &key, value)
                .await
                .map_err(|source| failed(format!("cannot store key {key:?}"), source))?;
            Ok(Exit::Success)
        }
        StoreCommand::Rm { key, target } => {
            let ns = required_namespace(&target)?;
            let store = store_file::open_existing(&target.path)?;
            let existed = store
                .delete(&ns, &key)
                .await
                .map_err(|source| failed(format!("cannot remove key {key:?}"), source))?;
            if existed {
                Ok(Exit::Success)
            } else {
                Err(no_such_key(key, &ns))
            }
        }
    }
}

/// The namespace `--plugin` or `--namespace` names, if either is given.
fn namespace(target: &StoreTarget) -> Result<Option<Namespace>, CliError> {
    let ns = match (&target.plugin, &target.namespace) {
        (Some(plugin), _) => Namespace::plugin(plugin),
        (None, Some(name)) => Namespace::new(name),
        (None, None) => return Ok(None),
    };
    ns.map(Some).map_err(|e| CliError::Usage(e.to_string()))
}

fn required_namespace(target: &StoreTarget) -> Result<Namespace, CliError> {
    namespace(target)?.ok_or_else(|| {
        CliError::Usage("which namespace? give --plugin NAME or --namespace NS".to_owned())
    })
}

/// Every namespace with its usage, as a table.
fn list_namespaces(store: &RedbStore) -> Result<Exit, CliError> {
    let namespaces = store
        .namespaces()
        .map_err(|source| failed("cannot list the namespaces".to_owned(), source))?;
    let width = namespaces
        .iter()
        .map(|(ns, _)| ns.as_str().len())
        .chain(["namespace".len()])
        .max()
        .unwrap_or(0);
    let mut text = format!("{:width$}  {:>8}  {:>10}\n", "namespace", "keys", "bytes");
    for (ns, usage) in &namespaces {
        text.push_str(&format!(
            "{:width$}  {:>8}  {:>10}\n",
            ns.as_str(),
            usage.keys,
            usage.bytes
        ));
    }
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(stdout)?;
    Ok(Exit::Success)
}

/// The keys of `ns` starting with `prefix`, one per line, in byte order.
async fn list_keys(store: &RedbStore, ns: &Namespace, prefix: String) -> Result<Exit, CliError> {
    let mut out = std::io::stdout().lock();
    let mut cursor = None;
    loop {
        let query = ListQuery::new()
            .with_prefix(prefix.clone())
            .with_cursor(cursor.take())
            .with_limit(MAX_PAGE);
        let page = store
            .list(ns, query)
            .await
            .map_err(|source| failed(format!("cannot list the keys of {ns}"), source))?;
        for key in &page.keys {
            writeln!(out, "{key}").map_err(stdout)?;
        }
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    out.flush().map_err(stdout)?;
    Ok(Exit::Success)
}

/// `VALUE_JSON`, or stdin without it.
fn read_value(value: Option<String>) -> Result<Value, CliError> {
    let text = match value {
        Some(text) => text,
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|source| CliError::Io {
                    what: "cannot read the value from stdin",
                    source,
                })?;
            text
        }
    };
    let value = units::parse_json(&text).map_err(|e| CliError::Usage(format!("VALUE_JSON {e}")))?;
    if value.is_null() {
        return Err(CliError::Usage(
            "VALUE_JSON is null, which a store does not hold: use `store rm` to remove a key"
                .to_owned(),
        ));
    }
    Ok(value)
}

fn failed(what: String, source: wasmi_hdk::store::StoreError) -> CliError {
    CliError::Store { what, source }
}

fn no_such_key(key: String, ns: &Namespace) -> CliError {
    CliError::NoSuchKey {
        key,
        namespace: ns.to_string(),
    }
}

fn stdout(source: std::io::Error) -> CliError {
    CliError::Io {
        what: "cannot write to stdout",
        source,
    }
}

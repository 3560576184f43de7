//! The writer thread of a [`RedbStore`](super::RedbStore): every write
//! transaction runs here, off the async executor, with group commit.

use core::future::Future;
use std::{
    collections::BTreeMap,
    sync::{Arc, mpsc},
    thread::JoinHandle,
};

use futures::channel::oneshot;
use redb::{Database, ReadableTable, Table};

use super::{
    BatchOutcome, Namespace, Quota, StoreError, Usage,
    plan::{Plan, Prepared},
    redb_store::{ENTRIES, USAGE},
};

/// Most batches committed in one transaction.
const MAX_GROUP: usize = 64;

/// One batch waiting for the writer.
struct Request {
    namespace: Namespace,
    prepared: Prepared,
    quota: Quota,
    reply: oneshot::Sender<Result<BatchOutcome, StoreError>>,
}

/// The handle of the writer thread; dropping it stops and joins the thread
/// once the queued batches are committed.
#[derive(Debug)]
pub(super) struct Writer {
    queue: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread of `db`.
    pub(super) fn spawn(db: Arc<Database>) -> std::io::Result<Self> {
        let (queue, requests) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("wasmi-hdk-store-writer".into())
            .spawn(move || run(&db, &requests))?;
        Ok(Self {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues a batch; the future answers once it is committed (or failed).
    pub(super) fn submit(
        &self,
        namespace: Namespace,
        prepared: Prepared,
        quota: Quota,
    ) -> Result<impl Future<Output = Result<BatchOutcome, StoreError>> + use<>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            namespace,
            prepared,
            quota,
            reply,
        };
        self.queue
            .as_ref()
            .and_then(|queue| queue.send(request).ok())
            .ok_or_else(stopped)?;
        Ok(async move { answer.await.map_err(|_| stopped())? })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take() {
            // A panic in the writer has already failed its requests.
            let _ = thread.join();
        }
    }
}

fn stopped() -> StoreError {
    StoreError::backend("writing", "the store's writer thread has stopped")
}

/// Commits what arrives, a group at a time, until every sender is gone.
fn run(db: &Database, requests: &mpsc::Receiver<Request>) {
    while let Ok(first) = requests.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        commit(db, group);
    }
}

/// Runs `group` in one transaction and answers each batch after the commit.
fn commit(db: &Database, group: Vec<Request>) {
    let (jobs, replies): (Vec<_>, Vec<_>) = group
        .into_iter()
        .map(|r| ((r.namespace, r.prepared, r.quota), r.reply))
        .unzip();
    match run_group(db, jobs) {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(failed) => {
            // The transaction is gone: nothing of the group was written.
            let failed = Arc::new(failed);
            for reply in replies {
                let _ = reply.send(Err(StoreError::backend("committing", failed.clone())));
            }
        }
    }
}

/// Applies the batches in order, each all-or-nothing, and commits.
fn run_group(
    db: &Database,
    jobs: Vec<(Namespace, Prepared, Quota)>,
) -> Result<Vec<Result<BatchOutcome, StoreError>>, redb::Error> {
    let tx = db.begin_write()?;
    let mut results = Vec::with_capacity(jobs.len());
    {
        let mut entries = tx.open_table(ENTRIES)?;
        let mut usage = tx.open_table(USAGE)?;
        for (namespace, prepared, quota) in jobs {
            // A refused batch writes nothing; the others go on.
            let result = match plan(&entries, &usage, &namespace, prepared, &quota)? {
                Ok(plan) => {
                    write(&mut entries, &mut usage, &namespace, &plan)?;
                    Ok(plan.outcome)
                }
                Err(refused) => Err(refused),
            };
            results.push(result);
        }
    }
    tx.commit()?;
    Ok(results)
}

/// Reads what `prepared` touches and plans it: `Err` if redb failed,
/// `Ok(Err)` if the batch is refused.
fn plan(
    entries: &Table<'_, (&str, &str), &[u8]>,
    usage: &Table<'_, &str, (u64, u64)>,
    namespace: &Namespace,
    prepared: Prepared,
    quota: &Quota,
) -> Result<Result<Plan, StoreError>, redb::Error> {
    let ns = namespace.as_str();
    let mut current = BTreeMap::new();
    for key in prepared.keys() {
        let value = entries.get((ns, key.as_str()))?.map(|v| v.value().to_vec());
        current.insert(key.clone(), value);
    }
    let before = usage.get(ns)?.map_or_else(Usage::default, |guard| {
        let (keys, bytes) = guard.value();
        Usage { keys, bytes }
    });
    Ok(prepared.plan(current, before, quota))
}

fn write(
    entries: &mut Table<'_, (&str, &str), &[u8]>,
    usage: &mut Table<'_, &str, (u64, u64)>,
    namespace: &Namespace,
    plan: &Plan,
) -> Result<(), redb::Error> {
    let ns = namespace.as_str();
    for (key, value) in &plan.writes {
        match value {
            Some(bytes) => drop(entries.insert((ns, key.as_str()), bytes.as_slice())?),
            None => drop(entries.remove((ns, key.as_str()))?),
        }
    }
    if plan.usage == Usage::default() {
        usage.remove(ns)?;
    } else {
        usage.insert(ns, (plan.usage.keys, plan.usage.bytes))?;
    }
    Ok(())
}

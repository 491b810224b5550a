//! Streamed results. `Rows` is the cursor `Database::query` and `WriteTxn::execute` return:
//! rows come as the caller pulls them, so a result of any size takes memory bounded by a few
//! batches, and a caller that stops early stops the statement.
//!
//! A read statement runs on a producer thread over its own snapshot and sends batches of
//! materialized rows through a bounded channel (`CHANNEL_BATCHES` batches of `BATCH_ROWS`); the
//! producer waits while the channel is full. Dropping the cursor raises the statement's cancel
//! flag and waits for the producer to end. A write statement runs to its end inside its
//! transaction before the cursor is returned (it must be atomic), so its rows are buffered.
//!
//! `Database::query` waits for the first batch before it returns, so an error raised before
//! the first rows (a missing parameter, a type error in the first row) comes from `query`
//! itself; a later one comes from the iterator.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::exec::context::{Interrupt, Stats};
use crate::value::Value;

use super::query::{QueryResult, Row};

/// Rows per message from the producer.
pub(crate) const BATCH_ROWS: usize = 256;
/// Messages the channel holds before the producer waits.
const CHANNEL_BATCHES: usize = 4;

/// What the producer sends.
pub(crate) enum Message {
    Rows(Vec<Vec<Value>>),
    Done {
        stats: Stats,
        profile: Option<String>,
    },
    Failed(Error),
}

/// The producer's end of a streamed result.
pub(crate) struct Producer {
    sender: SyncSender<Message>,
    batch: Vec<Vec<Value>>,
}

impl Producer {
    /// Queues a row; `false` when the cursor is gone and the statement should stop.
    pub(crate) fn push(&mut self, row: Vec<Value>) -> bool {
        self.batch.push(row);
        if self.batch.len() < BATCH_ROWS {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_ROWS));
        self.sender.send(Message::Rows(batch)).is_ok()
    }

    /// Sends the rows still queued, then how the statement ended.
    pub(crate) fn finish(mut self, outcome: Result<(Stats, Option<String>)>) {
        match outcome {
            Ok((stats, profile)) => {
                if !self.batch.is_empty() {
                    let batch = std::mem::take(&mut self.batch);
                    if self.sender.send(Message::Rows(batch)).is_err() {
                        return;
                    }
                }
                let _ = self.sender.send(Message::Done { stats, profile });
            }
            // Rows queued before an error are dropped: the statement failed.
            Err(error) => {
                let _ = self.sender.send(Message::Failed(error));
            }
        }
    }
}

enum Source {
    /// Every row is here already.
    Buffered,
    /// A producer thread is running the statement.
    Streaming {
        receiver: Receiver<Message>,
        cancel: Interrupt,
        producer: Option<workers::Running>,
    },
}

/// A statement's result, row by row: an `Iterator` of `Result<Row>`. The columns are known at
/// once; what the statement changed (`stats`) and PROFILE's report (`profile`) once the last
/// row has been read. `into_result` reads every row into a `QueryResult`.
pub struct Rows {
    columns: Arc<[String]>,
    pending: VecDeque<Vec<Value>>,
    source: Source,
    finished: bool,
    stats: Stats,
    profile: Option<String>,
}

impl Rows {
    /// A cursor over rows computed already.
    pub(crate) fn buffered(result: QueryResult) -> Rows {
        let QueryResult {
            columns,
            rows,
            stats,
            profile,
        } = result;
        Rows {
            columns: columns.into(),
            pending: rows.into_iter().map(Row::into_values).collect(),
            source: Source::Buffered,
            finished: true,
            stats,
            profile,
        }
    }

    /// Starts `run` on a producer thread and waits for its first batch (or its end).
    pub(crate) fn stream(
        columns: Vec<String>,
        run: impl FnOnce(&mut Producer, &Interrupt) -> Result<(Stats, Option<String>)> + Send + 'static,
    ) -> Result<Rows> {
        let (sender, receiver) = sync_channel(CHANNEL_BATCHES);
        let cancel = Interrupt::new();
        let flag = cancel.clone();
        let producer = workers::start(Box::new(move || {
            let mut producer = Producer {
                sender,
                batch: Vec::with_capacity(BATCH_ROWS),
            };
            // `run` and what it holds (a snapshot, a transaction) are gone before the end is
            // sent.
            let outcome = run(&mut producer, &flag);
            producer.finish(outcome);
        }))?;
        let mut rows = Rows {
            columns: columns.into(),
            pending: VecDeque::new(),
            source: Source::Streaming {
                receiver,
                cancel,
                producer: Some(producer),
            },
            finished: false,
            stats: Stats::default(),
            profile: None,
        };
        rows.receive()?;
        Ok(rows)
    }

    /// Takes the next message from the producer into `pending`; at the end, joins it.
    fn receive(&mut self) -> Result<()> {
        let Source::Streaming {
            receiver, producer, ..
        } = &mut self.source
        else {
            return Ok(());
        };
        let message = receiver.recv();
        let outcome = match message {
            Ok(Message::Rows(batch)) => {
                self.pending.extend(batch);
                return Ok(());
            }
            Ok(Message::Done { stats, profile }) => {
                self.stats = stats;
                self.profile = profile;
                Ok(())
            }
            Ok(Message::Failed(error)) => Err(error),
            // The producer ended without a word: it panicked.
            Err(_) => Err(Error::QueryThreadLost),
        };
        self.finished = true;
        if let Some(running) = producer.take() {
            running.wait();
        }
        outcome
    }

    /// The column names.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// What the statement changed; complete once every row has been read.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// With PROFILE: the plan with rows and time per operator, once every row has been read.
    #[must_use]
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// True once every row has been produced (they may not all have been read yet).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Reads every remaining row.
    pub fn into_result(mut self) -> Result<QueryResult> {
        let mut values = Vec::new();
        for row in self.by_ref() {
            values.push(row?.into_values());
        }
        Ok(QueryResult::new(
            self.columns.to_vec(),
            values,
            self.stats,
            self.profile.take(),
        ))
    }

    /// The remaining rows, each deserialized into `T` (fields named like the columns).
    pub fn deserialize<T: DeserializeOwned>(self) -> impl Iterator<Item = Result<T>> {
        self.map(|row| {
            let row = row?;
            Ok(crate::value::from_value(Value::Map(row.to_map().into()))?)
        })
    }
}

impl Iterator for Rows {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        loop {
            if let Some(values) = self.pending.pop_front() {
                return Some(Ok(Row::new(Arc::clone(&self.columns), values)));
            }
            if self.finished {
                return None;
            }
            if let Err(error) = self.receive() {
                return Some(Err(error));
            }
        }
    }
}

impl Drop for Rows {
    fn drop(&mut self) {
        if let Source::Streaming {
            receiver,
            cancel,
            producer,
        } = &mut self.source
            && let Some(handle) = producer.take()
        {
            cancel.raise();
            // Unblock a producer waiting on a full channel, then wait for it to stop.
            while receiver.recv().is_ok() {}
            handle.wait();
        }
    }
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows")
            .field("columns", &self.columns)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// The threads statements run on. A thread that has run a statement waits a while for the
/// next one rather than exit: a statement on a fresh thread gets a fresh allocator heap and
/// pays a page fault for every page it touches first, a tenth of a large query's time.
mod workers {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
    use std::sync::{Mutex, PoisonError};
    use std::time::Duration;

    use crate::error::{Error, Result};

    pub(super) type Job = Box<dyn FnOnce() + Send>;

    /// How long an idle thread waits for another statement before it exits.
    const IDLE_FOR: Duration = Duration::from_secs(30);
    /// Idle threads kept at most.
    const MAX_IDLE: usize = 4;

    /// An idle thread: its number and where to send it a job (with where to report the end).
    type Idle = (u64, SyncSender<(Job, SyncSender<()>)>);

    static IDLE: Mutex<Vec<Idle>> = Mutex::new(Vec::new());
    static NEXT_ID: Mutex<u64> = Mutex::new(0);

    fn idle() -> std::sync::MutexGuard<'static, Vec<Idle>> {
        IDLE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A job started on a worker; `wait` returns once it has ended (also by a panic).
    pub(crate) struct Running(Receiver<()>);

    impl Running {
        pub(crate) fn wait(self) {
            let _ = self.0.recv();
        }
    }

    /// Runs `job` on an idle worker, or on a new one.
    pub(super) fn start(job: Job) -> Result<Running> {
        let (done, ended) = sync_channel(1);
        let mut job = (job, done);
        loop {
            let Some((_, worker)) = idle().pop() else {
                break;
            };
            match worker.send(job) {
                Ok(()) => return Ok(Running(ended)),
                // That worker exited meanwhile: the job comes back.
                Err(std::sync::mpsc::SendError(back)) => job = back,
            }
        }
        let (first, done) = job;
        let id = {
            let mut next = NEXT_ID.lock().unwrap_or_else(PoisonError::into_inner);
            *next += 1;
            *next
        };
        std::thread::Builder::new()
            .name("cordial-query".into())
            .spawn(move || work(id, first, done))
            .map_err(Error::Thread)?;
        Ok(Running(ended))
    }

    /// Runs jobs until none comes for `IDLE_FOR`.
    fn work(id: u64, first: Job, done: SyncSender<()>) {
        let (sender, jobs) = sync_channel::<(Job, SyncSender<()>)>(1);
        let (mut job, mut done) = (first, done);
        loop {
            // A panic is reported to the statement by its dropped channel; the thread goes on.
            let _ = catch_unwind(AssertUnwindSafe(job));
            let _ = done.send(());
            {
                let mut idle = idle();
                if idle.len() >= MAX_IDLE {
                    return;
                }
                idle.push((id, sender.clone()));
            }
            let next = match jobs.recv_timeout(IDLE_FOR) {
                Ok(next) => next,
                Err(RecvTimeoutError::Timeout) => {
                    let mut idle = idle();
                    if let Some(at) = idle.iter().position(|(i, _)| *i == id) {
                        idle.remove(at);
                        return;
                    }
                    drop(idle);
                    // Taken from the idle list just now: a job is on its way.
                    match jobs.recv() {
                        Ok(next) => next,
                        Err(_) => return,
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            (job, done) = next;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::sync::Arc;

        /// Runs `job` and waits for its end.
        fn run(job: impl FnOnce() + Send + 'static) {
            start(Box::new(job)).unwrap().wait();
        }

        #[test]
        fn statements_one_after_another_reuse_threads() {
            let seen = Arc::new(Mutex::new(Vec::new()));
            for _ in 0..20 {
                let seen = Arc::clone(&seen);
                run(move || seen.lock().unwrap().push(std::thread::current().id()));
            }
            let mut ids = seen.lock().unwrap().clone();
            ids.sort_by_key(|id| format!("{id:?}"));
            ids.dedup();
            // Other tests may take a thread meanwhile, never most of them.
            assert!(ids.len() < 10, "{} threads for 20 statements", ids.len());
        }

        #[test]
        fn a_panicking_statement_ends_and_the_next_one_runs() {
            run(|| panic!("a statement panicked"));
            let (sender, receiver) = sync_channel(1);
            run(move || sender.send(42).unwrap());
            assert_eq!(receiver.recv().unwrap(), 42);
        }
    }
}

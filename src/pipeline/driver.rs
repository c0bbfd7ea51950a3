//! The parallel driver: an ordered, bounded, parallel map from chunks of sources to a [`Sink`].
//!
//! A producer thread takes the chunks one after the other and maps each on the worker pool (rayon,
//! one thread per core, each a little less favoured by the scheduler than the sink's thread); the
//! mapped chunks cross a bounded channel, in order, to the sink on the calling thread. Back-pressure
//! keeps memory flat whatever the corpus size, and order keeps runs reproducible (the same file always
//! wins the `ingested` status among copies). If the sink fails, the channel closes, the producer stops
//! at its next send, and the sink's error is what the caller gets.

use crate::record::Record;
use anyhow::{Context, Result};

/// Mapped chunks that may wait in the channel: none. The producer hands a mapped chunk over only
/// when the sink takes it, so memory holds about two chunks of prepared text (one being written, one
/// ready; a chunk of 1,024 real pages, with their removed lines, is about 15 MB). Where the writer
/// is the narrowest stage (real text), one ready chunk keeps it busy: a waiting chunk more took
/// 12 MB more peak memory at 100k files and was no faster; without it, batches of 1,024 files took
/// the memory 512 took with one waiting (see [`crate::tuning::Tuning::batch_files`]).
const CHANNEL_CHUNKS: usize = 0;

/// How much less the scheduler favours a worker thread than the sink's (nice values, on Linux).
/// Linux shares a core between runnable threads by weight: at nice 5 (a third of the sink's weight)
/// a worker on the writer's core still took a quarter of it, and the writer, the narrowest stage,
/// waited 2.06 s on the run queue in a 100k-file real-text ingest; at 10 (a tenth), 1.28 s, and
/// the ingest took 42.27 s instead of 43.59 (20k files: 0.42-0.61 s -> 0.26-0.27 s; 19 was no
/// better than 10). Where Linux groups a session's or a service's threads (autogroup, cgroups), nice
/// values weigh only within the group: programs in other groups get no more of the machine by it.
const WORKER_NICENESS: i32 = 10;

/// Where records go, a chunk at a time, in source order. The database writer is one sink (of
/// [`Record`]s); `newsdb prepare`'s printer of prepared records is another.
pub trait Sink<T = Record> {
    fn put(&mut self, records: Vec<T>) -> Result<()>;

    /// Called when the sink has waited a quarter of a second for the next chunk: a sink that holds
    /// work back to do it in bulk (the writer's commits) does it now, so that what it was given
    /// does not wait on input that comes slowly or not at all (a JSON Lines stream).
    fn idle(&mut self) -> Result<()> {
        Ok(())
    }

    /// Called once after the last chunk was put, when every chunk was: a sink that holds records
    /// back (to write them in batches of its own size) writes the rest here.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Maps every chunk of `chunks` with `map` on the worker pool and hands the results to `sink`, in
/// order. `map` runs on the producer thread inside the pool, so rayon's parallel iterators in it use
/// the pool's threads; it may keep state from chunk to chunk. An `Err` chunk (a read error of the
/// source) stops the run with that error.
pub fn drive<C: Send, T: Send>(
    chunks: impl Iterator<Item = Result<C>> + Send,
    map: impl FnMut(C) -> Vec<T> + Send,
    sink: &mut dyn Sink<T>,
) -> Result<()> {
    drive_buffered(chunks, map, sink, CHANNEL_CHUNKS)
}

/// [`drive`] with up to `waiting` mapped chunks waiting in the channel. With chunks smaller than
/// what the sink writes at once, and room for a sink's batch of them in the channel, the workers
/// go on mapping while the sink writes, and the sink starts its next batch as soon as the chunks
/// for it are ready, in the same memory as one ready batch-sized chunk (see
/// `STORING_CHUNKS_PER_BATCH` in `files.rs`).
pub fn drive_buffered<C: Send, T: Send>(
    chunks: impl Iterator<Item = Result<C>> + Send,
    mut map: impl FnMut(C) -> Vec<T> + Send,
    sink: &mut dyn Sink<T>,
    waiting: usize,
) -> Result<()> {
    let workers = workers()?;
    let (tx, rx) = crossbeam_channel::bounded::<Vec<T>>(waiting);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || -> Result<()> {
            for chunk in chunks {
                let chunk = chunk?;
                let records = workers.install(|| map(chunk));
                if tx.send(records).is_err() {
                    break; // the sink stopped; its error is what gets reported
                }
            }
            Ok(())
        });
        let result = take_all(&rx, sink);
        drop(rx);
        result?;
        producer.join().expect("the producer does not panic")?;
        sink.finish()
    })
}

/// How long the sink waits for the next chunk before it is told it is idle ([`Sink::idle`]). A
/// bulk ingest's workers map a chunk in about a tenth of a second, and the writer, the narrowest
/// stage, finds one ready or nearly so: told at once, it committed after most gaps between chunks,
/// so its commits of eight batches came apart (system CPU 8.7-8.9 -> 9.7-10.3 s at 100k files).
const IDLE_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

/// Puts every mapped chunk from `rx` into `sink`, telling it when it waits for the next.
fn take_all<T>(rx: &crossbeam_channel::Receiver<Vec<T>>, sink: &mut dyn Sink<T>) -> Result<()> {
    use crossbeam_channel::RecvTimeoutError;
    loop {
        let records = match rx.recv_timeout(IDLE_AFTER) {
            Ok(records) => records,
            Err(RecvTimeoutError::Timeout) => {
                sink.idle()?;
                match rx.recv() {
                    Ok(records) => records,
                    Err(_) => return Ok(()),
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        sink.put(records)?;
    }
}

/// The pool of worker threads, one per core, each less favoured by the scheduler than the sink
/// ([`WORKER_NICENESS`]). The database writer is the pipeline's narrowest stage (FTS5 indexing
/// happens there and nowhere else): with as many busy threads as cores and equal shares, it got
/// about three quarters of a core while the workers filled the channel and then waited on it.
fn workers() -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("newsdb-worker-{i}"))
        .start_handler(|_| lower_this_thread_priority())
        .build()
        .context("starting the worker threads")
}

#[cfg(target_os = "linux")]
fn lower_this_thread_priority() {
    // SAFETY: getpriority and setpriority read and write no memory of ours. On Linux, PRIO_PROCESS
    // with id 0 is the calling thread only. Relative to the process's own niceness (cron may run it
    // niced); if it fails, the thread keeps the sink's priority.
    unsafe {
        let nice = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (nice + WORKER_NICENESS).min(19));
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread_priority() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what it is given, and lets the chunks go on once it is idle.
    struct Waiting {
        put: Vec<u32>,
        idle: crossbeam_channel::Sender<()>,
    }

    impl Sink<u32> for Waiting {
        fn put(&mut self, records: Vec<u32>) -> Result<()> {
            self.put.extend(records);
            Ok(())
        }

        fn idle(&mut self) -> Result<()> {
            let _ = self.idle.try_send(());
            Ok(())
        }
    }

    #[test]
    fn a_sink_is_told_when_it_would_wait() {
        // The second chunk comes only once the sink said it is idle: it is the sink's turn to wait
        // once the first is taken, so it must say so.
        let (idle, went_idle) = crossbeam_channel::bounded(1);
        let mut sink = Waiting {
            put: Vec::new(),
            idle,
        };
        let mut next = 0;
        let chunks = std::iter::from_fn(|| {
            next += 1;
            match next {
                1 => Some(Ok(vec![1])),
                2 => Some(
                    went_idle
                        .recv_timeout(std::time::Duration::from_secs(60))
                        .map(|()| vec![2])
                        .map_err(|_| anyhow::anyhow!("the sink was never told it is idle")),
                ),
                _ => None,
            }
        });
        drive(chunks, |chunk: Vec<u32>| chunk, &mut sink).unwrap();
        assert_eq!(sink.put, [1, 2]);
    }
    use crate::read::Stat;
    use crate::record::Outcome;
    use rayon::prelude::*;
    use std::path::PathBuf;

    struct Collect(Vec<String>);

    impl Sink for Collect {
        fn put(&mut self, records: Vec<Record>) -> Result<()> {
            self.0
                .extend(records.iter().map(|r| r.path.display().to_string()));
            anyhow::ensure!(self.0.len() < 50, "the sink is full");
            Ok(())
        }
    }

    fn record(n: u32) -> Record {
        Record {
            path: PathBuf::from(n.to_string()),
            line: None,
            stat: Stat::default(),
            outcome: Outcome::KnownBytes {
                raw_hash: String::new(),
                document_id: None,
            },
        }
    }

    fn chunks(n: u32) -> impl Iterator<Item = Result<Vec<u32>>> + Send {
        (0..n)
            .collect::<Vec<_>>()
            .chunks(7)
            .map(|c| Ok(c.to_vec()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn records_reach_the_sink_in_source_order() {
        let mut sink = Collect(Vec::new());
        drive(
            chunks(40),
            |c: Vec<u32>| c.into_par_iter().map(record).collect(),
            &mut sink,
        )
        .unwrap();
        let expected: Vec<String> = (0..40).map(|n| n.to_string()).collect();
        assert_eq!(sink.0, expected);
    }

    #[test]
    fn a_failing_sink_stops_the_producer_and_its_error_is_returned() {
        let mut sink = Collect(Vec::new());
        let err = drive(
            chunks(10_000),
            |c: Vec<u32>| c.into_iter().map(record).collect(),
            &mut sink,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "the sink is full");
    }

    /// Holds records back and writes them in batches of 10, as the database writer does.
    struct Batches {
        held: Vec<String>,
        written: Vec<Vec<String>>,
    }

    impl Sink for Batches {
        fn put(&mut self, records: Vec<Record>) -> Result<()> {
            self.held
                .extend(records.iter().map(|r| r.path.display().to_string()));
            while self.held.len() >= 10 {
                let rest = self.held.split_off(10);
                self.written.push(std::mem::replace(&mut self.held, rest));
            }
            Ok(())
        }

        fn finish(&mut self) -> Result<()> {
            self.written.push(std::mem::take(&mut self.held));
            Ok(())
        }
    }

    #[test]
    fn chunks_waiting_in_the_channel_still_arrive_in_order_and_the_sink_finishes() {
        let mut sink = Batches {
            held: Vec::new(),
            written: Vec::new(),
        };
        drive_buffered(
            chunks(45),
            |c: Vec<u32>| c.into_par_iter().map(record).collect(),
            &mut sink,
            3,
        )
        .unwrap();
        let sizes: Vec<usize> = sink.written.iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 10, 10, 5]);
        let expected: Vec<String> = (0..45).map(|n| n.to_string()).collect();
        assert_eq!(sink.written.concat(), expected);
    }

    #[test]
    fn a_source_error_ends_the_run_with_it() {
        let mut sink = Collect(Vec::new());
        let source = chunks(14).chain(std::iter::once(Err(anyhow::anyhow!("reading line 15"))));
        let err = drive(
            source,
            |c: Vec<u32>| c.into_iter().map(record).collect(),
            &mut sink,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "reading line 15");
        assert_eq!(sink.0.len(), 14);
    }
}

//! Checkpoints on a thread of their own while a run writes.
//!
//! In WAL mode every commit appends pages to the `-wal` file, and a checkpoint copies them back into
//! the database file. SQLite's default runs that checkpoint inside the commit that takes the log past
//! 1,000 pages, on the committing thread: on the real-text bench corpus that was 13% of the writer's
//! time (perf: `walCheckpoint` under `sqlite3WalDefaultHook`), while the workers waited for it. During
//! a run the writer's connection instead tells a [`Checkpointer`] thread, with a connection of its
//! own, when the log has grown that far; the thread runs a passive checkpoint (it never waits for a
//! lock and never blocks the writer) while the writer goes on with the next batch. Every few batches
//! ([`RESTART_PAGES`]) the writer waits for one, so that the log is written from its start again
//! and stays small. SQLite allows a checkpoint and a write at the same time: what a checkpoint
//! copied is as durable as an automatic checkpoint leaves it, and where a process dies in between,
//! the log still holds every committed page. Only when pages reach the database file changes, never
//! what is stored.

use rusqlite::{Connection, OpenFlags};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Log size, in pages, at which a checkpoint is asked for: SQLite's own default for automatic
/// checkpoints.
const CHECKPOINT_PAGES: i32 = 1000;

/// Log size, in pages, at which the writer waits for a checkpoint of the whole log (192 MiB of 8 KiB
/// pages). SQLite writes the log from its beginning again only when a transaction begins with every
/// page of it copied, which a writer that never waits does not see: the log grew to 3.6 times the
/// database (770 MB for 20k files). Each wait is for the pages committed since the last checkpoint
/// began: since commits take eight batches (12-16k pages at 100k real-text files), 64 MiB made the
/// writer wait after every commit, 0.16-0.35 s each, 2.5 s in all; at 192 MiB it waits after every
/// second one, while the checkpoint of the first ran beside its work. 100k real-text files, three
/// alternating rounds: 37.66/38.39/38.47 s -> 36.43/36.17/36.01 s (at 20k files, whose three
/// commits wait at most once, within noise: 7.31-9.55 s against 7.44-8.01).
const RESTART_PAGES: i32 = 24_576;

/// What the writer's connection asks of the thread.
enum Ask {
    /// A checkpoint, when the thread gets to it.
    Checkpoint,
    /// A checkpoint of the whole log, and word when it is done.
    Wait(SyncSender<()>),
}

/// The thread that checkpoints the writer's database while a run writes (see the module's doc).
pub struct Checkpointer {
    thread: JoinHandle<()>,
}

impl Checkpointer {
    /// Hands `conn`'s checkpoints to a new thread. `None` (and `conn` keeps checkpointing itself)
    /// where that cannot be done: a database in memory or not in WAL mode, a second connection that
    /// cannot be opened, a thread that cannot be started.
    pub fn start(conn: &mut Connection) -> Option<Checkpointer> {
        Checkpointer::waiting_at(conn, RESTART_PAGES)
    }

    /// [`start`](Self::start), the writer waiting for a checkpoint of the whole log when it reaches
    /// `restart_pages`.
    fn waiting_at(conn: &mut Connection, restart_pages: i32) -> Option<Checkpointer> {
        let path = conn.path().filter(|p| !p.is_empty())?.to_owned();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return None;
        }
        let own = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        // One request waiting is enough: a checkpoint copies whatever the log holds when it starts.
        let (ask, asked) = sync_channel::<Ask>(1);
        let thread = std::thread::Builder::new()
            .name("newsdb-checkpoint".into())
            .spawn(move || checkpoint_when_asked(own, asked))
            .ok()?;
        // Replaces SQLite's automatic checkpoint (itself a WAL hook) on the writer's connection.
        let hooked = conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages| {
            if pages >= restart_pages {
                // Called after the commit, with no lock held: the checkpoint can copy every page,
                // and the next transaction writes the log from its start.
                let (done, wait) = sync_channel(1);
                if ask.send(Ask::Wait(done)).is_ok() {
                    let _ = wait.recv();
                }
            } else if pages >= CHECKPOINT_PAGES {
                // Full: a checkpoint is asked for already. Gone: the thread ended (see `stop`).
                let _ = ask.try_send(Ask::Checkpoint);
            }
            Ok(())
        }));
        if hooked.is_err() {
            // The closure, and with it the thread's only sender, was dropped: the thread ends.
            let _ = thread.join();
            return None;
        }
        Some(Checkpointer { thread })
    }

    /// Gives `conn` its automatic checkpoints back and waits for the thread's last checkpoint.
    pub fn stop(self, conn: &mut Connection) {
        // Dropping the hook drops the thread's sender, which ends its loop.
        let _ = conn.wal_hook(None::<fn(&mut rusqlite::hooks::Wal, i32) -> rusqlite::Result<()>>);
        let _ = conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES);
        let _ = self.thread.join();
    }
}

/// The thread: a passive checkpoint each time one is asked for, until the writer stops asking.
fn checkpoint_when_asked(conn: Connection, asked: Receiver<Ask>) {
    // A connection learns that the database is in WAL mode when it first reads it; until then its
    // checkpoints do nothing (and succeed).
    let _ = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    });
    while let Ok(ask) = asked.recv() {
        // Best effort, as SQLite's own automatic checkpoint is: one that cannot run now (another
        // checkpoint holds the lock) leaves the pages for the next, or for the writer's close.
        let _ = conn.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE);
        if let Ask::Wait(done) = ask {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wal_frames(conn: &Connection) -> (i32, i32) {
        conn.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE)
            .unwrap()
    }

    /// A database file `t.db` in `dir`, in WAL mode, with a table `t` of blobs.
    fn wal_database(dir: &std::path::Path) -> Connection {
        let conn = Connection::open(dir.join("t.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        conn
    }

    /// Commits `rows` rows of 4,000 random bytes to `t`: a page of 4 KiB each.
    fn insert_pages(conn: &Connection, rows: i64) {
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
             INSERT INTO t SELECT randomblob(4000) FROM n",
            [rows],
        )
        .unwrap();
    }

    #[test]
    fn the_thread_checkpoints_what_the_writer_commits_and_stop_restores_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = wal_database(dir.path());
        let checkpointer = Checkpointer::start(&mut conn).expect("a file in WAL mode");
        // Well past the threshold: 3,000 pages of 4 KiB in one commit.
        insert_pages(&conn, 3000);
        checkpointer.stop(&mut conn);
        // The thread's checkpoint copied the commit into the database file (the writer's connection
        // has not checkpointed: its automatic checkpoint was off).
        let file = std::fs::metadata(dir.path().join("t.db")).unwrap().len();
        assert!(
            file > 3000 * 4000,
            "the database file holds the rows: {file} bytes"
        );
        let (log, copied) = wal_frames(&conn);
        assert!(log >= 3000, "the log holds the commit: {log}");
        assert_eq!(copied, log);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 3000);
        let auto: i64 = conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, i64::from(CHECKPOINT_PAGES));
    }

    #[test]
    fn the_log_starts_again_once_it_reaches_the_size_the_writer_waits_at() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = wal_database(dir.path());
        let checkpointer = Checkpointer::waiting_at(&mut conn, 3000).unwrap();
        // Twenty commits of about 1,000 pages (4 KiB): 20,000 pages written in all.
        let mut longest = 0;
        for _ in 0..20 {
            insert_pages(&conn, 1000);
            let wal = std::fs::metadata(dir.path().join("t.db-wal"))
                .unwrap()
                .len();
            longest = longest.max(wal);
        }
        checkpointer.stop(&mut conn);
        // At most the pages before the wait and one commit more (4 KiB and a frame header each).
        assert!(longest < 5000 * 4120, "the log grew to {longest} bytes");
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 20_000);
    }

    #[test]
    fn a_database_in_memory_checkpoints_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(Checkpointer::start(&mut conn).is_none());
    }
}

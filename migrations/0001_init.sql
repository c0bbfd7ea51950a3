-- newsdb schema, version 1.
--
-- This schema is newsdb's public interface: people write SQL against it in the sqlite3 shell, in Python
-- and in Datasette. Never edit this file once released; add a new numbered migration instead.
-- It uses nothing newer than SQLite 3.40 (the stock sqlite3 shell and Python's sqlite3 module here).

-- One row per `newsdb ingest` invocation.
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,                 -- ISO 8601, UTC
    finished_at     TEXT,                          -- NULL while running (or if the process died)
    -- 'interrupted': the process died (kill, crash, power) before finishing; found by the next run.
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    roots           TEXT NOT NULL,                 -- JSON array of the absolute paths scanned
    cleaner_version TEXT NOT NULL,
    files_seen      INTEGER NOT NULL DEFAULT 0,    -- every file found under the roots
    new_documents   INTEGER NOT NULL DEFAULT 0,    -- files whose cleaned body was not stored yet
    duplicates      INTEGER NOT NULL DEFAULT 0,    -- files whose cleaned body was already stored
    unchanged       INTEGER NOT NULL DEFAULT 0,    -- files not modified since the last run
    changed         INTEGER NOT NULL DEFAULT 0,    -- known files that now point at another document
    renamed         INTEGER NOT NULL DEFAULT 0,    -- new paths holding the bytes of a file that is gone
    failed          INTEGER NOT NULL DEFAULT 0,    -- files rejected (see files.reason)
    deleted         INTEGER NOT NULL DEFAULT 0,    -- files under a scanned root found gone
    retired         INTEGER NOT NULL DEFAULT 0,    -- documents no file references any more
    error           TEXT                           -- why the run failed, when status = 'failed'
);

-- One row per distinct cleaned article body. content_hash is the dedup key: SHA-256 (hex) of the
-- canonical form of the cleaned body (whitespace folded, NFKC, quotes and dashes folded to ASCII).
-- A document that no file references any more is kept, marked retired (retired_run_id), and left out
-- of `newsdb search` unless asked; `newsdb prune` deletes it.
-- title, published, url and domain come from the first file that produced the document; every file's
-- own values are in `files`.
CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    content_hash    TEXT NOT NULL UNIQUE,
    title           TEXT,
    published       TEXT,                          -- YYYY-MM-DD, or NULL when the file has no date
    url             TEXT,
    domain          TEXT,                          -- host of url without a leading "www."
    body            TEXT NOT NULL,                 -- cleaned, readable text; paragraphs split by newlines
    word_count      INTEGER NOT NULL,
    cleaner_version TEXT NOT NULL,
    first_run_id    INTEGER REFERENCES runs(id),   -- run that first stored it
    last_run_id     INTEGER REFERENCES runs(id),   -- last run in which a file of it was seen
    retired_run_id  INTEGER REFERENCES runs(id)    -- set when no file references it any more
);
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_domain ON documents(domain);
CREATE INDEX documents_retired ON documents(retired_run_id) WHERE retired_run_id IS NOT NULL;

-- Full-text index over documents. Declared exactly so that Datasette and sqlite-utils recognise it
-- (content="documents", double quotes). newsdb's writer inserts into it itself (a trigger on insert
-- would flush FTS5's buffer once per row); the triggers below keep it right when rows are changed or
-- deleted, by newsdb or by hand.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, body,
    content="documents", content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2"
);

CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;

-- Only a change of an indexed column touches the index: bumping last_run_id does not.
CREATE TRIGGER documents_au AFTER UPDATE OF title, body ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO documents_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

-- One row per path ever seen. A rejected file has status 'error', a stable short `reason` code and a
-- one-line `detail`; it has no document.
CREATE TABLE files (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL UNIQUE,          -- absolute path
    size            INTEGER,                       -- bytes
    mtime           INTEGER,                       -- modification time, nanoseconds since the Unix epoch
    raw_hash        TEXT,                          -- SHA-256 (hex) of the file's bytes
    encoding        TEXT,                          -- encoding the text was decoded from, e.g. UTF-8
    document_id     INTEGER REFERENCES documents(id),
    title           TEXT,                          -- this file's own header fields
    published       TEXT,
    url             TEXT,
    status          TEXT NOT NULL
                    CHECK (status IN ('ingested', 'duplicate', 'error', 'deleted')),
    reason          TEXT,                          -- for status 'error': empty, binary, not-utf8, ...
    detail          TEXT,                          -- for status 'error': the one-line message
    first_run_id    INTEGER REFERENCES runs(id),
    last_run_id     INTEGER REFERENCES runs(id),   -- last run that saw the file
    deleted_run_id  INTEGER REFERENCES runs(id)    -- run that found it gone (status 'deleted')
);
CREATE INDEX files_document_id ON files(document_id);
CREATE INDEX files_raw_hash ON files(raw_hash);
CREATE INDEX files_status ON files(status);

-- The cleaner's audit trail: every line removed from a document's source, with the rule that removed it.
-- `line` is the 1-based line number in the file that first produced the document.
CREATE TABLE removed_lines (
    document_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    line            INTEGER NOT NULL,
    rule            TEXT NOT NULL,
    text            TEXT NOT NULL,
    PRIMARY KEY (document_id, line)
) WITHOUT ROWID;
CREATE INDEX removed_lines_rule ON removed_lines(rule);

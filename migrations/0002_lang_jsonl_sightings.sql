-- newsdb schema, version 2: document language, JSON Lines sources, and cheaper re-runs.
--
-- Never edit this file once released; add a new numbered migration instead. Nothing here needs more
-- than SQLite 3.40.

-- The language of the cleaned body, as an ISO 639-3 code ('eng', 'deu', 'fra', 'rus', 'cmn', ...),
-- detected by the whatlang library; NULL when the text is too short or mixed to tell. Documents stored
-- before version 2 get it when the next ingest re-cleans them (the cleaner version changed with it).
ALTER TABLE documents ADD COLUMN lang TEXT;
CREATE INDEX documents_lang ON documents(lang);
-- Finds the documents an ingest must re-clean without reading the document rows (their bodies).
CREATE INDEX documents_cleaner_version ON documents(cleaner_version);

-- A source read from a JSON Lines file (`newsdb ingest --jsonl FILE`) is one line of that file: its
-- `path` is the file's absolute path, '#', and the 1-based line number ('-#12' for standard input), and
-- `line` holds that number. NULL for sources that are whole files.
ALTER TABLE files ADD COLUMN line INTEGER;

-- What the run columns mean from version 2 on, so a re-run over an unchanged corpus writes nothing per
-- file (it costs about as much as listing the folders):
--   files.last_run_id      the last run that read the file or changed its row. A file that is not
--                          'deleted' was also seen, unchanged, by every later completed run whose
--                          `runs.roots` contain it.
--   documents.last_run_id  the last run that read one of its files or linked one to it.
-- (Version 1 bumped both on every run for every file seen.)

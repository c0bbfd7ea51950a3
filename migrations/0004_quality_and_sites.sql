-- newsdb schema, version 4: document quality signals, and boilerplate learned per site.

-- Quality signals of the cleaned body, for filtering in SQL; newsdb never deletes on them.
-- stopword_ratio: share of the body's words that are stopwords of its language (NULL when the language
--   has no stopword list or is written without spaces). Prose has 0.3 to 0.5; lists and tables less.
-- alpha_ratio: share of words that contain a letter (Gopher's quality rule wants at least 0.8).
-- repetition: share of the body's word 3-grams that already occurred earlier in it (0 for prose,
--   high for spam and templated pages).
-- boilerplate_ratio: share of the source's non-blank characters the cleaner removed.
ALTER TABLE documents ADD COLUMN stopword_ratio REAL;
ALTER TABLE documents ADD COLUMN alpha_ratio REAL;
ALTER TABLE documents ADD COLUMN repetition REAL;
ALTER TABLE documents ADD COLUMN boilerplate_ratio REAL;

-- Site-level learning. A line that recurs verbatim in the sources of many documents of one domain is
-- that site's boilerplate ("The Valley Times is an independent newspaper since 1921.") even when no
-- built-in rule names it. Counts grow across runs; a line counted in 5 documents or more is learned,
-- and ingest removes it (rule 'site-line' in removed_lines) where it is not a paragraph inside the
-- article: at the head and tail of a page, or as a short line anywhere.
-- line_hash: 64-bit hash of the line's canonical form (case, spacing and Unicode form folded).
-- documents: documents of the domain whose source had the line (counted once, when the document is
-- first stored from a new file).
CREATE TABLE site_lines (
    domain          TEXT NOT NULL,
    line_hash       INTEGER NOT NULL,
    documents       INTEGER NOT NULL,
    text            TEXT NOT NULL,                 -- the line as first seen
    first_run_id    INTEGER REFERENCES runs(id),
    PRIMARY KEY (domain, line_hash)
) WITHOUT ROWID;

-- One row per domain with learned lines. version identifies its learned set: when a run learns new
-- lines for a domain, the version changes, and the documents of that domain cleaned with another
-- version (documents.site_version) are cleaned again.
CREATE TABLE sites (
    domain          TEXT PRIMARY KEY,
    learned_lines   INTEGER NOT NULL,
    version         TEXT NOT NULL,
    updated_run_id  INTEGER REFERENCES runs(id)
);

-- Domains whose learned set this run changed (their documents are cleaned again).
ALTER TABLE runs ADD COLUMN sites_learned INTEGER NOT NULL DEFAULT 0;

-- The learned-set version of its domain a document was cleaned with (NULL: none learned then).
ALTER TABLE documents ADD COLUMN site_version TEXT;
CREATE INDEX documents_site ON documents(domain, site_version);

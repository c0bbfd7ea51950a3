-- newsdb schema, version 3: near-duplicates (syndicated copies, edited re-scrapes) grouped in clusters.
--
-- Never edit this file once released; add a new numbered migration instead. Nothing here needs more
-- than SQLite 3.40.

-- The cluster a document belongs to: the id of the cluster's representative document (the earliest
-- published of its live documents, then the longest, then the first stored). A document with no
-- near-duplicate is its own cluster (cluster_id = id), and so is a retired one. NULL means "not yet
-- checked": documents stored before version 3, or by `ingest --no-near-duplicates`; the next ingest
-- with detection on checks them. Two live documents are in one cluster when a chain of near_duplicates
-- pairs at or above the clustering threshold (table settings) joins them.
ALTER TABLE documents ADD COLUMN cluster_id INTEGER;
CREATE INDEX documents_cluster ON documents(cluster_id);

-- Locality-sensitive hashing buckets: each checked document under each of its 16 MinHash band keys.
-- Documents sharing a key are compared, so a new document is compared with its likely near-duplicates
-- only, never with the whole corpus. Kept for retired documents too (they may come back); `newsdb
-- prune` deletes those of the documents it deletes. (No foreign key: it would need a second index,
-- written 16 times per document, for the rare prune.)
CREATE TABLE minhash_buckets (
    band_key        INTEGER NOT NULL,
    document_id     INTEGER NOT NULL,
    PRIMARY KEY (band_key, document_id)
) WITHOUT ROWID;

-- Pairs of documents whose cleaned bodies are near-duplicates: the exact Jaccard similarity of their
-- sets of 5-word shingles, when it is at least 0.5 (pairs are kept down to 0.5 so that lowering the
-- threshold later needs no re-scan). Each pair once, a < b. Kept when a document retires.
CREATE TABLE near_duplicates (
    a               INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    b               INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    similarity      REAL NOT NULL,
    run_id          INTEGER REFERENCES runs(id),   -- the run that found the pair
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX near_duplicates_b ON near_duplicates(b);

-- Database-wide settings that must stay the same from run to run.
--   near_duplicate_threshold   similarity at or above which a pair joins two documents' clusters
--                              (`ingest --near-threshold`; default 0.8)
CREATE TABLE settings (
    key             TEXT PRIMARY KEY,
    value           ANY
);

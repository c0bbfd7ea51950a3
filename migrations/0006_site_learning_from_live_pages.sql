-- newsdb schema, version 6: site learning is a function of the live sources, not of the order runs saw
-- them in. Before, a line's count grew when a document was first stored and never went down, and a run
-- killed before its end lost what it had counted.
--
-- Now each distinct source (its bytes, by raw_hash) records what it would teach its site: its domain,
-- the article it holds as cleaned without learned lines (page_key: copies of one article with other
-- spacing or other site lines have the same key), and its candidate lines. A page counts once while one
-- of its sources is live: site_lines.documents is the number of the domain's live pages whose sources
-- have the line, kept up to date in the same transaction as the files that change it, so a crash,
-- a deletion or a rename leaves it where a fresh ingest of the same folder would.

-- One row per distinct source bytes with a domain (file or JSON Lines record).
-- lines: the candidate line hashes (site_lines.line_hash), 8 bytes each, little-endian, ascending.
CREATE TABLE site_sources (
    raw_hash        TEXT PRIMARY KEY,              -- files.raw_hash
    domain          TEXT NOT NULL,
    page_key        INTEGER NOT NULL,
    lines           BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX site_sources_page ON site_sources(domain, page_key);

-- The pages counted now: per (domain, page_key) with a live source, the union of the lines of its
-- live sources (same encoding as site_sources.lines). site_lines.documents counts these rows.
CREATE TABLE site_pages (
    domain          TEXT NOT NULL,
    page_key        INTEGER NOT NULL,
    lines           BLOB NOT NULL,
    PRIMARY KEY (domain, page_key)
) WITHOUT ROWID;

-- Raw hashes whose live files changed since the counts were last settled. The triggers below fill it
-- whatever writes `files` (newsdb or a hand edit); ingest settles and empties it in the transaction
-- that wrote the change.
-- A raw hash may be noted more than once (a trigger cannot ignore a conflict inside an upsert).
CREATE TABLE site_pending (
    raw_hash        TEXT NOT NULL
);

CREATE TRIGGER files_site_ai AFTER INSERT ON files
WHEN new.raw_hash IS NOT NULL AND new.status IN ('ingested', 'duplicate') BEGIN
    INSERT INTO site_pending (raw_hash) VALUES (new.raw_hash);
END;

CREATE TRIGGER files_site_au AFTER UPDATE OF status, raw_hash ON files
WHEN old.raw_hash IS NOT new.raw_hash
  OR (old.status IN ('ingested', 'duplicate')) <> (new.status IN ('ingested', 'duplicate')) BEGIN
    INSERT INTO site_pending (raw_hash) SELECT old.raw_hash WHERE old.raw_hash IS NOT NULL;
    INSERT INTO site_pending (raw_hash) SELECT new.raw_hash WHERE new.raw_hash IS NOT NULL;
END;

CREATE TRIGGER files_site_ad AFTER DELETE ON files
WHEN old.raw_hash IS NOT NULL AND old.status IN ('ingested', 'duplicate') BEGIN
    INSERT INTO site_pending (raw_hash) VALUES (old.raw_hash);
END;

-- The counts so far were grown run by run: start again from the pages. This release's cleaner has a
-- new version, so the next ingest reads every file again and counts each page.
UPDATE site_lines SET documents = 0;
DELETE FROM sites;

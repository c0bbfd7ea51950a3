-- newsdb schema, version 11: site_sources and site_pages stored in the order their rows arrive.
--
-- Both were WITHOUT ROWID tables keyed by hashes (site_sources by raw_hash, site_pages by domain and
-- page_key): each new row, with its line hashes, landed at a random place of its table, and the page
-- index of site_sources carried the 64-character raw hash in every entry. Each batch of a run adds
-- about a thousand of each, so each batch's commit rewrote most pages of all three: at 100k real-text
-- files they were 5,000 pages (40 MB), and 32% of all the pages the run wrote to the log
-- (BENCHMARKS.md, "Site sources and pages in arrival order"). Now the rows go at the end of their
-- tables, and only narrow indexes take random inserts (the raw hash; the domain and page key, with
-- the rowid instead of the raw hash). Same columns, same rows, same constraints, same uses:
--   SELECT domain, page_key, lines FROM site_sources WHERE raw_hash = ?;
CREATE TABLE site_sources_new (
    raw_hash        TEXT NOT NULL UNIQUE,          -- files.raw_hash
    domain          TEXT NOT NULL,
    page_key        INTEGER NOT NULL,
    lines           BLOB NOT NULL
);

INSERT INTO site_sources_new (raw_hash, domain, page_key, lines)
SELECT raw_hash, domain, page_key, lines FROM site_sources ORDER BY raw_hash;

DROP TABLE site_sources;
ALTER TABLE site_sources_new RENAME TO site_sources;
CREATE INDEX site_sources_page ON site_sources(domain, page_key);

CREATE TABLE site_pages_new (
    domain          TEXT NOT NULL,
    page_key        INTEGER NOT NULL,
    lines           BLOB NOT NULL,
    UNIQUE (domain, page_key)
);

INSERT INTO site_pages_new (domain, page_key, lines)
SELECT domain, page_key, lines FROM site_pages ORDER BY domain, page_key;

DROP TABLE site_pages;
ALTER TABLE site_pages_new RENAME TO site_pages;

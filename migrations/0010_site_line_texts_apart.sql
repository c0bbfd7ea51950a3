-- newsdb schema, version 10: the counts of site lines apart from their texts.
--
-- site_lines held, per domain and line, the count and the line's text. Its keys are hashes, so the
-- lines a batch of pages counts land all over it, and each batch's commit rewrote most of its pages:
-- at 100k real-text files it was 49 MB (277k lines, 94% of them on fewer than the five pages that
-- make a line learned), and the texts, written once and never changed, were two thirds of it. The
-- counts now live in site_line_counts, a row of a few dozen bytes per line, and each text in
-- site_line_texts, added at the end of it when its line is first counted and never rewritten
-- (BENCHMARKS.md, "Site line counts apart from their texts").
--
-- site_lines is a view with the same columns as the table had, so every query written for the table
-- reads the same rows:
--   SELECT domain, documents, text FROM site_lines WHERE documents >= 5 ORDER BY documents DESC;
-- Like the table, its counts are newsdb's to keep (`newsdb check --repair` rebuilds them); the view is
-- read-only.
CREATE TABLE site_line_texts (
    id              INTEGER PRIMARY KEY,
    text            TEXT NOT NULL                  -- the line as first seen
);

CREATE TABLE site_line_counts (
    domain          TEXT NOT NULL,
    line_hash       INTEGER NOT NULL,
    documents       INTEGER NOT NULL,              -- live pages of the domain whose sources have it
    text_id         INTEGER NOT NULL REFERENCES site_line_texts(id),
    first_run_id    INTEGER REFERENCES runs(id),
    PRIMARY KEY (domain, line_hash)
) WITHOUT ROWID;

INSERT INTO site_line_texts (id, text)
SELECT row_number() OVER (ORDER BY domain, line_hash), text FROM site_lines;

INSERT INTO site_line_counts (domain, line_hash, documents, text_id, first_run_id)
SELECT domain, line_hash, documents, row_number() OVER (ORDER BY domain, line_hash), first_run_id
FROM site_lines;

DROP TABLE site_lines;

CREATE VIEW site_lines (domain, line_hash, documents, text, first_run_id) AS
SELECT c.domain, c.line_hash, c.documents, t.text, c.first_run_id
FROM site_line_counts c JOIN site_line_texts t ON t.id = c.text_id;

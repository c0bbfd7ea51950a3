-- newsdb schema, version 9: the cleaner's audit stored as a row per document and rule.
--
-- removed_lines was a table with a row per removed line and an index on its rule. On real page
-- dumps the cleaner removes about 140 lines per page: 2.2M rows for 16k documents, 60% of the
-- database file, and about a fifth of ingest's time went into writing them (BENCHMARKS.md, "The
-- removed-line audit as a row per document and rule"). document_removed_lines now holds, for each
-- document and each rule that removed something from it, the removed lines as one JSON array of
-- [line, text] arrays, by line (about 9 rows per page instead of 140). removed_lines is a view over
-- it with the same columns as the table had, so every query written for the table reads the same
-- rows:
--   SELECT line, rule, text FROM removed_lines WHERE document_id = 42 ORDER BY line;
--   SELECT document_id, line, text FROM removed_lines WHERE rule = 'share-widget';
-- Both use an index, as before. Like the table, the view is read-only, and the rows go with their
-- document (ON DELETE CASCADE).
CREATE TABLE document_removed_lines (
    document_id     INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    rule            TEXT NOT NULL,
    lines           TEXT NOT NULL,                 -- JSON: [[line, text], ...], by line
    PRIMARY KEY (document_id, rule)
);
CREATE INDEX document_removed_lines_rule ON document_removed_lines(rule);

INSERT INTO document_removed_lines (document_id, rule, lines)
SELECT document_id, rule, json_group_array(json_array(line, text))
FROM (SELECT document_id, rule, line, text FROM removed_lines ORDER BY document_id, rule, line)
GROUP BY document_id, rule;

DROP TABLE removed_lines;

CREATE VIEW removed_lines (document_id, line, rule, text) AS
SELECT r.document_id, l.value ->> 0, r.rule, l.value ->> 1
FROM document_removed_lines r, json_each(r.lines) l;

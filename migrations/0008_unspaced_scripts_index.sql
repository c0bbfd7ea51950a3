-- newsdb schema, version 8: a second full-text index for scripts written without spaces.
--
-- documents_fts's unicode61 tokenizer makes each run of Chinese or Japanese characters between
-- punctuation one token, so only the whole run matched: a search for 天气 found nothing in a text
-- about 今天天气很好. documents_cjk indexes, with FTS5's built-in trigram tokenizer, the documents whose
-- title or body holds Chinese, Japanese, Korean or Thai characters (the ranges in the GLOB below:
-- kana, CJK ideographs and their extension A and compatibility block, Hangul syllables, Thai), and
-- only those, so a corpus without them pays nothing. Any sequence of three characters or more is
-- found with MATCH, in the sqlite3 shell, Python and Datasette alike:
--   SELECT d.id, d.title FROM documents_cjk JOIN documents d ON d.id = documents_cjk.rowid
--   WHERE documents_cjk MATCH '天气预报';
-- Two-character words need LIKE (the trigram index cannot hold them):
--   SELECT id, title FROM documents WHERE body LIKE '%天气%';
-- `newsdb search` does both. Like documents_fts it is declared with content="documents" so tools
-- see where its rows come from; newsdb's writer adds a new document's entry itself, and the
-- triggers below keep it right when rows change or go, by newsdb or by hand.
CREATE VIRTUAL TABLE documents_cjk USING fts5(
    title, body,
    content="documents", content_rowid="id",
    tokenize="trigram"
);

INSERT INTO documents_cjk (rowid, title, body)
SELECT id, title, body FROM documents
WHERE coalesce(title, '') || body GLOB '*[぀-ヿ㐀-䶿一-鿿豈-﫿가-힯฀-๿]*';

CREATE TRIGGER documents_cjk_ad AFTER DELETE ON documents
WHEN coalesce(old.title, '') || old.body GLOB '*[぀-ヿ㐀-䶿一-鿿豈-﫿가-힯฀-๿]*' BEGIN
    INSERT INTO documents_cjk(documents_cjk, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;

CREATE TRIGGER documents_cjk_au AFTER UPDATE OF title, body ON documents BEGIN
    INSERT INTO documents_cjk(documents_cjk, rowid, title, body)
    SELECT 'delete', old.id, old.title, old.body
    WHERE coalesce(old.title, '') || old.body GLOB '*[぀-ヿ㐀-䶿一-鿿豈-﫿가-힯฀-๿]*';
    INSERT INTO documents_cjk(rowid, title, body)
    SELECT new.id, new.title, new.body
    WHERE coalesce(new.title, '') || new.body GLOB '*[぀-ヿ㐀-䶿一-鿿豈-﫿가-힯฀-๿]*';
END;

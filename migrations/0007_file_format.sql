-- newsdb schema, version 7: which path a source took through the pipeline.
--
-- files.format: 'text' (a text dump, or a JSON Lines record's text) or 'html' (a saved page, or a
-- JSON Lines record's html: the article was extracted from the markup). files.extractor: for 'html',
-- the extractor that found the article ('dom_smoothie'), or 'whole-page' when none found a block and
-- the page's whole text was cleaned as a dump is. Both NULL for a rejected source, and for a source
-- read before version 7 whose bytes have not changed since: filling those would mean reading and
-- cleaning every document again, which an upgrade should not cost.
ALTER TABLE files ADD COLUMN format TEXT;
ALTER TABLE files ADD COLUMN extractor TEXT;

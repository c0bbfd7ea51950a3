-- newsdb schema, version 5: a completed run can carry a warning.
-- warning: why the run left something undone on purpose, e.g. "refused to mark deleted 2000 of the
--   2000 live files under /srv/scrapes (the root is empty; an unmounted share?): pass
--   --allow-mass-delete if they are really gone". NULL for a run with nothing to say.
ALTER TABLE runs ADD COLUMN warning TEXT;

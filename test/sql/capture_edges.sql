--
-- Where rows come and go by other paths than the plain ones, the rollups
-- still equal a recount of the source rows after a tick:
--   1. a row stamped in the future, then corrected (hour layout);
--   2. an objective whose source is a partition, written through its parent;
--   3. a table with an inheritance child (the child is not part of it);
--   4. ATTACH and DETACH PARTITION (no DML fires);
--   5. a window longer than the 13 months of day sums;
--   6. a freshness objective whose update before the rollup's start goes.
-- pg_temp.mismatches() compares every minute of every objective's rollup
-- with a count of its source written out here.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET client_min_messages = warning;
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.tick_log;
SET slo.backfill_time = '10min';

-- minutes of the rollup that differ from a count of "rows", for objective
-- "name" (ratio objectives: good = ok), from where its rollup begins
CREATE FUNCTION pg_temp.mismatches(name text, rows regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE format($q$
		SELECT count(*) FROM (
			SELECT date_bin('1 minute', ts, '2000-01-01') AS bucket, count(*) AS valid, count(*) FILTER (WHERE ok) AS good
			FROM %s WHERE ts >= (SELECT p.backfilled_from FROM slo_internal.progress p JOIN slo.objective o ON o.id = p.objective_id
								 WHERE o.name = %L)
			GROUP BY 1) fresh
		FULL JOIN (SELECT m.bucket, m.valid, m.good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
				   WHERE o.name = %L) kept USING (bucket)
		WHERE (fresh.valid, fresh.good) IS DISTINCT FROM (kept.valid, kept.good)$q$, rows, name, name)
	INTO n;
	RETURN n;
END $$;

SELECT slo.define_service('edges');

------------------------------------------------------------------------------
-- 1. A row stamped two days ahead (a skewed clock) is counted, then its
--    stamp is corrected: the future hour must leave the rollup.
------------------------------------------------------------------------------
CREATE TABLE e_future (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO e_future VALUES ('2026-11-20 10:00+00', true);
SELECT slo.define_objective('edges', 'future', source => 'e_future', good => 'ok', target => 0.99) IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
INSERT INTO e_future VALUES ('2026-11-22 10:00:30+00', false);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT bucket, valid, good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'future' ORDER BY bucket;
UPDATE e_future SET ts = '2026-11-20 11:00:30+00' WHERE ts = '2026-11-22 10:00:30+00';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT bucket, valid, good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'future' ORDER BY bucket;
SELECT d.day, d.valid, d.good FROM slo_internal.rollup_day d JOIN slo.objective o ON o.id = d.objective_id
WHERE o.name = 'future' ORDER BY d.day;
SELECT pg_temp.mismatches('future', 'e_future') AS future_mismatches;

------------------------------------------------------------------------------
-- 2. The objective reads one partition; the application writes through the
--    parent, whose statement triggers are the only ones that fire.
------------------------------------------------------------------------------
CREATE TABLE e_part (ts timestamptz NOT NULL, ok boolean NOT NULL) PARTITION BY RANGE (ts);
CREATE TABLE e_part_nov PARTITION OF e_part FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
CREATE TABLE e_part_dec PARTITION OF e_part FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
INSERT INTO e_part VALUES ('2026-11-20 10:00:10+00', true);
SELECT slo.define_objective('edges', 'november', source => 'e_part_nov', good => 'ok', target => 0.99) IS NOT NULL AS defined;
SELECT tgrelid::regclass AS relation, count(*) AS triggers FROM pg_trigger
WHERE tgname LIKE 'slo_capture_%' AND tgrelid::regclass::text LIKE 'e_part%' GROUP BY 1 ORDER BY 1;
CALL slo.tick(at => '2026-11-20 12:00+00');
INSERT INTO e_part VALUES ('2026-11-20 10:05:10+00', false), ('2026-12-02 10:00+00', false);
UPDATE e_part SET ok = false WHERE ts = '2026-11-20 10:00:10+00';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT bucket, valid, good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'november' ORDER BY bucket;
SELECT pg_temp.mismatches('november', 'e_part_nov') AS november_mismatches;

------------------------------------------------------------------------------
-- 3. An inheritance child is not part of the source (its rows fire none of
--    the source's triggers): it is never counted.
------------------------------------------------------------------------------
CREATE TABLE e_parent (ts timestamptz NOT NULL, ok boolean NOT NULL);
CREATE TABLE e_child () INHERITS (e_parent);
INSERT INTO e_parent VALUES ('2026-11-20 10:00+00', true);
INSERT INTO e_child VALUES ('2026-11-20 10:00+00', false);
SELECT slo.define_objective('edges', 'inherited', source => 'e_parent', good => 'ok', target => 0.99) IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
INSERT INTO e_child VALUES ('2026-11-20 10:01+00', false);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT bucket, valid, good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'inherited' ORDER BY bucket;
-- (the recount reads the parent ONLY, as the rollup does)
CREATE TEMP VIEW e_parent_only AS SELECT * FROM ONLY e_parent;
SELECT pg_temp.mismatches('inherited', 'e_parent_only') AS inherited_mismatches;

------------------------------------------------------------------------------
-- 4. A partition attached with rows, and one detached: no DML fires.
--    slo.attach_triggers() on the parent counts a partition that had no
--    triggers yet; after a DETACH, recount => true.
------------------------------------------------------------------------------
CREATE TABLE e_att (ts timestamptz NOT NULL, ok boolean NOT NULL) PARTITION BY RANGE (ts);
CREATE TABLE e_att_20 PARTITION OF e_att FOR VALUES FROM ('2026-11-20') TO ('2026-11-21');
INSERT INTO e_att VALUES ('2026-11-20 10:00:10+00', true);
SELECT slo.define_objective('edges', 'attached', source => 'e_att', good => 'ok', target => 0.99) IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
CREATE TABLE e_att_19 (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO e_att_19 VALUES ('2026-11-19 10:00:10+00', false);
ALTER TABLE e_att ATTACH PARTITION e_att_19 FOR VALUES FROM ('2026-11-19') TO ('2026-11-20');
SELECT slo.attach_triggers('e_att');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT bucket, valid, good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'attached' ORDER BY bucket;
SELECT pg_temp.mismatches('attached', 'e_att') AS attached_mismatches;
ALTER TABLE e_att DETACH PARTITION e_att_20;
SELECT slo.attach_triggers('e_att', recount => true);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT bucket, valid, good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'attached' ORDER BY bucket;
SELECT pg_temp.mismatches('attached', 'e_att') AS detached_mismatches;

------------------------------------------------------------------------------
-- 5. A 400-day window: its rollup reaches back further than the 13 months
--    of day sums kept for the monthly results; the days it needs stay.
------------------------------------------------------------------------------
CREATE TABLE e_long (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO e_long SELECT timestamptz '2026-11-20 12:00+00' - g * interval '1 day' + interval '30 seconds', g % 10 <> 0
FROM generate_series(1, 420) g;
SELECT slo.define_objective('edges', 'long', source => 'e_long', good => 'ok', target => 0.8,
							window_length => '400 days') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT s.valid, s.good, s.backfilling,
	   (SELECT count(*) FROM e_long WHERE ts >= s.window_start AND ts < s.counted_until) AS raw_valid,
	   (SELECT count(*) FILTER (WHERE ok) FROM e_long WHERE ts >= s.window_start AND ts < s.counted_until) AS raw_good
FROM slo.status s WHERE s.objective = 'long';

------------------------------------------------------------------------------
-- 6. Freshness: the last update before the rollup's start is deleted; the
--    minutes from the start to the next update lose their valid time.
------------------------------------------------------------------------------
CREATE TABLE e_fresh (ts timestamptz NOT NULL);
-- updates 40 and 27 days back (the rollup of a 28-day window reaches 29 days back)
INSERT INTO e_fresh VALUES ('2026-10-11 12:00+00'), ('2026-10-24 12:00+00');
SELECT slo.define_objective('edges', 'fresh', source => 'e_fresh', max_age => '20 days', target => 0.99) IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT sum(m.valid) AS valid_ms_before_2nd_update FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'fresh' AND m.bucket < '2026-10-24 12:00+00';
DELETE FROM e_fresh WHERE ts = '2026-10-11 12:00+00';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT coalesce(sum(m.valid), 0) AS valid_ms_before_2nd_update FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.name = 'fresh' AND m.bucket < '2026-10-24 12:00+00';

SELECT sum(errors) AS tick_errors FROM slo.tick_log;

DELETE FROM slo.objective;
DELETE FROM slo.service;
DROP TABLE e_future, e_part, e_parent, e_child, e_att, e_att_20, e_long, e_fresh CASCADE;
RESET slo.backfill_time;

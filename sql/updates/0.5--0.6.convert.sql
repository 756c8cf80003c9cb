
/*
 * 0.5--0.6.convert.sql: the rows of 0.5 into the tables of 0.6.  The
 * minutes of objectives budgeted in occurrences move from slo.rollup to
 * hour rows (with their minutes in arrays) and day sums; the notes no tick
 * has taken yet become each objective's pending minutes.
 */
INSERT INTO slo_internal.rollup_hour (objective_id, hour, valid, good, minute_valid, minute_good)
SELECT h.objective_id, h.hour, h.valid, h.good, m.minute_valid, m.minute_good
FROM (SELECT r.objective_id,
			 pg_catalog.date_bin('1 hour', r.bucket, '2000-01-01 00:00+00') AS hour,
			 pg_catalog.sum(r.valid)::pg_catalog.int8 AS valid,
			 pg_catalog.sum(r.good)::pg_catalog.int8 AS good
	  FROM @extschema@.rollup r
	  JOIN @extschema@.objective o ON o.id = r.objective_id AND o.budgeting = 'occurrences'
	  GROUP BY 1, 2) h
CROSS JOIN LATERAL (
	SELECT pg_catalog.array_agg(COALESCE(r.valid, 0)::pg_catalog.int4 ORDER BY i) AS minute_valid,
		   pg_catalog.array_agg(COALESCE(r.good, 0)::pg_catalog.int4 ORDER BY i) AS minute_good
	FROM pg_catalog.generate_series(0, 59) i
	LEFT JOIN @extschema@.rollup r
		   ON r.objective_id = h.objective_id AND r.bucket = h.hour + i * interval '1 minute') m;
INSERT INTO slo_internal.rollup_day (objective_id, day, valid, good)
SELECT objective_id, pg_catalog.date_bin('1 day', hour, '2000-01-01 00:00+00'),
	   pg_catalog.sum(valid)::pg_catalog.int8, pg_catalog.sum(good)::pg_catalog.int8
FROM slo_internal.rollup_hour
GROUP BY 1, 2;
DELETE FROM @extschema@.rollup r
USING @extschema@.objective o
WHERE o.id = r.objective_id AND o.budgeting = 'occurrences';

INSERT INTO slo_internal.pending (objective_id, changed)
SELECT i.objective_id, pg_catalog.range_agg(pg_catalog.tstzrange(i.bucket, i.bucket + interval '1 minute'))
FROM slo_internal.invalidation_0_5 i
JOIN @extschema@.objective o ON o.id = i.objective_id
GROUP BY 1;
DROP TABLE slo_internal.invalidation_0_5;

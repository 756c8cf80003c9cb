--
-- Every error of the counting aggregates: SQLSTATE, message, detail, hint.
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text; state text; msg text; detail text; hint text;
BEGIN
    EXECUTE q INTO result;
    RETURN 'ok: ' || coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN state || ': ' || msg || coalesce(' | ' || nullif(detail, ''), '')
           || coalesce(' | ' || nullif(hint, ''), '');
END $$;

-- one error shown in full, as psql prints it
SELECT slo.burn_rate(ok, 99.9) FROM (VALUES (true)) t(ok);

-- targets outside (0, 1) are 22023 and name the value, in every form
SELECT t AS target,
       pg_temp.error(format('SELECT slo.burn_rate(ok, %L) FROM (VALUES (true)) v(ok)', t)) AS burn_rate,
       pg_temp.error(format('SELECT slo.budget_remaining(ok, %L) FROM (VALUES (true)) v(ok)', t)) AS budget_remaining
FROM (VALUES ('0'), ('1'), ('1.5'), ('-0.1'), ('99.9'), ('NaN'), ('Infinity'), ('-Infinity')) v(t);
SELECT pg_temp.error('SELECT slo.burn_rate(good, valid, 1) FROM (VALUES (1::bigint, 1::bigint)) v(good, valid)');
SELECT pg_temp.error('SELECT slo.budget_remaining(good, valid, 0) FROM (VALUES (1::bigint, 1::bigint)) v(good, valid)');
SELECT pg_temp.error('SELECT slo.burn_rate_of(1, 1, 1)');
SELECT pg_temp.error('SELECT slo.budget_remaining_of(1, 1, ''NaN'')');
-- even with no events the target is checked by the scalar forms
SELECT pg_temp.error('SELECT slo.burn_rate_of(0, 0, 2)');

-- a target that changes between rows
SELECT pg_temp.error($$SELECT slo.burn_rate(ok, t) FROM (VALUES (true, 0.99), (false, 0.999)) v(ok, t)$$);
SELECT pg_temp.error($$SELECT slo.budget_remaining(g, n, t) FROM (VALUES (1::bigint, 1::bigint, 0.99), (1, 2, 0.9)) v(g, n, t)$$);
-- but the same target on every row of every group is fine
SELECT pg_temp.error($$SELECT string_agg(b::text, ',') FROM (SELECT slo.burn_rate(ok, t) b FROM (VALUES (1, true, 0.99), (2, false, 0.999)) v(g, ok, t) GROUP BY g ORDER BY g) s$$);

-- counts: negative, or good > valid
SELECT pg_temp.error('SELECT slo.burn_rate(g, n, 0.99) FROM (VALUES (-1::bigint, 10::bigint)) v(g, n)');
SELECT pg_temp.error('SELECT slo.burn_rate(g, n, 0.99) FROM (VALUES (1::bigint, -10::bigint)) v(g, n)');
SELECT pg_temp.error('SELECT slo.budget_remaining(g, n, 0.99) FROM (VALUES (11::bigint, 10::bigint)) v(g, n)');
SELECT pg_temp.error('SELECT slo.burn_rate_of(-1, 10, 0.99)');
SELECT pg_temp.error('SELECT slo.budget_remaining_of(11, 10, 0.99)');
-- sums beyond bigint are 22003, not a wrapped count
SELECT pg_temp.error('SELECT slo.burn_rate(g, n, 0.99) FROM (VALUES (0::bigint, 9223372036854775807::bigint), (0, 1)) v(g, n)');
SELECT pg_temp.error($$SELECT slo_internal.tally_combine('valid=9223372036854775807 good=0', 'valid=1 good=1')$$);

-- a NaN bound would make everything "within": it is an error instead
SELECT pg_temp.error($$SELECT slo.p_within(v, 'NaN') FROM (VALUES (1::float8)) t(v)$$);
SELECT pg_temp.error($$SELECT slo.p_within(v, b) FROM (VALUES (1::float8, 2::float8), (1, 'NaN')) t(v, b)$$);

-- accessors of a tally without a target
SELECT pg_temp.error($$SELECT slo.tally_burn_rate('valid=1 good=1')$$);
SELECT pg_temp.error($$SELECT slo.tally_budget_remaining('valid=1 good=1')$$);
-- combining tallies of different targets
SELECT pg_temp.error($$SELECT slo_internal.tally_combine('valid=1 good=1 target=0.9', 'valid=1 good=1 target=0.99')$$);
-- inverse transitions called by hand cannot remove what was never added
SELECT pg_temp.error($$SELECT slo_internal.tally_bool_inv('valid=0 good=0', true)$$);
SELECT pg_temp.error($$SELECT slo_internal.tally_bool_inv('valid=1 good=1', false)$$);
SELECT pg_temp.error($$SELECT slo_internal.tally_counts_inv('valid=5 good=5 target=0.5', 1, 2, 0.5)$$);
SELECT pg_temp.error($$SELECT slo_internal.tally_within_float8_inv('valid=1 good=0', 1, 2)$$);

-- nothing is half-written: a failing aggregate in an INSERT leaves no rows
CREATE TABLE report (burn float8);
SELECT pg_temp.error($$INSERT INTO report SELECT slo.burn_rate(ok, t) FROM (VALUES (true, 0.9), (true, 2)) v(ok, t) RETURNING 1$$);
SELECT count(*) AS rows_left FROM report;

--
-- slo.tally: text and binary input/output, and hostile input
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

-- error(sql) runs a statement and reports its SQLSTATE, message and detail
CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text; state text; msg text; detail text;
BEGIN
    EXECUTE q INTO result;
    RETURN 'ok: ' || coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || msg || coalesce(' | ' || nullif(detail, ''), '');
END $$;

-- text round trip, with and without a target
SELECT 'valid=0 good=0'::slo.tally;
SELECT 'valid=1000 good=990 target=0.999'::slo.tally;
SELECT '  valid=5   good=5  target=0.5  '::slo.tally;
SELECT 'valid=9223372036854775807 good=9223372036854775807'::slo.tally;
-- the target prints exactly, whatever extra_float_digits says
SET extra_float_digits = -15;
SELECT 'valid=3 good=1 target=0.1234567890123456'::slo.tally;
RESET extra_float_digits;
SELECT ('valid=3 good=1 target=' || t)::slo.tally::text::slo.tally::text = ('valid=3 good=1 target=' || t) AS exact
FROM (VALUES ('0.1'), ('0.999'), ('0.9999999999999999'), ('5e-324')) v(t);

-- malformed text is 22P02 and names the problem
SELECT pg_temp.error(format('SELECT %L::slo.tally', s))
FROM (VALUES (''), ('valid=1'), ('good=1 valid=2'), ('valid=-1 good=0'),
             ('valid=2 good=3'), ('valid=1 good=1 target=1'),
             ('valid=1 good=1 target=0'), ('valid=1 good=1 target=NaN'),
             ('valid=1 good=1 target=abc'), ('valid=1 good=1 target=0.5 x'),
             ('valid=1 good=1 junk'), ('valid=99999999999999999999 good=0'),
             ('valid=1good=1'), ('valid=+1 good=1'), ('valid=1 good=1 target=1e999')) v(s);

-- values keep in tables and survive text and binary COPY
CREATE TABLE tallies (id int, t slo.tally);
INSERT INTO tallies VALUES
    (1, 'valid=0 good=0'), (2, 'valid=10 good=7'),
    (3, 'valid=1000 good=999 target=0.999'), (4, NULL),
    (5, 'valid=9223372036854775807 good=0 target=0.5');
-- (through files in a scratch directory of the server's, removed at the
-- end of this file)
CREATE TEMP TABLE scratch (dir text);
COPY scratch FROM PROGRAM 'mktemp -d "${TMPDIR:-/tmp}/slo_regress.XXXXXX"';
SELECT dir || '/tallies.txt' AS tallies_txt, dir || '/tallies.bin' AS tallies_bin,
       format('rm -rf %L', dir) AS scratch_cleanup, set_config('regress.scratch', dir, false) IS NOT NULL AS set
FROM scratch \gset
COPY tallies TO :'tallies_txt';
COPY tallies TO :'tallies_bin' (FORMAT binary);
CREATE TABLE tallies_text (LIKE tallies);
CREATE TABLE tallies_bin (LIKE tallies);
COPY tallies_text FROM :'tallies_txt';
COPY tallies_bin FROM :'tallies_bin' (FORMAT binary);
SELECT a.id, a.t, a.t::text IS NOT DISTINCT FROM b.t::text AS text_ok,
       a.t::text IS NOT DISTINCT FROM c.t::text AS binary_ok
FROM tallies a JOIN tallies_text b USING (id) JOIN tallies_bin c USING (id)
ORDER BY a.id;
-- the binary form: version, flags, valid, good, target
SELECT slo_internal.tally_send('valid=1000 good=990 target=0.999');
SELECT slo_internal.tally_send('valid=1 good=0');

-- hostile binary values arrive through COPY FORMAT binary; each is an error
CREATE FUNCTION pg_temp.copy_binary_tally(payload bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    file bytea := '\x5047434f50590aff0d0a00'::bytea       -- signature
                  || '\x0000000000000000'::bytea         -- flags, header extension
                  || '\x0001'::bytea                     -- one field
                  || int4send(length(payload)) || payload
                  || '\xffff'::bytea;                    -- trailer
BEGIN
    EXECUTE format($c$COPY (SELECT %L) TO PROGRAM %L$c$, encode(file, 'hex'),
                   format('perl -ne ''chomp; print pack("H*", $_)'' > %s/hostile.bin', current_setting('regress.scratch')));
    CREATE TEMP TABLE IF NOT EXISTS hostile (t slo.tally);
    TRUNCATE hostile;
    EXECUTE format('COPY hostile FROM %L (FORMAT binary)', current_setting('regress.scratch') || '/hostile.bin');
    RETURN (SELECT t::text FROM hostile);
END $$;
-- tally(version, flags, valid, good, target) builds a binary payload
CREATE FUNCTION pg_temp.tally(v int, f int, n int8, g int8, t float8) RETURNS bytea
LANGUAGE sql AS $$ SELECT int4send(v) || int4send(f) || int8send(n) || int8send(g) || float8send(t) $$;
SELECT label, pg_temp.error(format('SELECT pg_temp.copy_binary_tally(%L)', payload)) AS result
FROM (VALUES
    ('well formed',    pg_temp.tally(1, 1, 10, 9, 0.99)),
    ('no target',      pg_temp.tally(1, 0, 10, 9, 0)),
    ('empty',          ''::bytea),
    ('truncated',      substr(pg_temp.tally(1, 0, 10, 9, 0), 1, 16)),
    ('one byte short', substr(pg_temp.tally(1, 0, 10, 9, 0), 1, 31)),
    ('trailing byte',  pg_temp.tally(1, 0, 10, 9, 0) || '\x00'::bytea),
    ('version 0',      pg_temp.tally(0, 0, 10, 9, 0)),
    ('version 2',      pg_temp.tally(2, 0, 10, 9, 0)),
    ('unknown flag',   pg_temp.tally(1, 2, 10, 9, 0)),
    ('negative valid', pg_temp.tally(1, 0, -1, 0, 0)),
    ('negative good',  pg_temp.tally(1, 0, 1, -1, 0)),
    ('good > valid',   pg_temp.tally(1, 0, 1, 2, 0)),
    ('target 1.5',     pg_temp.tally(1, 1, 1, 1, 1.5)),
    ('target 1',       pg_temp.tally(1, 1, 1, 1, 1)),
    ('target NaN',     pg_temp.tally(1, 1, 1, 1, 'NaN')),
    ('target no flag', pg_temp.tally(1, 0, 1, 1, 0.5)),
    ('minus zero',     pg_temp.tally(1, 0, 1, 1, '-0'))
) v(label, payload);

-- the scratch directory goes
COPY (SELECT) TO PROGRAM :'scratch_cleanup';

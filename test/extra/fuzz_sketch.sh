#!/usr/bin/env bash
# test/extra/fuzz_sketch.sh: random hostile input for slo.sketch.  The text
# parser (sketch_in) and the binary receive function (sketch_recv) must turn
# every malformed value into an error, never a crash or a read out of
# bounds; every value they accept must survive a round trip and the
# accessors.
#
# Start: a corpus of valid sketches (alphas 0.0001 .. 0.5; empty, one value,
# zeros, negatives, mixed signs, wide ranges, the extreme bin indexes and
# float8 values), in text form and in send form.  Each case takes one of
# them and applies 1 to 4 random mutations (one in half the cases):
#   text:   a character replaced, bit-flipped (kept printable), inserted or
#           deleted; a token (separator, key, number) inserted; truncation;
#           extension (tokens, long bin lists, once in a while more than the
#           2^20 bins a sketch may hold); two fields swapped; a number
#           replaced by a boundary value (0, -1, 2^63 - 1, 2^63, 2^31,
#           2^23, NaN, Infinity, 1e999, subnormals ...) or nudged
#   binary: bit flips, random bytes, truncation, extension, insertion and
#           deletion of bytes, two 8-byte fields swapped, a header field or
#           a bin count set to a boundary value (version, flags, alpha,
#           count, zero, min, max, sum, number of bins, offsets)
# Text goes through ::slo.sketch; binary is written to a file by the server
# (lo_export) and read with COPY ... (FORMAT binary), so that it reaches
# sketch_recv exactly as a client's bytes would.  Each attempt runs in a
# subtransaction that catches the error and counts its SQLSTATE.
#
# An accepted value v must satisfy: v::text::slo.sketch::text = v::text;
# COPY FORMAT binary of sketch_send(v) gives v back; percentiles at
# 0 .. 1 lie in [min, max], do not decrease, and are min and max at 0 and
# 1 (at 1 when the count is 2 or more); p_within lies in [0, 1], does not
# decrease, is 0 at -Infinity and 1 at max; count, min, max, mean and
# alpha answer; sketch_add(v, x) and sketch_combine(v, v) either succeed
# (and round-trip) or fail with a SQLSTATE of their own (22003 count
# overflow, 54000 too many bins, 22023 infinity), and merging v with a
# corpus sketch does not crash.
#
# Fuzzing runs in batches of SLO_FUZZ_BATCH (default 400) cases until
# SLO_FUZZ_SECONDS (default 30) have passed.  Batch b is seeded from
# SLO_FUZZ_SEED (default 20261123) and b, so a run is reproducible; the
# seed is printed.  When a batch loses its connection (a crash), the server
# is waited for and the batch is run again case by case with each case
# printed, to show the one that crashed.
#
# Needs PGHOST/PGPORT/PGUSER for a running cluster where slo is installed
# (make install), as a superuser (lo_export and COPY FROM a file); the
# server must be able to write to /tmp.  Creates and drops database
# slo_fuzz_<pid>.  Exit status 0 when the server stayed up and every
# accepted value passed its checks, 1 otherwise.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"		# this version's binaries first, C.UTF-8

SEED=${SLO_FUZZ_SEED:-20261123}
SECONDS_RUN=${SLO_FUZZ_SECONDS:-30}
BATCH=${SLO_FUZZ_BATCH:-400}
DB=slo_fuzz_$$
FILE=/tmp/slo_fuzz_$$.bin
failures=0

cleanup() {
	dropdb --if-exists --force "$DB" >/dev/null 2>&1
	rm -f "$FILE" 2>/dev/null
}
trap cleanup EXIT

psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# the fraction in [-1, 1) that setseed() takes, from the seed and a number
seed_of() {
	awk -v s="$SEED" -v b="$1" 'BEGIN { x = (s * 7919 + b * 104729) % 2000003; printf "%.9f\n", x / 1000001.5 - 1 }'
}

echo "fuzz_sketch: seed $SEED (SLO_FUZZ_SEED), ${SECONDS_RUN}s, batches of $BATCH cases"
if ! createdb "$DB"; then
	echo "FAIL: cannot create database $DB"
	exit 1
fi

# ---------------------------------------------------------------------------
# Set-up: the extension, the corpus, the mutators and the checks
# ---------------------------------------------------------------------------
psql_db -v file="$FILE" -v seed="$(seed_of 0)" >/dev/null <<'SQL' || { echo "FAIL: set-up"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION slo;

CREATE TABLE fz_conf (file text NOT NULL);
INSERT INTO fz_conf VALUES (:'file');
CREATE TABLE fz_fail (batch int, kind text, failure text, input text);
CREATE UNLOGGED TABLE fz_in (s slo.sketch);

-- ---- the corpus -----------------------------------------------------------
SELECT setseed(:seed);
CREATE TABLE fz_base (id serial PRIMARY KEY, s slo.sketch NOT NULL, txt text, bin bytea);
INSERT INTO fz_base (s)
SELECT slo.sketch(v, a ORDER BY k)
FROM unnest('{0.01, 0.05, 0.5, 0.001, 0.0001}'::float8[]) a,
     LATERAL (
        -- lognormal, 40 values
        SELECT 1 AS set, k, exp(3 + 1.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS v
        FROM generate_series(1, 40) k
        UNION ALL   -- mixed signs and zeros
        SELECT 2, k, CASE k % 3 WHEN 0 THEN 0 WHEN 1 THEN -(1 + random() * 100) ELSE random() * 1000 END
        FROM generate_series(1, 30) k
        UNION ALL SELECT 3, 1, 250::float8             -- one value
        UNION ALL SELECT 4, k, 0 FROM generate_series(1, 5) k   -- zeros
        UNION ALL SELECT 5, k, -k * 1.7 FROM generate_series(1, 12) k   -- negatives
        UNION ALL   -- a wide range (at alphas >= 0.01: 2,000 to 11,000 bins)
        SELECT 6, k, (ARRAY[1e-10, 1, 1e10, -1e-5])[k] FROM generate_series(1, 4) k WHERE a >= 0.01
     ) d
GROUP BY a, d.set
ORDER BY a, d.set;
INSERT INTO fz_base (s) VALUES
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.5 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=2 zero=0 min=-1 max=1 sum=0 pos=8388607:1 neg=-8388608:1'),
    ('alpha=0.01 count=9223372036854775807 zero=9223372036854775806 min=0 max=1 sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=3 zero=1 min=-1 max=1 sum=Infinity pos=0:1 neg=0:1');
INSERT INTO fz_base (s)
SELECT slo.sketch(v, 0.05) FROM (VALUES (5e-324::float8), (-5e-324), (1.7976931348623157e308),
                                        (-1.7976931348623157e308), (2.2250738585072014e-308)) t(v);
UPDATE fz_base SET txt = s::text, bin = slo_internal.sketch_send(s);

-- ---- random helpers ---------------------------------------------------------
CREATE FUNCTION fz_rand(n int) RETURNS int LANGUAGE sql VOLATILE AS
$$ SELECT floor(random() * n)::int $$;                 -- 0 .. n - 1
CREATE FUNCTION fz_pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT a[1 + floor(random() * array_length(a, 1))::int] $$;

-- a number nudged: an integer by -2 .. 2, a float by a few ulps or a sign
CREATE FUNCTION fz_nudge(t text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF t ~ '^-?[0-9]+$' THEN
        RETURN (t::numeric + fz_rand(5) - 2)::text;
    END IF;
    RETURN CASE fz_rand(3) WHEN 0 THEN (-(t::float8))::text
                           WHEN 1 THEN (t::float8 * (1 + 2.3e-16))::text
                           ELSE (t::float8 * (1 - 1.2e-16))::text END;
EXCEPTION WHEN OTHERS THEN
    RETURN t || '0';
END $$;

-- ---- text mutations ---------------------------------------------------------
CREATE FUNCTION fz_mutate_text(t text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    nums text[] := ARRAY['0', '1', '-1', '2', '-0', '7', '255', '9223372036854775807',
        '-9223372036854775808', '9223372036854775808', '2147483647', '2147483648', '-2147483649',
        '8388607', '8388608', '-8388608', '-8388609', '1048575', '1048576', '1048577', '1e308',
        '1.7976931348623157e308', '2e308', '5e-324', '1e-320', '2.2250738585072014e-308', 'NaN',
        'Infinity', '-Infinity', 'inf', '0.5', '0.50001', '0.0001', '0.00009', '0.01', '1e999',
        '99999999999999999999', '0x1p-3', '1e', '.', '-', '+1', '00', '1.5', '', ' '];
    chars text[] := ARRAY['0', '1', '9', '-', '+', '.', ',', ':', '=', ' ', 'e', 'E', 'x', 'N', 'a',
        'n', 'p', E'\t', 'I', 'z', '#', '"', ''''];
    toks text[] := ARRAY[',', ':', '=', ' ', ',0', ',1', ',0,0,0,0', ' pos=', ' neg=', 'alpha=',
        'count=', 'zero=', 'min=', 'max=', 'sum=', ' x', E'\t', E'\n', '--', '::'];
    numre text := '-?[0-9][0-9.eE+-]*|NaN|-?Infinity';
    parts text[];
    tmp text;
    i int; j int; k int; p int; len int;
BEGIN
    FOR i IN 1 .. CASE WHEN random() < 0.5 THEN 1 ELSE 2 + fz_rand(3) END LOOP
        len := length(t);
        p := fz_rand(len + 1);
        CASE fz_rand(10)
            WHEN 0 THEN                                 -- replace a character
                IF len > 0 THEN
                    t := overlay(t PLACING fz_pick(chars) FROM 1 + fz_rand(len) FOR 1);
                END IF;
            WHEN 1 THEN                                 -- insert a token or a number
                t := left(t, p) || CASE WHEN random() < 0.5 THEN fz_pick(toks) ELSE fz_pick(nums) END
                     || substr(t, p + 1);
            WHEN 2 THEN                                 -- delete 1 .. 8 characters
                t := left(t, p) || substr(t, p + 2 + fz_rand(8));
            WHEN 3 THEN                                 -- truncate
                t := left(t, p);
            WHEN 4 THEN                                 -- extend
                t := t || CASE fz_rand(4) WHEN 0 THEN fz_pick(toks) WHEN 1 THEN fz_pick(nums)
                                          WHEN 2 THEN repeat(',0', fz_rand(3000))
                                          ELSE repeat(',1', fz_rand(50)) END;
            WHEN 5 THEN                                 -- swap two fields
                parts := string_to_array(t, ' ');
                IF array_length(parts, 1) >= 2 THEN
                    j := 1 + fz_rand(array_length(parts, 1));
                    k := 1 + fz_rand(array_length(parts, 1));
                    tmp := parts[j];
                    parts[j] := parts[k];
                    parts[k] := tmp;
                    t := array_to_string(parts, ' ');
                END IF;
            WHEN 6, 7 THEN                              -- replace a number
                k := regexp_count(t, numre);
                IF k > 0 THEN
                    j := 1 + fz_rand(k);
                    p := regexp_instr(t, numre, 1, j);
                    tmp := regexp_substr(t, numre, 1, j);
                    t := left(t, p - 1)
                         || CASE WHEN random() < 0.6 THEN fz_pick(nums) ELSE fz_nudge(tmp) END
                         || substr(t, p + length(tmp));
                END IF;
            WHEN 8 THEN                                 -- flip a bit, keep it printable
                IF len > 0 THEN
                    j := 1 + fz_rand(len);
                    k := ascii(substr(t, j, 1)) # (1 << fz_rand(7));
                    IF k BETWEEN 32 AND 126 THEN
                        t := overlay(t PLACING chr(k) FROM j FOR 1);
                    END IF;
                END IF;
            ELSE                                        -- copy a span; rarely, 2^20 bins
                IF random() < 0.03 THEN
                    t := regexp_replace(t, '(pos|neg)=(-?[0-9]+):',
                                        '\1=\2:' || repeat('0,', 1048574 + fz_rand(4)));
                ELSE
                    t := left(t, p) || substr(t, 1 + fz_rand(len + 1), fz_rand(20)) || substr(t, p + 1);
                END IF;
        END CASE;
    END LOOP;
    RETURN t;
END $$;

-- ---- binary mutations -------------------------------------------------------
-- layout: version 0, flags 1, alpha 2, count 10, zero 18, min 26, max 34,
-- sum 42, npos 50, pos offset 54, npos counts from 58, then nneg, neg
-- offset and nneg counts
CREATE FUNCTION fz_get4(b bytea, off int) RETURNS int LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN length(b) >= off + 4
            THEN ('x' || encode(substr(b, off + 1, 4), 'hex'))::bit(32)::int END
$$;
CREATE FUNCTION fz_put(b bytea, off int, x bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN off >= length(b) THEN b || x
            ELSE overlay(b PLACING x FROM off + 1 FOR length(x)) END
$$;
CREATE FUNCTION fz_bytes(n int) RETURNS bytea LANGUAGE sql VOLATILE AS $$
SELECT coalesce(string_agg(set_byte('\x00'::bytea, 0, fz_rand(256)), ''::bytea), '') FROM generate_series(1, n)
$$;
CREATE FUNCTION fz_int4() RETURNS bytea LANGUAGE sql VOLATILE AS $$
SELECT int4send((ARRAY[0, 1, -1, 2, 5, 1048575, 1048576, 1048577, 2147483647, -2147483648,
                       8388607, 8388608, -8388608, -8388609, 100000])[1 + fz_rand(15)])
$$;
CREATE FUNCTION fz_int8() RETURNS bytea LANGUAGE sql VOLATILE AS $$
SELECT int8send((ARRAY[0, 1, -1, 2, 3, 9223372036854775807, -9223372036854775808,
                       4611686018427387904, 1048576, 2147483648])[1 + fz_rand(10)])
$$;
CREATE FUNCTION fz_float8() RETURNS bytea LANGUAGE sql VOLATILE AS $$
SELECT float8send((ARRAY['0', '-0', 'NaN', 'Infinity', '-Infinity', '1e308', '-1e308', '5e-324',
                         '0.5', '0.01', '0.0001', '0.00009', '0.50001', '1', '-1', '1e-300',
                         '1.7976931348623157e308', '250'])[1 + fz_rand(18)]::float8)
$$;

CREATE FUNCTION fz_mutate_bin(b bytea) RETURNS bytea LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    i int; len int; p int; q int; npos int; f int; x bytea; y bytea;
BEGIN
    FOR i IN 1 .. CASE WHEN random() < 0.5 THEN 1 ELSE 2 + fz_rand(3) END LOOP
        len := length(b);
        p := fz_rand(len + 1);
        npos := fz_get4(b, 50);
        CASE fz_rand(10)
            WHEN 0 THEN                                 -- flip a bit
                IF len > 0 THEN
                    q := fz_rand(len * 8);
                    b := set_bit(b, q, 1 - get_bit(b, q));
                END IF;
            WHEN 1 THEN                                 -- a random byte
                IF len > 0 THEN
                    b := set_byte(b, fz_rand(len), fz_rand(256));
                END IF;
            WHEN 2 THEN                                 -- truncate
                b := substr(b, 1, p);
            WHEN 3 THEN                                 -- extend
                b := b || CASE fz_rand(3) WHEN 0 THEN fz_bytes(1 + fz_rand(16)) WHEN 1 THEN fz_int8()
                                          ELSE fz_int4() END;
            WHEN 4 THEN                                 -- swap two 8-byte fields
                p := (ARRAY[2, 10, 18, 26, 34, 42, 58, 66, 74])[1 + fz_rand(9)];
                q := (ARRAY[2, 10, 18, 26, 34, 42, 58, 66, 74])[1 + fz_rand(9)];
                IF len >= greatest(p, q) + 8 THEN
                    x := substr(b, p + 1, 8);
                    y := substr(b, q + 1, 8);
                    b := fz_put(fz_put(b, p, y), q, x);
                END IF;
            WHEN 5, 6 THEN                              -- a header field
                f := fz_rand(12);
                b := CASE
                    WHEN f = 0 THEN fz_put(b, 0, set_byte('\x00'::bytea, 0, (ARRAY[0, 1, 2, 255])[1 + fz_rand(4)]))
                    WHEN f = 1 THEN fz_put(b, 1, set_byte('\x00'::bytea, 0, (ARRAY[0, 1, 2, 128, 255])[1 + fz_rand(5)]))
                    WHEN f BETWEEN 2 AND 5 THEN fz_put(b, (ARRAY[2, 26, 34, 42])[f - 1], fz_float8())
                    WHEN f BETWEEN 6 AND 7 THEN fz_put(b, (ARRAY[10, 18])[f - 5], fz_int8())
                    WHEN f BETWEEN 8 AND 9 THEN fz_put(b, (ARRAY[50, 54])[f - 7], fz_int4())
                    WHEN npos BETWEEN 0 AND 1000 THEN fz_put(b, 58 + 8 * npos + 4 * (f - 10), fz_int4())
                    ELSE b END;
            WHEN 7 THEN                                 -- a bin count
                IF npos BETWEEN 1 AND 1000 THEN
                    b := fz_put(b, 58 + 8 * fz_rand(npos), fz_int8());
                ELSE
                    b := fz_put(b, 58 + 8 * fz_rand(4), fz_int8());
                END IF;
            WHEN 8 THEN                                 -- insert bytes
                b := substr(b, 1, p) || fz_bytes(1 + fz_rand(9)) || substr(b, p + 1);
            ELSE                                        -- delete bytes
                b := substr(b, 1, p) || substr(b, p + 2 + fz_rand(8));
        END CASE;
    END LOOP;
    RETURN b;
END $$;

-- ---- reading a payload through COPY FORMAT binary ---------------------------
CREATE FUNCTION fz_recv(payload bytea) RETURNS slo.sketch LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    path text := (SELECT file FROM fz_conf);
    lo oid;
BEGIN
    lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea       -- signature
                           || '\x0000000000000000'::bytea         -- flags, header extension
                           || '\x0001'::bytea                     -- one field
                           || int4send(length(payload)) || payload
                           || '\xffff'::bytea);                   -- trailer
    PERFORM lo_export(lo, path);
    PERFORM lo_unlink(lo);
    DELETE FROM fz_in;
    EXECUTE format('COPY fz_in FROM %L (FORMAT binary)', path);
    RETURN (SELECT s FROM fz_in);
END $$;

-- ---- the checks of an accepted value: NULL when all pass --------------------
CREATE FUNCTION fz_roundtrip(v slo.sketch) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    t text := v::text;
    w slo.sketch;
BEGIN
    BEGIN
        w := t::slo.sketch;
    EXCEPTION WHEN OTHERS THEN
        RETURN format('text round trip: %s %s', SQLSTATE, SQLERRM);
    END;
    IF w::text <> t THEN
        RETURN format('text round trip changed the value to %s', left(w::text, 200));
    END IF;
    BEGIN
        w := fz_recv(slo_internal.sketch_send(v));
    EXCEPTION WHEN OTHERS THEN
        RETURN format('binary round trip: %s %s', SQLSTATE, SQLERRM);
    END;
    IF w::text IS DISTINCT FROM t THEN
        RETURN format('binary round trip changed the value to %s', left(w::text, 200));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION fz_check(v slo.sketch) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    qs float8[] := '{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1}';
    failure text;
    c bigint; mn float8; mx float8; ps float8[]; b float8; bs float8[]; pw float8[];
    w slo.sketch;
    other slo.sketch;
    x float8;
    i int;
BEGIN
    failure := fz_roundtrip(v);
    IF failure IS NOT NULL THEN
        RETURN failure;
    END IF;

    BEGIN
        c := slo.sketch_count(v);
        mn := slo.sketch_min(v);
        mx := slo.sketch_max(v);
        PERFORM slo.sketch_mean(v), slo.sketch_alpha(v), slo.percentile(v, random());
        ps := slo.percentiles(v, qs);
        IF c = 0 THEN
            IF ps IS NOT NULL OR mn IS NOT NULL OR mx IS NOT NULL OR slo.p_within(v, 0) IS NOT NULL THEN
                RETURN 'an empty sketch answers with a value';
            END IF;
        ELSE
            -- (at 1 only from two values on: a hostile count=1 sketch may have
            -- min < max, and the percentile of rank 1 is the min)
            IF ps[1] IS DISTINCT FROM mn OR (c > 1 AND ps[array_length(qs, 1)] IS DISTINCT FROM mx) THEN
                RETURN format('percentiles 0 and 1 are not min and max: %s (min %s, max %s)', ps, mn, mx);
            END IF;
            FOR i IN 1 .. array_length(qs, 1) LOOP
                IF NOT (ps[i] BETWEEN mn AND mx) OR (i > 1 AND ps[i] < ps[i - 1]) THEN
                    RETURN format('percentiles out of [min, max] or decreasing: %s', ps);
                END IF;
            END LOOP;
            bs := ARRAY['-Infinity'::float8,
                        CASE WHEN mn > -1e300 THEN mn - abs(mn) - 1 ELSE '-Infinity' END,
                        mn, ps[3], 0, ps[6], ps[9], mx,
                        CASE WHEN mx < 1e300 THEN mx + abs(mx) + 1 ELSE 'Infinity' END, 'Infinity'];
            SELECT array_agg(slo.p_within(v, bb) ORDER BY bb) INTO pw FROM unnest(bs) bb;
            IF pw[1] <> 0 OR pw[8] <> 1 OR pw[10] <> 1 THEN
                RETURN format('p_within is not 0 at -Infinity and 1 at max: %s', pw);
            END IF;
            FOR i IN 1 .. array_length(pw, 1) LOOP
                IF NOT (pw[i] BETWEEN 0 AND 1) OR (i > 1 AND pw[i] < pw[i - 1]) THEN
                    RETURN format('p_within out of [0, 1] or decreasing: %s at %s', pw, bs);
                END IF;
            END LOOP;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RETURN format('accessor error: %s %s', SQLSTATE, SQLERRM);
    END;

    -- derived values: add a value, merge with itself
    FOR i IN 1 .. 3 LOOP
        x := CASE i WHEN 1 THEN coalesce(mn, 0)
                    WHEN 2 THEN CASE WHEN abs(mx) < 1e300 THEN mx * 1.5 ELSE coalesce(mx, 1) END
                    ELSE (random() - 0.5) * 1e6 END;
        BEGIN
            w := slo_internal.sketch_add(v, x, slo.sketch_alpha(v));
        EXCEPTION WHEN OTHERS THEN
            w := NULL;
            IF SQLSTATE NOT IN ('22003', '54000', '22023') THEN
                RETURN format('sketch_add(v, %s): %s %s', x, SQLSTATE, SQLERRM);
            END IF;
        END;
        IF w IS NOT NULL THEN
            failure := fz_roundtrip(w);
            IF failure IS NOT NULL THEN
                RETURN format('sketch_add(v, %s): %s', x, failure);
            END IF;
        END IF;
    END LOOP;
    BEGIN
        w := slo_internal.sketch_combine(v, v);
    EXCEPTION WHEN OTHERS THEN
        w := NULL;
        IF SQLSTATE NOT IN ('22003', '54000') THEN
            RETURN format('sketch_combine(v, v): %s %s', SQLSTATE, SQLERRM);
        END IF;
    END;
    IF w IS NOT NULL THEN
        IF slo.sketch_count(w) <> 2 * c THEN
            RETURN 'sketch_combine(v, v) does not double the count';
        END IF;
        failure := fz_roundtrip(w);
        IF failure IS NOT NULL THEN
            RETURN 'sketch_combine(v, v): ' || failure;
        END IF;
    END IF;
    -- merging with a corpus sketch (of the same alpha or not) must not crash
    other := (SELECT s FROM fz_base ORDER BY slo.sketch_alpha(s) = slo.sketch_alpha(v) DESC, random() LIMIT 1);
    BEGIN
        PERFORM slo.percentiles(slo.merge(s), qs) FROM (VALUES (v), (other), (v)) t(s);
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE NOT IN ('22003', '54000', '22023') THEN
            RETURN format('merge: %s %s', SQLSTATE, SQLERRM);
        END IF;
    END;
    RETURN NULL;
END $$;

-- ---- one batch ----------------------------------------------------------------
-- Returns (kind, outcome, cases): outcome 'accepted' or the SQLSTATE.
-- Failures of accepted values go to fz_fail.  With announce, each case is
-- announced (NOTICE) before it is tried.
CREATE FUNCTION fz_batch(batch int, n int, announce boolean)
RETURNS TABLE (kind text, outcome text, cases bigint) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    nbase int := (SELECT count(*) FROM fz_base);
    base fz_base;
    results text[] := '{}';
    k text;
    res text;
    input text;
    payload bytea;
    v slo.sketch;
    failure text;
    i int;
    j int;
BEGIN
    FOR i IN 1 .. n LOOP
        j := 1 + fz_rand(nbase);                 -- once, not once per row
        SELECT * INTO base FROM fz_base WHERE id = j;
        v := NULL;
        IF random() < 0.5 THEN
            k := 'text';
            input := fz_mutate_text(base.txt);
            IF announce THEN
                RAISE NOTICE 'case % text (% chars, md5 %): %', i, length(input), md5(input), left(input, 300);
            END IF;
            BEGIN
                v := input::slo.sketch;
                res := 'accepted';
            EXCEPTION WHEN OTHERS THEN
                res := SQLSTATE;
            END;
        ELSE
            k := 'binary';
            payload := fz_mutate_bin(base.bin);
            input := encode(payload, 'hex');
            IF announce THEN
                RAISE NOTICE 'case % binary: %', i, left(input, 600);
            END IF;
            BEGIN
                v := fz_recv(payload);
                res := 'accepted';
            EXCEPTION WHEN OTHERS THEN
                res := SQLSTATE;
            END;
        END IF;
        results := results || (k || ' ' || res);
        IF v IS NOT NULL THEN
            failure := fz_check(v);
            IF failure IS NOT NULL THEN
                INSERT INTO fz_fail VALUES (batch, k, failure, left(input, 2000));
            END IF;
        END IF;
    END LOOP;
    RETURN QUERY
        SELECT split_part(r, ' ', 1), split_part(r, ' ', 2), count(*) FROM unnest(results) r GROUP BY 1, 2;
END $$;
SQL
echo "corpus: $(psql_db -At -c "SELECT count(*) || ' valid sketches, ' || sum(length(txt)) || ' characters of text, ' || sum(length(bin)) || ' bytes binary' FROM fz_base")"

# ---------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------
declare -A count=()
batches=0
crashed=0
start=$(date +%s)
while (( $(date +%s) - start < SECONDS_RUN )); do
	batches=$((batches + 1))
	out=$(psql_db -At -F ' ' -c "SELECT setseed($(seed_of "$batches"))" \
		-c "SELECT * FROM fz_batch($batches, $BATCH, false)" 2>&1)
	rc=$?
	if [[ $rc -ne 0 ]]; then
		echo "FAIL: batch $batches (seed $SEED) lost its connection or failed (psql exit $rc):"
		printf '%s\n' "$out" | tail -n 5 | sed 's/^/    /'
		crashed=1
		break
	fi
	while read -r kind outcome n; do
		[[ -z ${kind:-} ]] && continue
		count["$kind $outcome"]=$(( ${count["$kind $outcome"]:-0} + n ))
	done <<<"$out"
done
elapsed=$(( $(date +%s) - start ))

if [[ $crashed -eq 1 ]]; then
	# wait for the server to come back, then replay the batch case by case
	for _ in $(seq 1 60); do
		pg_isready -q -d postgres && psql -X -q -At -d "$DB" -c "SELECT 1" >/dev/null 2>&1 && break
		sleep 1
	done
	echo "replaying batch $batches, each case printed before it is tried; the last one printed crashed:"
	psql_db -At -c "SELECT setseed($(seed_of "$batches"))" \
		-c "SELECT * FROM fz_batch($batches, $BATCH, true)" 2>&1 >/dev/null \
		| grep 'NOTICE:  case' | tail -n 1 | cut -c 1-1200 | sed 's/^/    /'
	failures=$((failures + 1))
fi

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
total=0
for kind in text binary; do
	cases=0
	accepted=${count["$kind accepted"]:-0}
	rejected=""
	for key in "${!count[@]}"; do
		[[ $key == "$kind "* ]] || continue
		cases=$((cases + count[$key]))
		[[ $key == "$kind accepted" ]] && continue
		rejected+="${key#"$kind "} ${count[$key]}, "
	done
	total=$((total + cases))
	printf '%-6s %6d cases: %d accepted, rejected by SQLSTATE: %s\n' "$kind" "$cases" "$accepted" \
		"$(tr ',' '\n' <<<"${rejected%, }" | sed 's/^ //' | sort | paste -sd, - | sed 's/,/, /g')"
done
echo "$total cases in $batches batch(es) of $BATCH, ${elapsed}s, seed $SEED"

if pg_isready -q -d postgres && psql -X -q -At -d "$DB" -c "SELECT 1" >/dev/null 2>&1; then
	echo "ok:   the server is up (pg_isready, SELECT 1)"
else
	echo "FAIL: the server is not answering"
	failures=$((failures + 1))
fi
if [[ $crashed -eq 0 && $total -lt 1000 ]]; then
	echo "FAIL: only $total cases ran"
	failures=$((failures + 1))
fi

nfail=$(psql -X -q -At -d "$DB" -c "SELECT count(*) FROM fz_fail" 2>/dev/null || echo "?")
if [[ $nfail == 0 ]]; then
	echo "ok:   every accepted value passed the round trips and the accessor checks"
else
	echo "FAIL: $nfail accepted value(s) failed their checks:"
	psql -X -q -At -d "$DB" -F ' | ' \
		-c "SELECT batch, kind, failure, left(input, 300) FROM fz_fail ORDER BY batch LIMIT 20" 2>&1 | sed 's/^/    /'
	failures=$((failures + 1))
fi

if [[ $failures -ne 0 ]]; then
	echo "fuzz_sketch: FAILED (reproduce with SLO_FUZZ_SEED=$SEED SLO_FUZZ_BATCH=$BATCH)"
	exit 1
fi
echo "fuzz_sketch: ok"
exit 0

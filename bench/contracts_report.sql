--
-- bench/contracts_report.sql: the report of bench/contracts.sh, from its
-- results on standard input (tab-separated: kind, data, variant, run, ms per
-- statement, rows per statement, statements).  Per kind of write and data:
-- each variant's median over the runs, and its ratio to each peer (no
-- checks, native, PL/pgSQL) taken within each run, then the median over the
-- runs (min - max beside it); then the aims.
--
\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
CREATE TEMP TABLE r (kind text, data text, variant text, run int, ms float8, rows int8, statements int8);
\copy r FROM pstdin
CREATE TEMP TABLE o (kind text, ko int, variant text, vo int);
INSERT INTO o VALUES ('insert1', 1, 'plain', 1), ('insert1000', 2, 'native', 2), ('copy', 3, 'plpgsql', 3),
                     (NULL, NULL, 'slo', 4), (NULL, NULL, 'slo_email', 5), (NULL, NULL, 'slo_member', 6);
CREATE TEMP VIEW x AS
SELECT kind, data, variant, run, ms * 1000 AS us, ms * 1000 / rows AS us_row, rows, statements FROM r;
-- each variant, median over the runs
CREATE TEMP TABLE m AS
SELECT kind, data, variant, count(*) AS runs, sum(statements) AS statements, sum(statements * rows) AS rows_written,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY us) AS us,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY us_row) AS us_row, min(us_row) AS us_row_min, max(us_row) AS us_row_max
FROM x GROUP BY 1, 2, 3;
-- each variant against each peer, within each run
CREATE TEMP TABLE pr AS
SELECT a.kind, a.data, a.variant, p.variant AS peer,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY a.us / p.us) AS ratio,
       min(a.us / p.us) AS ratio_min, max(a.us / p.us) AS ratio_max
FROM x a JOIN x p USING (kind, data, run)
WHERE p.variant IN ('plain', 'native', 'plpgsql')
GROUP BY 1, 2, 3, 4;
CREATE TEMP VIEW shown AS
SELECT pr.*, format('%s (%s-%s)', round(ratio::numeric, 3), round(ratio_min::numeric, 2), round(ratio_max::numeric, 2)) AS text
FROM pr;
CREATE TEMP VIEW ords AS
SELECT m.*, (SELECT ko FROM o WHERE o.kind = m.kind) AS ko, (SELECT vo FROM o WHERE o.variant = m.variant) AS vo FROM m;
\set QUIET off

\echo == data contracts: time per statement and per row, median of the runs; ratio = variant / peer within a run: median (min-max)
SELECT m.kind, m.data, m.variant, m.runs, m.rows_written AS "rows written",
       round(m.us::numeric, 1) AS "median us per statement",
       round(m.us_row::numeric, 2) || ' (' || round(m.us_row_min::numeric, 2) || '-' || round(m.us_row_max::numeric, 2) || ')' AS "us per row (min-max)",
       CASE WHEN m.variant <> 'plain' THEN round((m.us_row - p.us_row)::numeric, 2) END AS "added us per row",
       (SELECT text FROM shown s WHERE (s.kind, s.data, s.variant, s.peer) = (m.kind, m.data, m.variant, 'plain') AND m.variant <> 'plain') AS "vs no checks",
       (SELECT text FROM shown s WHERE (s.kind, s.data, s.variant, s.peer) = (m.kind, m.data, m.variant, 'native') AND m.variant <> 'native') AS "vs native",
       (SELECT text FROM shown s WHERE (s.kind, s.data, s.variant, s.peer) = (m.kind, m.data, m.variant, 'plpgsql') AND m.variant <> 'plpgsql') AS "vs PL/pgSQL"
FROM ords m JOIN m p ON (p.kind, p.data, p.variant) = (m.kind, m.data, 'plain')
ORDER BY m.data, m.ko, m.vo;

\echo == the aims: slo within 1.3 times native, and faster than PL/pgSQL (ratios within a run, median of the runs)
SELECT m.kind, m.data,
       round(n.ratio::numeric, 3) AS "slo / native",
       CASE WHEN n.ratio IS NULL THEN 'no native (it rejects)' WHEN n.ratio <= 1.3 THEN 'met (<= 1.3)'
            ELSE format('MISSED (<= 1.3): %s times native', round(n.ratio::numeric, 2)) END AS "aim vs native",
       round(g.ratio::numeric, 3) AS "slo / PL/pgSQL",
       CASE WHEN g.ratio < 1 THEN format('met: %s%% faster', round(((1 - g.ratio) * 100)::numeric, 1))
            ELSE format('MISSED: %s%% slower', round(((g.ratio - 1) * 100)::numeric, 1)) END AS "aim vs PL/pgSQL",
       round(pl.ratio::numeric, 3) AS "slo / no checks"
FROM ords m
LEFT JOIN pr n ON (n.kind, n.data, n.variant, n.peer) = (m.kind, m.data, m.variant, 'native')
LEFT JOIN pr g ON (g.kind, g.data, g.variant, g.peer) = (m.kind, m.data, m.variant, 'plpgsql')
LEFT JOIN pr pl ON (pl.kind, pl.data, pl.variant, pl.peer) = (m.kind, m.data, m.variant, 'plain')
WHERE m.variant = 'slo'
ORDER BY m.data, m.ko;

\echo per run: us per row of each variant
SELECT kind, data, run, string_agg(format('%s %s', variant, round(us_row::numeric, 2)), ', ' ORDER BY (SELECT vo FROM o WHERE o.variant = x.variant)) AS "us per row"
FROM x
GROUP BY kind, data, run
ORDER BY data, (SELECT ko FROM o WHERE o.kind = x.kind), run;

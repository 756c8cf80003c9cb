--
-- What the catalog says about the extension's objects: every function in
-- schema slo is labelled as the project promises, and no aggregate state is
-- internal.
--

-- every object of the extension lives in schema slo
SELECT pg_describe_object(classid, objid, 0) AS object
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'slo')
  AND deptype = 'e'
ORDER BY 1;

-- volatility, strictness and parallel labels of every function
SELECT p.oid::regprocedure AS function, p.prokind AS kind, p.provolatile AS volatility,
       p.proisstrict AS strict, p.proparallel AS parallel, p.prosecdef AS security_definer
FROM pg_proc p
WHERE p.pronamespace = 'slo'::regnamespace
ORDER BY p.oid::regprocedure::text;

-- every aggregate: a real state type, a non-strict combine function, an
-- inverse for moving windows, and read-only final functions
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtranstype::regtype AS state,
       a.aggcombinefn, c.proisstrict AS combine_strict, a.aggminvtransfn,
       a.aggfinalmodify, a.aggmfinalmodify, a.agginitval
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_proc c ON c.oid = a.aggcombinefn
WHERE p.pronamespace = 'slo'::regnamespace
ORDER BY a.aggfnoid::regprocedure::text;

-- nothing takes or returns internal but the binary receive function
SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace = 'slo'::regnamespace
  AND ('internal'::regtype = ANY (p.proargtypes) OR p.prorettype = 'internal'::regtype);

-- the type's storage and alignment
SELECT typname, typlen, typbyval, typalign, typstorage
FROM pg_type WHERE typnamespace = 'slo'::regnamespace AND typtype = 'b';

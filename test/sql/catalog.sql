--
-- What the catalog says about the extension's objects: every function is
-- labelled as the project promises, no aggregate state is internal, and
-- schema slo holds the documented API (docs/reference), slo_internal the
-- rest.
--

-- every object of the extension: the API in schema slo, the machinery in
-- slo_internal
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
WHERE p.pronamespace IN ('slo'::regnamespace, 'slo_internal'::regnamespace)
ORDER BY p.pronamespace::regnamespace::text, p.oid::regprocedure::text;

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
WHERE p.pronamespace IN ('slo'::regnamespace, 'slo_internal'::regnamespace)
  AND ('internal'::regtype = ANY (p.proargtypes) OR p.prorettype = 'internal'::regtype);

-- the type's storage and alignment
SELECT typname, typlen, typbyval, typalign, typstorage
FROM pg_type WHERE typnamespace = 'slo'::regnamespace AND typtype = 'b';

-- who may call what: in slo, only the tick is kept from PUBLIC (and
-- record(), for writers); in slo_internal, PUBLIC may call only the rights
-- checks, writers the trigger, slo_admin everything (functions and
-- procedures; nothing there keeps the default, PUBLIC)
SELECT p.pronamespace::regnamespace AS schema, p.proname,
	   coalesce(array_to_string(ARRAY(SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
									  FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE'
									  ORDER BY 1), ', '), 'PUBLIC (default)') AS execute
FROM pg_proc p
WHERE p.pronamespace IN ('slo'::regnamespace, 'slo_internal'::regnamespace)
  AND (p.proacl IS NOT NULL OR p.pronamespace = 'slo_internal'::regnamespace)
ORDER BY 1, 2;

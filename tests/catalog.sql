-- The catalog of the fraiseql extension in the current database, one line per fact, OIDs
-- replaced by names: membership, every function and aggregate (attributes, search_path,
-- ACL, source), relation, column, constraint, index, view definition, trigger, policy,
-- comment, initial privilege and dependency. Two databases whose output is the same
-- have the same extension. Used by upgrade.sh and release.sh:
--   psql -X -q -At -f catalog.sql
SET search_path = public;
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'fraiseql'),
members AS (
    SELECT d.classid, d.objid, d.objsubid FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
),
procs AS (SELECT objid AS oid FROM members WHERE classid = 'pg_proc'::regclass),
rels AS (SELECT objid AS oid FROM members WHERE classid = 'pg_class'::regclass),
lines(line) AS (
    SELECT format('extension: version=%s schema=%s relocatable=%s config=%s condition=%s',
                  e.extversion, e.extnamespace::regnamespace, e.extrelocatable, e.extconfig::regclass[], e.extcondition)
    FROM pg_extension e, ext WHERE e.oid = ext.oid
    UNION ALL
    SELECT 'member: ' || pg_describe_object(classid, objid, objsubid) FROM members
    UNION ALL
    SELECT format('function %s: kind=%s volatile=%s parallel=%s strict=%s secdef=%s leakproof=%s cost=%s rows=%s '
                  'retset=%s returns=%s args=%s lang=%s config=%s owner=%s acl=%s variadic=%s support=%s src=%s bin=%s',
                  p.oid::regprocedure, p.prokind, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef,
                  p.proleakproof, p.procost, p.prorows, p.proretset, pg_get_function_result(p.oid),
                  pg_get_function_arguments(p.oid), l.lanname, p.proconfig, pg_get_userbyid(p.proowner), p.proacl,
                  p.provariadic::regtype, p.prosupport::regproc, p.prosrc, p.probin)
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid IN (SELECT oid FROM procs)
    UNION ALL
    SELECT format('aggregate %s: kind=%s direct=%s trans=%s final=%s finalextra=%s finalmodify=%s combine=%s '
                  'serial=%s deserial=%s stype=%s space=%s init=%s sortop=%s',
                  a.aggfnoid::regprocedure, a.aggkind, a.aggnumdirectargs, a.aggtransfn::oid::regprocedure,
                  a.aggfinalfn::oid::regprocedure, a.aggfinalextra, a.aggfinalmodify, a.aggcombinefn::oid::regprocedure,
                  a.aggserialfn::oid::regprocedure, a.aggdeserialfn::oid::regprocedure, a.aggtranstype::regtype,
                  a.aggtransspace, a.agginitval, a.aggsortop::regoperator)
    FROM pg_aggregate a WHERE a.aggfnoid IN (SELECT oid FROM procs)
    UNION ALL
    SELECT format('relation %s: kind=%s persistence=%s owner=%s acl=%s options=%s rls=%s force_rls=%s replident=%s',
                  c.oid::regclass, c.relkind, c.relpersistence, pg_get_userbyid(c.relowner), c.relacl, c.reloptions,
                  c.relrowsecurity, c.relforcerowsecurity, c.relreplident)
    FROM pg_class c WHERE c.oid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT format('column %s.%s: #%s type=%s notnull=%s default=%s collation=%s identity=%s generated=%s storage=%s acl=%s',
                  a.attrelid::regclass, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attcollation::regcollation, a.attidentity, a.attgenerated,
                  a.attstorage, a.attacl)
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('constraint %s on %s: %s deferrable=%s validated=%s', conname, conrelid::regclass,
                  pg_get_constraintdef(oid), condeferrable, convalidated)
    FROM pg_constraint WHERE conrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT 'index: ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT format('view %s: %s', c.oid::regclass, pg_get_viewdef(c.oid)) FROM pg_class c
    WHERE c.oid IN (SELECT oid FROM rels) AND c.relkind IN ('v', 'm')
    UNION ALL
    SELECT 'trigger: ' || pg_get_triggerdef(oid) FROM pg_trigger
    WHERE tgrelid IN (SELECT oid FROM rels) AND NOT tgisinternal
    UNION ALL
    SELECT format('policy %s on %s: %s %s %s %s', polname, polrelid::regclass, polcmd, polpermissive,
                  pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid))
    FROM pg_policy WHERE polrelid IN (SELECT oid FROM rels)
    UNION ALL
    SELECT format('comment %s: %s', pg_describe_object(classoid, objoid, objsubid), description) FROM pg_description
    WHERE (classoid, objoid) IN (SELECT classid, objid FROM members)
    UNION ALL
    SELECT format('initial privileges %s: %s %s', pg_describe_object(classoid, objoid, objsubid), privtype, initprivs)
    FROM pg_init_privs WHERE (classoid, objoid) IN (SELECT classid, objid FROM members)
    UNION ALL
    SELECT format('depends %s -> %s (%s)', pg_describe_object(d.classid, d.objid, d.objsubid),
                  pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid), d.deptype)
    FROM pg_depend d
    WHERE d.deptype <> 'e'
      AND ((d.classid, d.objid) IN (SELECT classid, objid FROM members)
           OR (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM members))
)
-- Toast tables are named after their table's OID.
SELECT l FROM (SELECT regexp_replace(line, 'pg_toast_[0-9]+', 'pg_toast_N', 'g') AS l FROM lines) s
ORDER BY l COLLATE "C";

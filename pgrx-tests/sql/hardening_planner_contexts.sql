-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA hardening_planner_contexts;
SET search_path = hardening_planner_contexts, public;
-- The planner support of fraiseql_where rewrites a constant call into
-- `<derived index conditions> AND fraiseql_where(…)`. PostgreSQL simplifies again the
-- arguments of an AND (and, after NOT, of an OR) that simplification produced, and each
-- partition's or inheritance child's copy of the quals: the recheck must not be
-- rewritten again, or planning never ends (it allocated about 1 GB/s until the server
-- ran out of memory). A loop shows here as a statement timeout.
SET statement_timeout = '10s';

CREATE FUNCTION doc(i int) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN i % 37 = 36 THEN '[1, 2]'::jsonb
    WHEN i % 41 = 40 THEN '"c1"'::jsonb
    ELSE jsonb_strip_nulls(jsonb_build_object(
      'config_name', CASE WHEN i % 13 = 12 THEN NULL ELSE 'c' || (i % 50) END,
      'status', (ARRAY['active', 'deleted', 'draft'])[1 + i % 3],
      'n', CASE WHEN i % 11 = 10 THEN to_jsonb('3'::text) ELSE to_jsonb(i % 10) END,
      'flag', i % 2 = 0,
      'x', CASE WHEN i % 7 = 0 THEN 'null'::jsonb WHEN i % 7 = 1 THEN NULL ELSE to_jsonb(i) END,
      'k', (ARRAY['a', 'b'])[1 + i % 2]))
  END
$$;

-- declared NOT NULL, with btree and GIN indexes
CREATE TABLE t (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO t SELECT i, doc(i) FROM generate_series(1, 300) i;
CREATE INDEX ON t ((data ->> 'config_name'));
CREATE INDEX ON t ((data ->> 'n'));
CREATE INDEX ON t ((data ->> 'flag'));
CREATE INDEX ON t ((data ->> 'k'));
CREATE INDEX ON t (fraiseql_as_numeric(data -> 'n'));
CREATE INDEX ON t USING gin (data);
-- nullable, same indexes, some rows NULL
CREATE TABLE tn (id int, data jsonb);
INSERT INTO tn SELECT id, CASE WHEN id % 10 = 0 THEN NULL ELSE data END FROM t;
CREATE INDEX ON tn ((data ->> 'config_name'));
CREATE INDEX ON tn ((data ->> 'n'));
CREATE INDEX ON tn ((data ->> 'k'));
CREATE INDEX ON tn USING gin (data);
-- NOT NULL, no index (the `->>` text replacement)
CREATE TABLE plain (id int, data jsonb NOT NULL);
INSERT INTO plain SELECT id, data FROM t;
-- GIN only
CREATE TABLE ginonly (id int, data jsonb NOT NULL);
INSERT INTO ginonly SELECT id, data FROM t;
CREATE INDEX ON ginonly USING gin (data);
-- partitioned, indexes declared on the parent
CREATE TABLE p (id int, data jsonb NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (MINVALUE) TO (150);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (150) TO (MAXVALUE);
INSERT INTO p SELECT id, data FROM t;
CREATE INDEX ON p ((data ->> 'config_name'));
CREATE INDEX ON p ((data ->> 'k'));
CREATE INDEX ON p USING gin (data);
-- an inheritance parent declared NOT NULL whose child dropped NOT NULL
CREATE TABLE ih (id int, data jsonb NOT NULL);
CREATE TABLE ih_child () INHERITS (ih);
ALTER TABLE ih_child ALTER COLUMN data DROP NOT NULL;
INSERT INTO ih SELECT id, data FROM t WHERE id <= 150;
INSERT INTO ih_child SELECT id, CASE WHEN id % 10 = 0 THEN NULL ELSE data END FROM t WHERE id > 150;
CREATE INDEX ON ih ((data ->> 'k'));
CREATE INDEX ON ih_child ((data ->> 'k'));
CREATE INDEX ON ih ((data ->> 'config_name'));
CREATE INDEX ON ih_child ((data ->> 'config_name'));
-- views: the nullable side of a LEFT JOIN, a UNION ALL
CREATE TABLE ids (id int);
INSERT INTO ids SELECT generate_series(1, 320);
CREATE VIEW lj AS SELECT ids.id, t.data FROM ids LEFT JOIN t USING (id);
CREATE VIEW ua AS SELECT id, data FROM t WHERE id <= 100 UNION ALL SELECT id + 1000, data FROM tn;
ANALYZE t, tn, plain, ginonly, p, ih, ih_child, ids;

CREATE TABLE specs (n int, spec jsonb);
INSERT INTO specs VALUES
  (1, '{"configName": {"eq": "c42"}, "status": {"neq": "deleted"}}'),  -- not wholly replaceable
  (2, '{"configName": {"eq": "c42"}}'),                                 -- wholly replaceable
  (3, '{"n": {"eq": 3}}'),                                              -- a number on an indexed key
  (4, '{"flag": {"eq": true}}'),                                        -- a boolean on an indexed key
  (5, '{"status": {"in": ["active", "draft"]}}'),                       -- in, served by GIN only
  (6, '{"configName": {"in": ["c1", "c2", "c3"]}, "k": {"eq": "a"}}'),
  (7, '{"k": {"eq": "a"}}'),
  (8, '{"OR": [{"configName": {"eq": "c1"}}, {"k": {"eq": "b"}, "n": {"gt": 5}}]}'),
  (9, '{"x": {"isnull": true}}'),
  (10, '{"x": {"isnull": false}, "k": {"eq": "b"}}'),
  (11, '{}'),
  (12, '{"NOT": {"configName": {"eq": "c1"}}}'),
  (13, '{"configName": {"startsWith": "c1"}, "status": {"eq": "active"}}'),
  (14, '{"n": {"gte": 2, "lt": 5}}'),
  -- an alternative that is itself an OR: the derived OR is flat (a nested one crashed
  -- the planner's index matching in a UNION ALL member's or a partition's quals)
  (15, '{"_or": [{"n": {"in": [false, 10]}}, {"k": {"eq": "a", "has_any_keys": ["x"]}}]}'),
  (16, '{"OR": [{"OR": [{"configName": {"eq": "c1"}}, {"configName": {"eq": "c2"}}]}, {"k": {"eq": "b"}}]}'),
  -- a field whose data key the parser would read as a connective (`_Not` is the data
  -- key `_not`): the equalities next to the btree condition stay a containment filter
  (17, '{"k": {"eq": "a"}, "_Not": {"eq": 1}}'),
  (18, '{"configName": {"eq": "c1"}, "_Or": {"eq": 1}, "eq": {"eq": 2}}');
CREATE TABLE contexts (n int, q text);
-- {X} is the call, {R} the relation (aliased a)
INSERT INTO contexts VALUES
  (1, 'SELECT a.id FROM {R} a WHERE {X} AND a.id > 0'),
  (2, 'SELECT a.id FROM {R} a WHERE a.id > 0 AND {X}'),
  (3, 'SELECT a.id FROM {R} a WHERE {X} OR a.id < 0'),
  (4, 'SELECT a.id FROM {R} a WHERE NOT {X}'),
  (5, 'SELECT a.id FROM {R} a WHERE NOT {X} OR a.id < 0'),
  (6, 'SELECT a.id FROM {R} a WHERE NOT ({X} AND a.id > 5)'),
  (7, 'SELECT a.id FROM {R} a WHERE ({X} AND a.id > 10) OR ({X} AND a.id < 50)'),
  (8, 'SELECT a.id FROM {R} a WHERE ({X}) IS TRUE'),
  (9, 'SELECT a.id FROM {R} a WHERE ({X}) IS NOT TRUE'),
  (10, 'SELECT a.id FROM {R} a WHERE ({X}) IS FALSE'),
  (11, 'SELECT a.id FROM {R} a WHERE ({X}) IS NOT FALSE AND a.id > 0'),
  (12, 'SELECT a.id FROM {R} a WHERE ({X}) IS UNKNOWN'),
  (13, 'SELECT a.id FROM {R} a WHERE CASE WHEN {X} THEN a.id % 2 = 0 ELSE a.id % 3 = 0 END'),
  (14, 'SELECT a.id FROM {R} a WHERE coalesce({X}, a.id % 5 = 0) AND a.id > 0'),
  (15, 'SELECT a.id FROM {R} a JOIN {R} b ON a.id = b.id AND {Xb} AND b.id > 0'),
  (16, 'SELECT a.id FROM {R} a LEFT JOIN {R} b ON a.id = b.id AND NOT {Xb} WHERE b.id IS NULL'),
  (17, 'SELECT a.id FROM {R} a WHERE a.id IN (SELECT b.id FROM {R} b WHERE {Xb} AND b.id > 0)'),
  (18, 'SELECT a.id FROM {R} a WHERE NOT EXISTS (SELECT 1 FROM {R} b WHERE b.id = a.id AND NOT {Xb})'),
  (19, 'SELECT a.id FROM (SELECT * FROM {R} OFFSET 0) a WHERE {X} AND a.id > 0'),
  (20, 'SELECT a.id FROM {R} a WHERE ({X} OR a.id = 7) AND ({X} OR a.id = 8)');

-- Every context, relation and spec: the constant call (rewritten, replaced or kept) and
-- the call with its spec hidden from the planner in an InitPlan (never rewritten) give
-- the same rows.
CREATE FUNCTION ids_of(q text) RETURNS int[] LANGUAGE plpgsql AS $$
DECLARE r int[];
BEGIN
  EXECUTE 'SELECT array_agg(id ORDER BY id) FROM (' || q || ') s' INTO r;
  RETURN r;
END $$;
CREATE FUNCTION instance(ctx text, rel text, spec jsonb, hidden boolean) RETURNS text LANGUAGE sql AS $$
  SELECT replace(replace(replace(ctx, '{Xb}', 'fraiseql_where(b.data, ' || s || ')'),
                         '{X}', 'fraiseql_where(a.data, ' || s || ')'), '{R}', rel)
  FROM (SELECT CASE WHEN hidden THEN '(SELECT ' || quote_literal(spec) || '::jsonb)'
                    ELSE quote_literal(spec) || '::jsonb' END) AS x(s)
$$;
CREATE TABLE outcome AS
SELECT r.rel, c.n AS context, s.n AS spec,
       ids_of(instance(c.q, r.rel, s.spec, false)) AS planned,
       ids_of(instance(c.q, r.rel, s.spec, true)) AS reference
FROM unnest(ARRAY['t', 'tn', 'plain', 'ginonly', 'p', 'ih', 'lj', 'ua']) AS r(rel), contexts c, specs s;
-- how many were run, and how many differ (none)
SELECT count(*) AS checked, count(*) FILTER (WHERE planned IS DISTINCT FROM reference) AS different,
       count(*) FILTER (WHERE cardinality(planned) > 0) AS non_empty
FROM outcome;
SELECT rel, context, spec, planned, reference FROM outcome
WHERE planned IS DISTINCT FROM reference ORDER BY 1, 2, 3;

-- The reproductions, plans included: the recheck stays as the call.
SELECT count(*) FROM t
WHERE fraiseql_where(data, '{"configName": {"eq": "c42"}, "status": {"neq": "deleted"}}') AND id > 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM t
WHERE fraiseql_where(data, '{"configName": {"eq": "c42"}, "status": {"neq": "deleted"}}') AND id > 0;
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE NOT fraiseql_where(data, '{"n": {"eq": 3}}') OR id < 0;
EXPLAIN (COSTS OFF) SELECT id FROM p WHERE fraiseql_where(data, '{"k": {"eq": "a"}}') IS NOT TRUE;
EXPLAIN (COSTS OFF) SELECT id FROM ih WHERE NOT fraiseql_where(data, '{"k": {"eq": "a"}}');
-- an inheritance child that allows NULL: the NULL row is not selected under NOT
-- (the STRICT call is NULL there), as the call without the planner's help says
SELECT array_agg(id ORDER BY id) FROM ih WHERE NOT fraiseql_where(data, '{"k": {"eq": "a"}}') AND id % 10 = 0;
SELECT array_agg(id ORDER BY id) FROM ih WHERE NOT fraiseql_where(data, (SELECT '{"k": {"eq": "a"}}'::jsonb)) AND id % 10 = 0;
SELECT count(*) FROM ua b WHERE NOT fraiseql_where(b.data, '{"_or": [{"n": {"in": [false, 10]}}, {"k": {"eq": "a", "has_any_keys": ["x"]}}]}') AND b.id >= 0;
SELECT count(*) FROM p b WHERE NOT fraiseql_where(b.data, '{"_or": [{"n": {"in": [false, 10]}}, {"k": {"eq": "a", "has_any_keys": ["x"]}}]}') AND b.id >= 0;
-- the prepared form, custom plans (the first five) and the generic one
PREPARE q(int, jsonb) AS SELECT count(*) FROM t WHERE id > $1 AND fraiseql_where(data, $2);
EXECUTE q(0, '{"configName": {"eq": "c42"}, "status": {"neq": "deleted"}}');
EXECUTE q(0, '{"n": {"eq": 3}}');
EXECUTE q(0, '{"flag": {"eq": true}}');
EXECUTE q(0, '{"status": {"in": ["active"]}}');
EXECUTE q(0, '{"k": {"eq": "a"}}');
EXECUTE q(0, '{"k": {"eq": "b"}, "n": {"eq": 3}}');
EXECUTE q(0, '{"configName": {"eq": "c42"}}');
PREPARE qn(jsonb) AS SELECT count(*) FROM p WHERE NOT fraiseql_where(data, $1) OR id < 0;
EXECUTE qn('{"k": {"eq": "a"}}');
EXECUTE qn('{"configName": {"eq": "c42"}, "status": {"neq": "deleted"}}');
DEALLOCATE ALL;
RESET statement_timeout;

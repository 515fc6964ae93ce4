-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_generic;
SET search_path = where_generic, public;
-- Generic operators: numbers compare numerically, strings only match strings, null and missing values never match.
\i fixtures/docs.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, ids(spec::jsonb), ids(spec::jsonb) = ids_sql(spec::jsonb) AS same
FROM (VALUES
 ('{"n": {"eq": 10}}'),
 ('{"n": {"neq": 10}}'),
 ('{"n": {"lt": 10}}'),
 ('{"n": {"gte": 9.5}}'),
 ('{"n": {"in": [9, "10"]}}'),
 ('{"n": {"nin": [9]}}'),
 ('{"n": {"in": []}}'),
 ('{"n": {"nin": []}}'),
 ('{"n": {"isnull": true}}'),
 ('{"n": {"isnull": false}}'),
 ('{"NOT": {"n": {"eq": 9}}}'),
 ('{"n": 10}'),
 ('{"n": null}'),
 ('{"s": {"gt": "Hello"}}'),
 ('{"OR": [{"n": {"eq": 9}}, {"s": {"eq": "hello"}}]}'),
 ('{"_and": [{"n": {"gte": 9}}, {"n": {"lte": 10}}]}'),
 ('{"_not": {"s": {"startswith": "H"}}}'),
 ('{}'),
 ('{"OR": []}'),
 ('{"NOT": {"n": null}}')
) AS t(spec);

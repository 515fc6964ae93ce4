-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_strings;
SET search_path = where_strings, public;
-- String operators: %, _ and \ in operands are literal; case folding is the database's lower().
\i fixtures/docs.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, ids(spec::jsonb), ids(spec::jsonb) = ids_sql(spec::jsonb) AS same
FROM (VALUES
 ('{"s": {"contains": "llo"}}'),
 ('{"s": {"contains": "%"}}'),
 ('{"s": {"contains": "_"}}'),
 ('{"s": {"icontains": "world"}}'),
 ('{"s": {"icontains": "école"}}'),
 ('{"s": {"startswith": "Hello"}}'),
 ('{"s": {"istartsWith": "hello"}}'),
 ('{"s": {"endswith": "now"}}'),
 ('{"s": {"iendswith": "LD"}}'),
 ('{"s": {"like": "h_llo"}}'),
 ('{"s": {"ilike": "h%"}}'),
 ('{"s": {"nlike": "h%"}}'),
 ('{"s": {"nilike": "h%"}}'),
 ('{"s": {"matches": "^H.*d$"}}'),
 ('{"s": {"imatches": "^h"}}'),
 ('{"s": {"not_matches": "^h"}}'),
 ('{"s": {"niregex": "^h"}}')
) AS t(spec);

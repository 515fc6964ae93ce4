-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA execute_sorted_pages;
SET search_path = execute_sorted_pages, public;
-- Sorted pages (orderBy with limit): over a table or a materialized view the engine sorts
-- row ids and reads the page's rows after the sort; over a view it sorts the rows
-- themselves. Every form must give the rows and order of the hand-written statement.
CREATE TABLE tv_item (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_item
SELECT i, jsonb_build_object('id', i, 'rank', (i * 7919) % 1500, 'name', 'item ' || i,
                             'filler', repeat('x', 500), 'group', i % 7)
FROM generate_series(1, 1500) AS i;
CREATE VIEW v_item AS SELECT id, data FROM tv_item;
CREATE MATERIALIZED VIEW mv_item AS SELECT id, data FROM tv_item;
SELECT fraiseql_register_schema($sdl$
type Item { id: Int! rank: Int! name: String! group: Int! }
type Query {
  tableItems: [Item!]! @view(name: "tv_item")
  viewItems: [Item!]! @view(name: "v_item")
  matviewItems: [Item!]! @view(name: "mv_item")
}
$sdl$, current_schema()) AS version;
CREATE FUNCTION ids(field text, args text) RETURNS int[] LANGUAGE sql AS $$
  SELECT array_agg((e->>'id')::int ORDER BY o)
  FROM jsonb_array_elements(fraiseql_execute(format('{ %s(%s) { id } }', field, args), NULL, NULL, current_schema())::jsonb
                            -> 'data' -> field) WITH ORDINALITY AS x(e, o)
$$;
CREATE FUNCTION same(args text, want int[]) RETURNS boolean LANGUAGE sql AS $$
  SELECT ids('tableItems', args) = want AND ids('viewItems', args) = want AND ids('matviewItems', args) = want
$$;

-- first page, a later page, a filtered page, descending, a page past 1,000 rows
SELECT same('orderBy: [{rank: ASC}], limit: 5',
            (SELECT array_agg(id ORDER BY r) FROM (SELECT id, data->'rank' AS r FROM tv_item ORDER BY 2 LIMIT 5) s));
SELECT same('orderBy: [{rank: ASC}], limit: 5, offset: 700',
            (SELECT array_agg(id ORDER BY r) FROM (SELECT id, data->'rank' AS r FROM tv_item ORDER BY 2 LIMIT 5 OFFSET 700) s));
SELECT same('where: {group: {eq: 3}}, orderBy: [{rank: DESC}], limit: 4',
            (SELECT array_agg(id ORDER BY r DESC) FROM (SELECT id, data->'rank' AS r FROM tv_item WHERE data->'group' = '3' ORDER BY 2 DESC LIMIT 4) s));
SELECT same('orderBy: [{rank: ASC}], limit: 1200',
            (SELECT array_agg(id ORDER BY r) FROM (SELECT id, data->'rank' AS r FROM tv_item ORDER BY 2 LIMIT 1200) s));
-- the shaped rows themselves, not only their ids
SELECT fraiseql_execute('{ tableItems(orderBy: [{rank: DESC}], limit: 3) { id rank name } }', NULL, NULL, current_schema())
     ::text = fraiseql_execute('{ tableItems: viewItems(orderBy: [{rank: DESC}], limit: 3) { id rank name } }', NULL, NULL, current_schema())::text
       AS same_response;
SELECT fraiseql_execute('{ tableItems(orderBy: [{rank: DESC}], limit: 3) { id rank name } }', NULL, NULL, current_schema())::text;
-- after an update the page holds the new row version
UPDATE tv_item SET data = jsonb_set(data, '{rank}', '-1') WHERE id = 42;
SELECT fraiseql_execute('{ tableItems(orderBy: [{rank: ASC}], limit: 2) { id rank } }', NULL, NULL, current_schema())::text;
-- a caller granted only the data column (no ctid) reads the page the other way
CREATE ROLE execute_sorted_pages_reader;
GRANT USAGE ON SCHEMA execute_sorted_pages TO execute_sorted_pages_reader;
GRANT SELECT (data) ON tv_item TO execute_sorted_pages_reader;
GRANT SELECT ON fraiseql_schema TO execute_sorted_pages_reader;
SET ROLE execute_sorted_pages_reader;
SELECT fraiseql_execute('{ tableItems(orderBy: [{rank: ASC}], limit: 2) { id rank } }', NULL, NULL, current_schema())::text;
RESET ROLE;
DROP OWNED BY execute_sorted_pages_reader;
DROP ROLE execute_sorted_pages_reader;
-- a table with inheritance children: their rows repeat the parent's ctids, so the page
-- is read the other way and holds each row once
CREATE TABLE tv_item_archive () INHERITS (tv_item);
INSERT INTO tv_item_archive SELECT id + 100000, jsonb_set(data, '{id}', to_jsonb(id + 100000)) FROM tv_item WHERE id <= 3;
-- (the children's first rows sit at the ctids of the parent's ids 1 to 3)
SELECT ids('tableItems', 'orderBy: [{id: ASC}], limit: 3') AS parent_and_children;
SELECT ids('tableItems', 'orderBy: [{id: DESC}], limit: 4') AS parent_and_children;

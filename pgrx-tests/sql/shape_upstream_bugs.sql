-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA shape_upstream_bugs;
SET search_path = shape_upstream_bugs, public;
-- Regression: bugs of upstream FraiseQL's shaper that must not happen here.
SELECT fraiseql_register_types('{"Order": {"customer": "Customer", "lines": "[Line]"}, "Customer": {}, "Line": {"product": "Product"}, "Product": {}}');
CREATE TABLE tv_order (data jsonb);
INSERT INTO tv_order VALUES ('{"id": 1, "_private": "p", "zeta": 1, "alpha": 2, "note": "say \"hi\" \\ bye\\",
  "customer": {"id": 7, "name": "Ann", "email": "ann@example.com"},
  "lines": [{"qty": 2, "product": {"sku": "X1", "cost": 3.10}}, {"qty": 1, "product": {"sku": "Y2", "cost": 9}}]}');
-- 1. nested objects got the ROOT type's __typename
SELECT fraiseql_shape(data, '{ __typename customer { __typename } lines { __typename product { __typename } } }', 'Order') FROM tv_order;
-- 2. lossy projection: unrequested fields leaked, requested nested fields vanished
SELECT fraiseql_shape(data, '{ customer { name } lines { product { cost } } }', 'Order') FROM tv_order;
-- 3. strings double-escaped; a trailing backslash crashed
SELECT fraiseql_shape(data, '{ note }', 'Order') FROM tv_order;
SELECT (fraiseql_shape(data, '{ note }', 'Order')::json->>'note') = data->>'note' AS round_trips FROM tv_order;
-- 4. _private became Private
SELECT fraiseql_shape(data, '{ _private }', 'Order') FROM tv_order;
-- 5. keys sorted alphabetically instead of selection order
SELECT fraiseql_shape(data, '{ zeta alpha id }', 'Order') FROM tv_order;

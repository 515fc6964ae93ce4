# The generated tv_router_config table of the standalone filter benchmarks (where.sh,
# where_index.sh, parallel.sh): id, a unique name, 17 versions, a quarter current, two
# tags, 1,000 machines in 3 cities. Sourced after scripts/lib/common.sh, with a cluster
# started (PGHOST/PGPORT set).
#   create_router_configs ROWS CREATED_AT_SQL   (CREATED_AT_SQL: a jsonb-able expression of i)
create_router_configs() {
    local rows="$1" created_at="$2"
    psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION fraiseql;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE TABLE tv_router_config (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tv_router_config
SELECT i, jsonb_build_object(
    'id', i, 'config_name', 'config ' || i, 'version', i % 17, 'is_current', i % 4 = 0,
    'created_at', ${created_at},
    'tags', jsonb_build_array('t' || (i % 5), 't' || (i % 7)),
    'machine', jsonb_build_object('id', 'm' || (i % 1000), 'name', 'machine ' || (i % 1000),
                                  'location', jsonb_build_object('city', (ARRAY['Paris','Berlin','Lyon'])[1 + i % 3])))
FROM generate_series(1, ${rows}) AS i;
VACUUM ANALYZE tv_router_config;
SELECT pg_prewarm('tv_router_config') AS prewarmed_pages \\gset
SQL
}

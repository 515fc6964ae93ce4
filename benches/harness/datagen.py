"""Generated data, the same on every run: every value is a function of the row number
(a multiplicative permutation where an order must not follow the physical order), and the
few pseudo-random values come from setseed(0.42) before random()."""

from common import run


def router_configs(conn, table, rows, machines=1000):
    """tv_router_config documents as benches/where.sh has them: 10 top-level keys, a nested
    machine with a location, tags. created_at is unique and not correlated with id."""
    run(conn, f"DROP TABLE IF EXISTS {table}")
    run(conn, f"CREATE TABLE {table} (id int PRIMARY KEY, data jsonb NOT NULL)")
    run(conn, f"""
        INSERT INTO {table}
        SELECT i, jsonb_build_object(
            'id', i, 'config_name', 'config ' || i, 'version', i % 17, 'is_current', i % 4 = 0,
            'created_at', to_char(timestamptz '2026-01-01 00:00:00+00' + ((i::bigint * 7919) % {rows}) * interval '1 minute',
                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'tags', jsonb_build_array('t' || (i % 5), 't' || (i % 7)),
            'machine', jsonb_build_object('id', 'm' || (i % {machines}), 'name', 'machine ' || (i % {machines}),
                                          'location', jsonb_build_object('city', (ARRAY['Paris','Berlin','Lyon'])[1 + i % 3]))) 
        FROM generate_series(1, {rows}) AS i""")
    run(conn, f"VACUUM ANALYZE {table}")


def uuid_of(prefix, i):
    """The uuid the SQL below gives row i (md5 of prefix || i)."""
    import hashlib
    h = hashlib.md5(f"{prefix}{i}".encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def wide_name(f):
    """attr_aa, attr_ab, …: letters only, so that snake_case and camelCase map one to one
    (field_01 → field01 → field01 does not)."""
    f -= 1
    return "attr_" + chr(97 + f // 26) + chr(97 + f % 26)


def e2e_tables(conn, rows, machines=97, wide_fields=60):
    """The end-to-end schema: tv_router_config (10 scalar fields, machine → location →
    datacenter: 3 levels of nested objects) and tv_wide_record (60 scalar fields).
    Sort keys (created_at, seq) are unique, so every stack returns the same order."""
    run(conn, "DROP TABLE IF EXISTS tv_router_config, tv_wide_record")
    run(conn, "CREATE TABLE tv_router_config (id uuid PRIMARY KEY, data jsonb NOT NULL)")
    run(conn, f"""
        INSERT INTO tv_router_config
        SELECT md5('rc' || i)::uuid, jsonb_build_object(
            'id', md5('rc' || i)::uuid, 'config_name', 'config ' || i, 'version', i % 17, 'is_current', i % 4 = 0,
            'created_at', to_char(timestamptz '2026-01-01 00:00:00+00' + ((i::bigint * 7919) % {rows}) * interval '1 minute',
                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'status', (ARRAY['active','draft','retired'])[1 + i % 3], 'priority', i % 5,
            'description', 'router configuration number ' || i, 'owner_email', 'owner' || (i % 50) || '@example.com',
            'checksum', md5('sum' || i),
            'machine', jsonb_build_object('id', md5('m' || (i % {machines}))::uuid, 'name', 'machine ' || (i % {machines}),
                'location', jsonb_build_object('city', (ARRAY['Paris','Berlin','Lyon','Madrid'])[1 + (i % {machines}) % 4],
                    'rack_unit', (i % {machines}) % 42,
                    'datacenter', jsonb_build_object('code', 'DC' || ((i % {machines}) % 6), 'region', (ARRAY['eu-west','eu-central'])[1 + (i % {machines}) % 2]))))
        FROM generate_series(1, {rows}) AS i""")
    run(conn, "CREATE INDEX tv_router_config_gin ON tv_router_config USING gin (data jsonb_path_ops)")
    pairs = [f"'{wide_name(f)}', " + (f"'value {f} of ' || i" if f % 3 == 0 else (f"(i * {f}) % 1000" if f % 3 == 1 else f"(i + {f}) % 2 = 0"))
             for f in range(1, wide_fields - 1)]
    # jsonb_build_object takes at most 100 arguments: build the object in pieces
    cols = " || ".join("jsonb_build_object(" + ", ".join(pairs[k:k + 40]) + ")" for k in range(0, len(pairs), 40))
    run(conn, "CREATE TABLE tv_wide_record (id uuid PRIMARY KEY, data jsonb NOT NULL)")
    run(conn, f"""
        INSERT INTO tv_wide_record
        SELECT md5('w' || i)::uuid, jsonb_build_object('id', md5('w' || i)::uuid, 'seq', (i::bigint * 7919) % {rows})
                                    || {cols}
        FROM generate_series(1, {rows}) AS i""")
    run(conn, "CREATE INDEX tv_wide_record_gin ON tv_wide_record USING gin (data jsonb_path_ops)")
    run(conn, "VACUUM ANALYZE tv_router_config")
    run(conn, "VACUUM ANALYZE tv_wide_record")

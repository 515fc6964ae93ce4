-- (each script works in its own schema: scripts share one database)
CREATE SCHEMA where_network;
SET search_path = where_network, public;
-- Network operators on inet values, and address-aware equality with an inet hint.
\i fixtures/devices.sql

-- rows selected by the per-row function, and whether the compiled SQL selects the same
SELECT spec, types, ids(spec::jsonb, types::jsonb), ids(spec::jsonb, types::jsonb) = ids_sql(spec::jsonb, types::jsonb) AS same
FROM (VALUES
 ('{"ip": {"inSubnet": "10.0.0.0/8"}}', '{}'),
 ('{"ip": {"isPrivate": true}}', '{}'),
 ('{"ip": {"isPublic": true}}', '{}'),
 ('{"ip": {"isIPv6": true}}', '{}'),
 ('{"ip": {"isIPv4": false}}', '{}'),
 ('{"ip": {"isLinkLocal": false}}', '{}'),
 ('{"ip": {"isMulticast": false}}', '{}'),
 ('{"ip": {"isCarrierGrade": false}}', '{}'),
 ('{"ip": {"isDocumentation": true}}', '{}'),
 ('{"ip": {"inRange": {"from": "8.0.0.0", "to": "11.0.0.0"}}}', '{}'),
 ('{"ip": {"eq": "10.1.2.3/32"}}', '{"ip": "inet"}'),
 ('{"ip": {"eq": "10.1.2.3/32"}}', '{}')
) AS t(spec, types);

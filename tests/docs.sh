#!/usr/bin/env bash
# The docs gate: what the Markdown pages say that can be checked mechanically.
#   1. every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md, sql/README.md and
#      docs/*.md names a file of the tree, and every #anchor a heading of that page
#   2. docs/operations.md's settings table lists every fraiseql.* setting of the installed
#      build with its default, and nothing else (SELECT name, current_setting(name) FROM
#      pg_settings on a throwaway cluster with the library preloaded)
#   3. README.md's example runs against the installed build and prints what it shows
#   4. the roles docs/operations.md creates can each do what it says they are for
#   5. in docs/*.md (but getting-started.md, which getting_started.sh follows step by
#      step), each ```sql block directly followed by a ```text block is run through psql
#      as typed at its prompt (a database per page, blocks in order) and must print that
#      text, errors included; FRAISEQL_BLESS_DOCS=1 writes what psql printed into those
#      ```text blocks (review the diff before committing)
# Prints "docs: N passed, 0 failed" or fails.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

passed=0
failed=0
pass() { note "ok: $*"; passed=$((passed + 1)); }
fail() { note "FAILED: $*"; failed=$((failed + 1)); }

cd "${ROOT}"
pages=(README.md CONTRIBUTING.md CHANGELOG.md sql/README.md docs/*.md)
if broken="$(python3 - "${pages[@]}" <<'PY'
# GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces
# to -, a -N suffix for repeats.
import os, re, sys
def anchors(path):
    seen, out = {}, set()
    text = re.sub(r"^```.*?^```", "", open(path).read(), flags=re.S | re.M)
    for h in re.findall(r"^#+\s+(.*)$", text, re.M):
        a = re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        n = seen.get(a, 0)
        seen[a] = n + 1
        out.add(a if n == 0 else f"{a}-{n}")
    return out
bad = 0
for page in sys.argv[1:]:
    text = re.sub(r"^```.*?^```", "", open(page).read(), flags=re.S | re.M)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(dest):
            print(f"{page}: link to missing {target}"); bad += 1
        elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
            print(f"{page}: no heading for #{anchor} in {dest}"); bad += 1
sys.exit(bad > 0)
PY
)"; then
    pass "relative links and anchors resolve in ${#pages[@]} pages"
else
    printf '%s\n' "${broken}" | sed 's/^/      /'
    fail "broken links"
fi

ensure_pg_user
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "shared_preload_libraries = 'fraiseql'" >/dev/null
documented="$(sed -n 's/^| `\(fraiseql\.[a-z_]*\)` | `\([^`]*\)` |.*/\1 \2/p' docs/operations.md | sort)"
defined="$(psql -X -At -c "SELECT name || ' ' || current_setting(name) FROM pg_settings WHERE name LIKE 'fraiseql.%' ORDER BY 1")"
if [ -n "${defined}" ] && [ "${documented}" = "${defined}" ]; then
    pass "docs/operations.md lists every fraiseql.* setting with its default ($(printf '%s\n' "${defined}" | wc -l))"
else
    diff <(printf '%s\n' "${documented}") <(printf '%s\n' "${defined}") | sed 's/^/      /' || true
    fail "docs/operations.md's settings table differs from the installed build's settings (< docs, > server)"
fi

# The README's example: its SQL block run in a new database; each result it shows in a
# run of `--  ` comment lines (one value, wrapped) must be a line psql printed.
psql -X -q -c "CREATE DATABASE readme"
python3 - README.md "${CLUSTER_DIR}/readme" <<'PY'
import re, sys
block = re.findall(r"^```sql\n(.*?)^```", open(sys.argv[1]).read(), re.S | re.M)[0]
open(sys.argv[2] + ".sql", "w").write("CREATE EXTENSION fraiseql;\n" + block)
shown, run = [], []
for line in block.splitlines() + [""]:
    if line.startswith("--  "):
        run.append(line[2:].strip())
    elif run:
        shown.append("".join(run)); run = []
open(sys.argv[2] + ".shown", "w").write("\n".join(shown) + "\n")
PY
if printed="$(psql -X -q -At -v ON_ERROR_STOP=1 -d readme -f "${CLUSTER_DIR}/readme.sql" 2>&1)"; then
    absent="$(grep -vxF -f <(printf '%s\n' "${printed}") "${CLUSTER_DIR}/readme.shown" || true)"
    if [ -z "${absent}" ]; then
        pass "README.md's example runs and prints the $(wc -l <"${CLUSTER_DIR}/readme.shown") results it shows"
    else
        printf '%s\n' "${printed}" | sed 's/^/      printed: /'
        printf '%s\n' "${absent}" | sed 's/^/      shown, not printed: /'
        fail "README.md's example shows results psql does not print"
    fi
else
    printf '%s\n' "${printed}" | sed 's/^/      /'
    fail "README.md's example fails in psql"
fi

# The roles docs/operations.md tells a DBA to create, over the example schema: each can do
# its job, and the API role cannot change the schema.
psql -X -q -c "CREATE DATABASE roles"
python3 - docs/operations.md "${CLUSTER_DIR}/roles.sql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index("## Privileges and the roles to create"):]
open(sys.argv[2], "w").write(re.findall(r"^```sql\n(.*?)^```", section, re.S | re.M)[0])
PY
roles_out="$(psql -X -q -At -v ON_ERROR_STOP=1 -d roles -v sdl="$(cat examples/schema.graphql)" 2>&1 <<SQL
CREATE EXTENSION fraiseql;
\i examples/schema.sql
\i ${CLUSTER_DIR}/roles.sql
SET ROLE deployer;
SELECT fraiseql_register_schema(:'sdl');
SELECT fraiseql_register_types('{"RouterConfig": {"machine": "Machine"}, "Machine": {}}');
RESET ROLE;
SET ROLE api;
SELECT fraiseql_execute('{ routerConfigs(where: {isCurrent: {eq: true}}) { configName } }')::jsonb ? 'errors';
SELECT fraiseql_execute('mutation { setCurrentConfig(input: {id: "aaaaaaaa-0000-0000-0000-000000000001"}) { isCurrent } }')::text;
SELECT fraiseql_apq_register('{ routerConfigs { id } }') IS NOT NULL;
SELECT fraiseql_apq_lookup(fraiseql_sha256_hex('{ routerConfigs { id } }')) IS NOT NULL;
RESET ROLE;
SET ROLE apq_admin;
SELECT fraiseql_apq_evict(0, interval '0');
SELECT 'reset' FROM (SELECT fraiseql_apq_stats_reset()) AS r;
RESET ROLE;
SET ROLE fraiseql_monitor;
SELECT entries FROM fraiseql_apq_summary;
SELECT count(*) FROM fraiseql_apq_stats;
RESET ROLE;
SET ROLE api;
\set ON_ERROR_STOP 0
SELECT fraiseql_register_schema(:'sdl');
SQL
)"
want='1
2
f
{"data":{"setCurrentConfig":{"isCurrent":true}}}
t
t
0
reset
1
1
ERROR:  permission denied for function fraiseql_register_schema'
if [ "${roles_out}" = "${want}" ]; then
    pass "the roles of docs/operations.md: deployer registers, api queries, mutates and persists, apq_admin evicts and resets, fraiseql_monitor reads, api cannot register"
else
    diff <(printf '%s\n' "${want}") <(printf '%s\n' "${roles_out}") | sed 's/^/      /' || true
    fail "the roles of docs/operations.md do not do what it says (< expected, > psql)"
fi

# Examples with their output. psql reads each block from stdin, as at its prompt: aligned
# results, and errors without the "psql:file:line:" prefix a -f script would get.
examples="${CLUSTER_DIR}/examples"
mkdir -p "${examples}"
python3 - "${examples}" docs/*.md <<'PY'
import os, re, sys
out, pages = sys.argv[1], sys.argv[2:]
for page in pages:
    if os.path.basename(page) == "getting-started.md":
        continue
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", open(page).read(), re.S | re.M)
    pairs = [(b[1], n[1]) for b, n in zip(blocks, blocks[1:]) if (b[0], n[0]) == ("sql", "text")]
    for i, (sql, text) in enumerate(pairs, 1):
        stem = f"{out}/{os.path.basename(page)[:-3]}+{i:02}"
        open(stem + ".sql", "w").write(sql)
        open(stem + ".expected", "w").write(text)
PY
db=""
for f in "${examples}"/*.sql; do
    [ -e "${f}" ] || break
    stem="${f%.sql}"
    page="$(basename "${stem}" | cut -d+ -f1)"
    example="docs/${page}.md, example $(basename "${stem}" | cut -d+ -f2)"
    if [ "${db}" != "${page}" ]; then
        db="${page}"
        psql -X -q -c "CREATE DATABASE \"${db}\""
        psql -X -q -d "${db}" -c "CREATE EXTENSION fraiseql"
    fi
    psql -X -P pager=off -d "${db}" <"${f}" >"${stem}.out" 2>&1 || true
    compare_with_page "${stem}.expected" "${stem}.out" "${example}"
done
if [ -n "${FRAISEQL_BLESS_DOCS:-}" ]; then
    python3 - "${examples}" docs/*.md <<'PY'
# Each ```text block that follows a ```sql block gets what psql printed for that block.
import os, re, sys
out, pages = sys.argv[1], sys.argv[2:]
for page in pages:
    if os.path.basename(page) == "getting-started.md":
        continue
    text = open(page).read()
    blocks = list(re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M))
    parts, pos, i = [], 0, 0
    for b, n in zip(blocks, blocks[1:]):
        if (b.group(1), n.group(1)) != ("sql", "text"):
            continue
        i += 1
        printed = open(f"{out}/{os.path.basename(page)[:-3]}+{i:02}.out").read().rstrip()
        parts += [text[pos:n.start()], "```text\n" + "\n".join(l.rstrip() for l in printed.splitlines()) + "\n```"]
        pos = n.end()
    if i:
        open(page, "w").write("".join(parts) + text[pos:])
        print(f"    blessed: {page} (review the diff)")
PY
fi

if [ "${failed}" -eq 0 ]; then
    echo "docs: ${passed} passed, 0 failed"
else
    echo "docs: ${passed} passed, ${failed} failed"
    exit 1
fi

#!/usr/bin/env bash
# docs/getting-started.md, followed as a DBA follows it: each ```sql block is run in psql
# (aligned output, command tags, as typed at the psql prompt) in one database, in order,
# and what psql prints must be the ```text block that follows it on the page. The GraphQL
# request (a ```sh block with curl, then a ```json block) goes to examples/server.mjs when
# the build has fraiseql_execute.
#
#   tests/getting_started.sh [page]
#
# Without arguments: this tree's page against the installed build, on a throwaway
# cluster, with /usr/share/doc/postgresql-15-fraiseql/ read as this tree. The release
# check runs the page the package installed, on its own cluster: it sets
# FRAISEQL_GS_DB (an existing database), FRAISEQL_GS_EXAMPLES (the examples directory,
# dependencies installed), FRAISEQL_GS_ROOT (where the package's system is mounted) and
# the PG* variables.
# FRAISEQL_BLESS_DOCS=1 writes what psql printed into the page's ```text blocks (review
# the diff before committing). Prints "getting_started: N passed, 0 failed" or fails.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"

PAGE="$(realpath "${1:-${ROOT}/docs/getting-started.md}")"
DOC_PREFIX="/usr/share/doc/postgresql-${PG_MAJOR}-fraiseql/"
WORK="$(mktemp -d /tmp/fraiseql-gs.XXXXXX)"
cleanup() { stop_example_server; [ -n "${FRAISEQL_GS_DB:-}" ] || stop_cluster; rm -rf "${WORK}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${FRAISEQL_GS_DB:-}" ]; then
    DB="${FRAISEQL_GS_DB}"
    EXAMPLES="${FRAISEQL_GS_EXAMPLES:?FRAISEQL_GS_EXAMPLES must name the examples directory}"
    # The page's installed paths, seen from here (FRAISEQL_GS_ROOT: the root of the system
    # the package is installed in, when that is not this one).
    PREFIX_AS="${FRAISEQL_GS_ROOT:-}${DOC_PREFIX}"
else
    ensure_pg_user
    start_cluster "shared_preload_libraries = 'fraiseql'" >/dev/null
    DB=quickstart
    psql -X -q -c "CREATE DATABASE ${DB}"
    EXAMPLES="${ROOT}/examples"
    PREFIX_AS="${ROOT}/"
fi

passed=0
failed=0
pass() { note "ok: $*"; passed=$((passed + 1)); }
fail() { note "FAILED: $*"; failed=$((failed + 1)); }

# The page's steps: NN.sql, NN.expected (the text block after it, if any), and the curl
# request's body and answer.
python3 - "${PAGE}" "${WORK}" "${DOC_PREFIX}" "${PREFIX_AS}" <<'PY'
import os, re, sys
page, out, prefix, prefix_as = sys.argv[1:]
blocks = re.findall(r"^```(\w*)\n(.*?)^```", open(page).read(), re.S | re.M)
n = 0
for i, (lang, body) in enumerate(blocks):
    following = blocks[i + 1] if i + 1 < len(blocks) else ("", "")
    if lang == "sql":
        n += 1
        open(f"{out}/{n:02}.sql", "w").write(body.replace(prefix, prefix_as))
        if following[0] == "text":
            open(f"{out}/{n:02}.expected", "w").write(following[1])
    elif lang == "sh" and "curl " in body and following[0] == "json":
        m = re.search(r"-d '(.*?)'", body, re.S)
        if m:
            open(f"{out}/request.json", "w").write(m.group(1))
            open(f"{out}/response.json", "w").write(following[1])
            user = re.search(r"\bPGUSER=(\S+)", body)
            open(f"{out}/request.user", "w").write(user.group(1) if user else "")
PY

steps=0
for f in "${WORK}"/*.sql; do
    [ -e "${f}" ] || die "no \`\`\`sql block in ${PAGE}"
    steps=$((steps + 1))
    name="$(basename "${f}" .sql)"
    status=0
    (cd "${WORK}" && psql -X -v ON_ERROR_STOP=1 -P pager=off -d "${DB}" -f "${f}") >"${WORK}/${name}.out" 2>&1 || status=$?
    if [ "${status}" -ne 0 ]; then
        sed 's/^/      /' "${f}" "${WORK}/${name}.out"
        fail "step ${name} failed in psql"
    elif [ -f "${WORK}/${name}.expected" ]; then
        compare_with_page "${WORK}/${name}.expected" "${WORK}/${name}.out" "step ${name}"
    else
        pass "step ${name} ran"
    fi
done

if [ -n "${FRAISEQL_BLESS_DOCS:-}" ]; then
    python3 - "${PAGE}" "${WORK}" <<'PY'
# Replaces each ```text block that follows a ```sql block with what psql printed for it.
import re, sys
page, work = sys.argv[1:]
text = open(page).read()
blocks = list(re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M))
out, pos, n = [], 0, 0
for i, m in enumerate(blocks):
    if m.group(1) == "sql":
        n += 1
    elif m.group(1) == "text" and i > 0 and blocks[i - 1].group(1) == "sql":
        printed = "".join(line.rstrip() + "\n" for line in open(f"{work}/{n:02}.out").read().rstrip().splitlines())
        out += [text[pos:m.start()], "```text\n" + printed + "```"]
        pos = m.end()
open(page, "w").write("".join(out) + text[pos:])
PY
    note "blessed: ${PAGE} (review the diff)"
fi

if [ -f "${WORK}/request.json" ]; then
    if [ "$(psql -X -At -d "${DB}" -c "SELECT to_regprocedure('fraiseql_execute(jsonb,text)') IS NOT NULL")" != t ]; then
        note "skipped: the GraphQL request through examples/server.mjs (this build has no fraiseql_execute)"
    else
        [ -n "${FRAISEQL_GS_DB:-}" ] || npm_ci_once "${EXAMPLES}"
        port="$(free_port)"
        # As the role the page starts it as (PGUSER there); host and password are this
        # check's own (trust on a local socket).
        user="$(cat "${WORK}/request.user")"
        (cd "${EXAMPLES}" && PGUSER="${user:-${PGUSER:-}}" PGDATABASE="${DB}" PORT="${port}" exec node server.mjs >"${WORK}/server.log" 2>&1) &
        SERVER_PID=$!
        for _ in $(seq 1 100); do grep "endpoint on" "${WORK}/server.log" >/dev/null 2>&1 && break; sleep 0.1; done
        curl -sS -H 'content-type: application/json' --data-binary "@${WORK}/request.json" \
            "http://127.0.0.1:${port}/graphql" >"${WORK}/response.out" 2>&1 || true
        if python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
            "${WORK}/response.json" "${WORK}/response.out" 2>/dev/null; then
            pass "the GraphQL request through examples/server.mjs (as role ${user:-${PGUSER:-}}) answers what the page shows"
        elif [ -n "${FRAISEQL_BLESS_DOCS:-}" ] && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "${WORK}/response.out" 2>/dev/null; then
            python3 - "${PAGE}" "${WORK}/response.out" <<'PY'
# The ```json block after the curl request gets the endpoint's answer.
import re, sys
page, answer = sys.argv[1:]
text = open(page).read()
m = re.search(r"(^```sh\n(?:(?!^```).)*?curl .*?^```\n\n)^```json\n.*?^```", text, re.S | re.M)
text = text[:m.start()] + m.group(1) + "```json\n" + open(answer).read().strip() + "\n```" + text[m.end():]
open(page, "w").write(text)
PY
            note "blessed: the endpoint's answer"
        else
            note "page: $(tr -d '\n' <"${WORK}/response.json")"
            note "got:  $(cat "${WORK}/response.out")"
            cat "${WORK}/server.log"
            fail "the endpoint's answer differs from the page"
        fi
        stop_example_server
    fi
fi

if [ "${failed}" -eq 0 ]; then
    echo "getting_started: ${passed} passed, 0 failed (${steps} SQL steps)"
else
    echo "getting_started: ${passed} passed, ${failed} failed"
    exit 1
fi

# Shared steps of scripts/release and pgrx-tests/integration/release.sh: versions, paths,
# and building a package from a committed tree. Sourced after common.sh.
set -euo pipefail

RELEASE_VERSION="$(sed -n "s/^default_version = '\(.*\)'/\1/p" "${ROOT}/fraiseql.control")"
# The release this one upgrades from: the newest archived install script.
PREVIOUS_VERSION="$(find "${ROOT}/sql/archive" -name 'fraiseql--*.sql' -printf '%f\n' \
    | sed 's/^fraiseql--\(.*\)\.sql$/\1/' | sort -V | tail -1)"
DEB_PACKAGE="postgresql-${PG_MAJOR}-fraiseql"
DEB_ARCH="$(dpkg --print-architecture)"
DEB_FILE="${DEB_PACKAGE}_${RELEASE_VERSION}_${DEB_ARCH}.deb"
SOURCE_ARCHIVE="fraiseql-${RELEASE_VERSION}.tar.gz"
# Builds go to CARGO_TARGET_DIR when it is set, as cargo's do; artifacts to target/.
BUILD_DIR="${CARGO_TARGET_DIR:-${ROOT}/target}"
ARTIFACTS="${FRAISEQL_ARTIFACTS_DIR:-${ROOT}/target/release-artifacts}"
# Serialises every change to the system PostgreSQL's extension and library directories
# among the scripts (and people) that install into it on this machine.
PG_INSTALL_LOCK="${FRAISEQL_PG_LOCK:-/tmp/fraiseql-pg.lock}"

# package_tree REF|ARCHIVE OUT: `cargo pgrx package` of a committed tree, never of the
# work tree, so an uncommitted file cannot reach a package. The argument is a git ref
# (exported with git archive) or a .tar.gz made by git archive. The tree is unpacked at a
# path fixed per version, with the commit's file times, so a second run reuses the build.
# OUT receives the package's usr/ tree.
package_tree() {
    local what="$1" out="$2" name src id
    if [ -f "${what}" ]; then
        name="$(basename "${what}" .tar.gz)"
    else
        name="fraiseql-${what}"
    fi
    src="${BUILD_DIR}/release-src/${name}"
    rm -rf "${src}" "${out}"
    mkdir -p "${src}"
    if [ -f "${what}" ]; then
        tar -xzf "${what}" -C "${src}" --strip-components=1
        id="$(sha256sum "${what}" | cut -d' ' -f1)"
    else
        git -C "${ROOT}" archive "${what}" | tar -x -C "${src}"
        id="$(git -C "${ROOT}" rev-parse "${what}^{commit}")"
    fi
    # Files carry their commit's time. Another tree than the last one built here gets the
    # current time, so cargo rebuilds it even when its commit is older than that build.
    if [ "$(cat "${src}.id" 2>/dev/null)" != "${id}" ]; then
        find "${src}" -exec touch {} +
        printf '%s\n' "${id}" >"${src}.id"
    fi
    (cd "${src}" && CARGO_TARGET_DIR="${BUILD_DIR}" cargo pgrx package --pg-config "${PG_CONFIG}" --out-dir "${out}" >/dev/null)
    [ -f "${out}/usr/lib/postgresql/${PG_MAJOR}/lib/fraiseql.so" ] || die "cargo pgrx package left no fraiseql.so in ${out}"
}

# The package tree of the previous release, built from its tag in a target directory of
# its own (cached there). Sharing one would be wrong: the cdylib's file name carries no
# version, so a build of one version overwrites the other's library, while cargo still
# finds the other's fingerprint fresh.
previous_release_tree() {
    local out="${BUILD_DIR}/release-packages/fraiseql-${PREVIOUS_VERSION}"
    local stamp="${out}.commit"
    local commit
    commit="$(git -C "${ROOT}" rev-parse "v${PREVIOUS_VERSION}^{commit}")" || die "no tag v${PREVIOUS_VERSION}"
    if [ ! -f "${stamp}" ] || [ "$(cat "${stamp}")" != "${commit}" ] || [ ! -d "${out}/usr" ]; then
        note "cargo pgrx package of v${PREVIOUS_VERSION} (${commit:0:7}; a few minutes the first time)"
        BUILD_DIR="${BUILD_DIR}/previous-${PREVIOUS_VERSION}" package_tree "v${PREVIOUS_VERSION}" "${out}"
        printf '%s\n' "${commit}" >"${stamp}"
    fi
    PREVIOUS_TREE="${out}"
}

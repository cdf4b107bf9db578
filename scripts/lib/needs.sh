# What scripts/test.sh and scripts/example.sh need before they start, gathered in one list:
# each check adds what is missing (a description and, when there is one, the Debian package
# that provides it); `provide_needs` then installs the packages (as root, where apt-get is)
# or stops with one message listing everything missing and the command that installs it.

NEEDS_MISSING=()
NEEDS_PACKAGES=()

need() {
    # $1 what is missing, $2 the Debian package providing it ("" when apt-get cannot).
    NEEDS_MISSING+=("$1")
    [ -n "${2:-}" ] && NEEDS_PACKAGES+=("$2")
    return 0
}

need_build_tools() {
    # Building prismig compiles libpq, OpenSSL, SQLite and the MySQL client library (C++,
    # built with cmake) into it.
    command -v cargo >/dev/null 2>&1 || need "cargo (the Rust toolchain, 1.86 or later): install it from https://rustup.rs" ""
    command -v cc >/dev/null 2>&1 || need "a C compiler (cc)" gcc
    command -v c++ >/dev/null 2>&1 || need "a C++ compiler (c++), for the MySQL client library" g++
    command -v make >/dev/null 2>&1 || need "make" make
    command -v perl >/dev/null 2>&1 || need "perl, which configures OpenSSL" perl
    command -v cmake >/dev/null 2>&1 || need "cmake, which builds the MySQL client library" cmake
}

provide_needs() {
    [ ${#NEEDS_MISSING[@]} = 0 ] && return 0
    if [ ${#NEEDS_PACKAGES[@]} = ${#NEEDS_MISSING[@]} ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "scripts: installing ${NEEDS_PACKAGES[*]} (apt-get) for:" >&2
        printf '  - %s\n' "${NEEDS_MISSING[@]}" >&2
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${NEEDS_PACKAGES[@]}" >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${NEEDS_PACKAGES[@]}" >/dev/null 2>&1; }; then
            NEEDS_MISSING=()
            NEEDS_PACKAGES=()
            return 0
        fi
        echo "scripts: apt-get install ${NEEDS_PACKAGES[*]} failed" >&2
    fi
    {
        echo "scripts: missing before anything can run:"
        printf '  - %s\n' "${NEEDS_MISSING[@]}"
        if [ ${#NEEDS_PACKAGES[@]} -gt 0 ]; then
            local sudo=""
            [ "$(id -u)" = 0 ] || sudo="sudo "
            echo "  On Debian or Ubuntu: ${sudo}apt-get install ${NEEDS_PACKAGES[*]}"
        fi
    } >&2
    exit 1
}

#!/usr/bin/env bash
# Install what fic2book needs: Debian packages (Java for EPUBCheck, Pango/HarfBuzz/Fontconfig
# for WeasyPrint, poppler/qpdf for the PDF tests, fonts) and a virtualenv with fic2book and its
# dev tools.  Safe to run again: apt is skipped when everything is present or when not root,
# and pip only runs when pyproject.toml changed since the last successful install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

APT_PACKAGES=(
    default-jre-headless
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b libfontconfig1
    poppler-utils qpdf
    fontconfig
    fonts-dejavu-core fonts-dejavu-extra fonts-noto-core
    fonts-noto-cjk fonts-noto-color-emoji
)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for package in "${APT_PACKAGES[@]}"; do
        # Any Java on PATH will do for EPUBCheck; do not pull a second JRE.
        if [[ "$package" == default-jre-headless ]] && command -v java >/dev/null 2>&1; then
            continue
        fi
        installed "$package" || missing+=("$package")
    done
    # Debian's own python3 needs python3-venv for "python -m venv"; other Pythons bring it.
    if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
        missing+=(python3-venv)
    fi
fi

if ((${#missing[@]})); then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}"
        # Refresh Fontconfig's cache: a stale one hides newly installed fonts (CJK ones were
        # missing from fc-list here until this ran), and WeasyPrint then draws tofu.
        fc-cache -f >/dev/null 2>&1 || true
    else
        echo "setup: warning: missing system packages (install them as root): ${missing[*]}" >&2
    fi
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "setup: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi

stamp="$VENV/.fic2book-installed"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]] \
    || ! "$VENV/bin/python" -c "import fic2book.cli" >/dev/null 2>&1 \
    || [[ ! -x "$VENV/bin/fic2book" ]]; then
    echo "setup: pip install -e '.[dev]'"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
    echo "$wanted" > "$stamp"
fi

# Headless Chromium for the web page's browser test (tests/web/test_browser.py): Playwright's
# Python package drives Debian's chromium and downloads no browser of its own.  In CI, with
# FIC2BOOK_ACE=1 (which .ci/run sets) or when asked for (FIC2BOOK_WEB=1).
if [[ "${CI:-}" == true || "${FIC2BOOK_ACE:-}" == 1 || "${FIC2BOOK_WEB:-}" == 1 ]] \
    && ! command -v chromium >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing chromium for the browser test"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends chromium
    else
        echo "setup: warning: the browser test needs chromium (install it as root)" >&2
    fi
fi

# Ace by DAISY (accessibility checker, tests/backends/test_accessibility.py): Chromium and
# Node from Debian, @daisy/ace-cli from npm into .ace/.  Only in CI or when asked for
# (FIC2BOOK_ACE=1): it is ~80 MB and the tests skip without it outside CI.
ACE_VERSION="1.4.6"
if [[ "${CI:-}" == true || "${FIC2BOOK_ACE:-}" == 1 ]]; then
    ace_missing=()
    command -v chromium >/dev/null 2>&1 || ace_missing+=(chromium)
    command -v node >/dev/null 2>&1 || ace_missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || ace_missing+=(npm)
    if ((${#ace_missing[@]})); then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            echo "setup: installing ${ace_missing[*]} for Ace"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update
            apt-get install -y --no-install-recommends "${ace_missing[@]}"
        else
            echo "setup: warning: Ace needs ${ace_missing[*]} (install them as root)" >&2
        fi
    fi
    ace_stamp=".ace/node_modules/@daisy/ace-cli/package.json"
    if command -v npm >/dev/null 2>&1 \
        && ! grep -q "\"version\": \"$ACE_VERSION\"" "$ace_stamp" 2>/dev/null; then
        echo "setup: npm install @daisy/ace-cli@$ACE_VERSION into .ace/"
        mkdir -p .ace
        # Debian's chromium is used (PUPPETEER_EXECUTABLE_PATH), so Puppeteer downloads none.
        PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .ace --no-audit --no-fund --loglevel=error \
            "@daisy/ace-cli@$ACE_VERSION"
    fi
fi

#!/usr/bin/env bash
# Set up (scripts/setup.sh), then convert every work in samples/ into out/ as EPUB and PDF.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
VENV="${VENV:-.venv}"

mkdir -p out
"$VENV/bin/fic2book" convert samples/* --to epub,pdf -o out/

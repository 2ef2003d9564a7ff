#!/usr/bin/env bash
# Rebuild the vendored front-end assets in static/vendor/ from the npm registry.
#
#   bash static/vendor/build.sh
#
# Needs Node + npm at build time only; the app itself needs no Node at run
# time. Everything is downloaded and compiled in a temporary directory outside
# the repo (no node_modules is left in the tree). To upgrade, change the
# versions below, re-run, review the diff and update README.md.
#
# The GOV.UK crown, logo (including the Royal Arms "crest") and the GDS
# Transport typeface are for GOV.UK services only and are deliberately NOT
# vendored: the Sass settings in govuk-frontend.scss replace the font with
# Arial and suppress @font-face, and no branded images or fonts are copied.
set -euo pipefail

HTMX_VERSION="2.0.11"
GOVUK_FRONTEND_VERSION="5.7.1"
SASS_VERSION="1.108.2"   # dart-sass compiler, build-time only

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCSS_ENTRY="$VENDOR_DIR/govuk-frontend.scss"
HTMX_OUT="$VENDOR_DIR/htmx"
GOVUK_OUT="$VENDOR_DIR/govuk-frontend"
GOVUK_URL_PREFIX="/static/vendor/govuk-frontend/assets/"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vendor-build.XXXXXX")"
cleanup() { rm -rf "$WORK_DIR"; }
trap cleanup EXIT

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

command -v npm >/dev/null || die "npm is required to build (not to run) the app"
[[ -f "$SCSS_ENTRY" ]] || die "missing Sass entry file $SCSS_ENTRY"

# --- Fetch packages -----------------------------------------------------------
cd "$WORK_DIR"
log "Fetching htmx.org@$HTMX_VERSION and govuk-frontend@$GOVUK_FRONTEND_VERSION"
npm pack --silent "htmx.org@$HTMX_VERSION" "govuk-frontend@$GOVUK_FRONTEND_VERSION" >/dev/null
mkdir htmx govuk
tar -xzf "htmx.org-$HTMX_VERSION.tgz" -C htmx
tar -xzf "govuk-frontend-$GOVUK_FRONTEND_VERSION.tgz" -C govuk
HTMX_PKG="$WORK_DIR/htmx/package"
GOVUK_PKG="$WORK_DIR/govuk/package"

check_pkg() { # dir expected-name expected-version
  node -e '
    const p = require(process.argv[1] + "/package.json");
    if (p.name !== process.argv[2] || p.version !== process.argv[3]) {
      console.error(`unexpected package ${p.name}@${p.version}`); process.exit(1);
    }
    console.error(`    ${p.name}@${p.version} licence: ${p.license}`);
  ' "$1" "$2" "$3"
}
check_pkg "$HTMX_PKG" htmx.org "$HTMX_VERSION"
check_pkg "$GOVUK_PKG" govuk-frontend "$GOVUK_FRONTEND_VERSION"

log "Installing sass@$SASS_VERSION (temp dir only)"
npm install --silent --no-save --no-audit --no-fund --ignore-scripts \
  --prefix "$WORK_DIR/sass" "sass@$SASS_VERSION" >/dev/null
SASS_BIN="$WORK_DIR/sass/node_modules/.bin/sass"
[[ -x "$SASS_BIN" ]] || die "sass binary not found after install"

# --- Start from a clean output state ----------------------------------------
rm -rf "$HTMX_OUT" "$GOVUK_OUT"
mkdir -p "$HTMX_OUT" "$GOVUK_OUT"

# --- htmx -------------------------------------------------------------------
log "Copying htmx"
cp "$HTMX_PKG/dist/htmx.min.js" "$HTMX_OUT/htmx.min.js"
cp "$HTMX_PKG/LICENSE" "$HTMX_OUT/LICENSE"

# --- govuk-frontend CSS -----------------------------------------------------
log "Compiling govuk-frontend CSS (Arial, no @font-face)"
# --quiet-deps hides deprecation warnings from inside govuk-frontend itself;
# the @import deprecation is expected (govuk-frontend 5.x requires @import).
"$SASS_BIN" \
  --load-path="$GOVUK_PKG/dist" \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  --silence-deprecation=import \
  "$SCSS_ENTRY" "$GOVUK_OUT/govuk-frontend.min.css"

CSS="$GOVUK_OUT/govuk-frontend.min.css"
[[ -s "$CSS" ]] || die "compiled CSS is empty"
if grep -qi 'GDS Transport' "$CSS"; then die "CSS still mentions GDS Transport"; fi
if grep -qi '@font-face' "$CSS"; then die "CSS still contains @font-face"; fi
if grep -qi 'assets/fonts' "$CSS"; then die "CSS still references assets/fonts"; fi

# --- govuk-frontend JS ------------------------------------------------------
log "Copying govuk-frontend JS (ES module)"
cp "$GOVUK_PKG/dist/govuk/govuk-frontend.min.js" "$GOVUK_OUT/govuk-frontend.min.js"

# --- govuk-frontend assets: only non-branded files the CSS references ------
log "Checking url() references in the CSS"
is_branded() {
  case "$1" in
    fonts/*) return 0 ;;
    *crown*|*crest*|*logo*|*govuk*|*favicon*|*opengraph*) return 0 ;;
    *) return 1 ;;
  esac
}
copied=0
while IFS= read -r ref; do
  [[ -n "$ref" ]] || continue
  case "$ref" in
    data:*) continue ;;
    "$GOVUK_URL_PREFIX"*) rel="${ref#"$GOVUK_URL_PREFIX"}" ;;
    *) log "    NOTE: url($ref) is not under $GOVUK_URL_PREFIX; left alone"; continue ;;
  esac
  if is_branded "$rel"; then
    log "    skipped (GOV.UK-branded, not vendored): $rel"
    continue
  fi
  src="$GOVUK_PKG/dist/govuk/assets/$rel"
  [[ -f "$src" ]] || die "CSS references $ref but $src does not exist"
  mkdir -p "$GOVUK_OUT/assets/$(dirname "$rel")"
  cp "$src" "$GOVUK_OUT/assets/$rel"
  log "    copied: assets/$rel"
  copied=$((copied + 1))
done < <(grep -o 'url([^)]*)' "$CSS" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u)
log "    $copied asset file(s) copied"

# --- govuk-frontend licence -------------------------------------------------
# The npm tarball has no licence file (package.json says "MIT"); this is the
# text of LICENSE.txt in https://github.com/alphagov/govuk-frontend
cat > "$GOVUK_OUT/LICENSE.txt" <<'LICENCE'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE

# --- Summary ----------------------------------------------------------------
for f in "$HTMX_OUT"/* "$GOVUK_OUT"/*; do
  [[ -f "$f" ]] || continue
  [[ -s "$f" ]] || die "output file is empty: $f"
done
log "Done. Vendored files:"
(cd "$VENDOR_DIR" && find htmx govuk-frontend -type f | sort | xargs wc -c) >&2

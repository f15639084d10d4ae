#!/usr/bin/env bash
# Rebuild the vendored ipywidgets 8 front end (src/fh_anywidget/static/vendor/classic/) from the
# versions pinned in js/classic/package-lock.json. Node is needed only here, never at pip install.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/js/classic"
out="$here/src/fh_anywidget/static/vendor/classic"
cd "$src"
npm ci --no-audit --no-fund --ignore-scripts
mkdir -p "$out"
esbuild=(node node_modules/esbuild/bin/esbuild)
"${esbuild[@]}" entry.js --bundle --format=esm --minify --legal-comments=eof --target=es2020 \
  --outfile="$out/classic.js"
"${esbuild[@]}" entry.css --bundle --minify --legal-comments=eof --outfile="$out/classic.css"
node -e 'const l=require("./package-lock.json").packages;for(const n of ["base","controls","output"])console.log(`@jupyter-widgets/${n}`,l[`node_modules/@jupyter-widgets/${n}`].version)' \
  > "$out/VERSIONS"
ls -l "$out"

#!/usr/bin/env bash
# Fetch the front-end assets from the npm registry (package-lock.json) into static/vendor/.
# Nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dest=static/vendor
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/bootstrap" "$dest.tmp/htmx" "$dest.tmp/vazirmatn" \
  "$dest.tmp/chartjs" "$dest.tmp/leaflet/images" "$dest.tmp/jalalidatepicker" "$dest.tmp/html5-qrcode"
cp node_modules/bootstrap/dist/css/bootstrap.rtl.min.css "$dest.tmp/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest.tmp/bootstrap/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest.tmp/htmx/"
# The web pages use two weights (400, 700), subset to the glyphs a Persian page shows: Arabic
# script with every shaping feature, Basic Latin, Persian punctuation, ZWNJ and the bidi marks.
# fontTools (pyftsubset, pinned in pyproject.toml) writes WOFF2; the PDFs keep the whole TTFs below.
python="${PYTHON:-.venv/bin/python}"
for weight in Regular Bold; do
  "$python" -m fontTools.subset "node_modules/vazirmatn/fonts/ttf/Vazirmatn-$weight.ttf" \
    --unicodes="U+0020-007E,U+00A0,U+00AB,U+00BB,U+00D7,U+00F7,U+060C-06FF,U+200C-200F,U+2010-2027,U+2030,U+2039-203A,U+2066-2069,U+FDFC" \
    --layout-features='*' --flavor=woff2 --output-file="$dest.tmp/vazirmatn/Vazirmatn-$weight.woff2"
done
cp node_modules/vazirmatn/fonts/ttf/Vazirmatn-Regular.ttf \
   node_modules/vazirmatn/fonts/ttf/Vazirmatn-Bold.ttf "$dest.tmp/vazirmatn/"
cp node_modules/vazirmatn/OFL.txt "$dest.tmp/vazirmatn/" 2>/dev/null || true
# Charts in the browser (the UMD build bundles its one dependency, @kurkle/color).
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$dest.tmp/chartjs/"
# The map: leaflet.css refers to images/*.png next to it (layer control, default markers).
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE \
   "$dest.tmp/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$dest.tmp/leaflet/images/"
# The Jalali date picker on every date field (typing a date still works).
cp node_modules/@majidh1/jalalidatepicker/dist/jalalidatepicker.min.js \
   node_modules/@majidh1/jalalidatepicker/dist/jalalidatepicker.min.css \
   node_modules/@majidh1/jalalidatepicker/LICENSE "$dest.tmp/jalalidatepicker/"
# The tablet's licence QR scanner (camera or image file); loaded only when the inspector scans.
cp node_modules/html5-qrcode/html5-qrcode.min.js node_modules/html5-qrcode/LICENSE "$dest.tmp/html5-qrcode/"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "front-end assets in $dest"

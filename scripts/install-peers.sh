#!/usr/bin/env bash
# Installs the peers `faultline bench` measures against, in a virtualenv under
# $FAULTLINE_HOME/peers (never into the project). Idempotent.
set -euo pipefail
FAULTLINE_HOME="${FAULTLINE_HOME:-$HOME/.cache/faultline}"
VENV="$FAULTLINE_HOME/peers/venv"
STAMP="$VENV/.faultline-peers-v2"
if [ -f "$STAMP" ]; then echo "[peers] RapidOCR and inspect_ai peers present in $VENV"; exit 0; fi
[ -x "$VENV/bin/python3" ] || python3 -m venv "$VENV"
# RapidOCR depends on opencv-python, which needs libGL; the headless build is the same library
# without it, so RapidOCR is installed without its dependencies and they are named here.
"$VENV/bin/pip" install --quiet --no-deps rapidocr-onnxruntime==1.4.4
"$VENV/bin/pip" install --quiet onnxruntime==1.32.0 opencv-python-headless numpy pyclipper shapely PyYAML six Pillow tqdm
# inspect_ai's OpenAI-compatible client, for the HTTP part of the benchmark.
"$VENV/bin/pip" install --quiet inspect_ai==0.3.285 openai==3.57.0
touch "$STAMP"
echo "[peers] RapidOCR and inspect_ai peers installed in $VENV"

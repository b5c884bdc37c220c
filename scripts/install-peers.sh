#!/usr/bin/env bash
# Installs the peers `faultline bench` measures against, in a virtualenv under
# $FAULTLINE_HOME/peers (never into the project). Idempotent.
set -euo pipefail
FAULTLINE_HOME="${FAULTLINE_HOME:-$HOME/.cache/faultline}"
VENV="$FAULTLINE_HOME/peers/venv"
STAMP="$VENV/.faultline-peers-v3"
if [ -f "$STAMP" ]; then echo "[peers] RapidOCR, inspect_ai and PyTorch peers present in $VENV"; exit 0; fi
[ -x "$VENV/bin/python3" ] || python3 -m venv "$VENV"
# RapidOCR depends on opencv-python, which needs libGL; the headless build is the same library
# without it, so RapidOCR is installed without its dependencies and they are named here.
"$VENV/bin/pip" install --quiet --no-deps rapidocr-onnxruntime==1.4.4
"$VENV/bin/pip" install --quiet onnxruntime==1.32.0 opencv-python-headless numpy pyclipper shapely PyYAML six Pillow tqdm
# inspect_ai's OpenAI-compatible client, for the HTTP part of the benchmark.
"$VENV/bin/pip" install --quiet inspect_ai==0.3.285 openai==3.57.0
# PyTorch on the CPU, for the zoo's training and inference figures. It is not on PyPI in a
# CPU-only build; these machines carry the wheel (../shared/models.md). Its dependencies
# come from PyPI.
TORCH_WHEEL="$(find /opt/wheels / -maxdepth 4 -name 'torch-2.13.0+cpu-cp311-*.whl' 2>/dev/null | head -n 1 || true)"
if [ -n "$TORCH_WHEEL" ]; then
  "$VENV/bin/pip" install --quiet "$TORCH_WHEEL"
else
  echo "[peers] no CPU PyTorch 2.13 wheel on this machine: the zoo benchmark will run without its peer"
fi
touch "$STAMP"
echo "[peers] RapidOCR, inspect_ai and PyTorch peers installed in $VENV"

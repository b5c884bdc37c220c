"""Peer for `faultline bench`: RapidOCR (Python) reading the same PNG files as Faultline.

Usage: python3 rapidocr_peer.py LIST_FILE
LIST_FILE holds one PNG path per line. Prints JSON: {"seconds": S, "texts": [...]}, where S
covers recognition only (model loading and a warm-up image are excluded, as in Faultline's
figure). Detection settings match Faultline's defaults: limit_type max, limit_side_len 960,
one ONNX Runtime thread.
"""
import json
import sys
import time

from rapidocr_onnxruntime import RapidOCR


def main() -> None:
    paths = [line.strip() for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    engine = RapidOCR(
        det_limit_side_len=960,
        det_limit_type="max",
        intra_op_num_threads=1,
        inter_op_num_threads=1,
    )
    engine(paths[0])  # warm-up, as Faultline's sessions are loaded before timing
    texts = []
    start = time.perf_counter()
    for path in paths:
        result, _ = engine(path)
        texts.append(" ".join(item[1] for item in result) if result else "")
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "texts": texts}, sys.stdout)


if __name__ == "__main__":
    main()

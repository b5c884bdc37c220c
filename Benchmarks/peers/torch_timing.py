"""Timing shared by the PyTorch peers of `faultline bench --part zoo`: three warm-up rounds,
then `steps` training steps and `steps` inference batches, printed as the one JSON object
the bench reads (parameters, milliseconds per training step and per inference batch)."""
import json
import time

import torch


def time_and_report(model, step, infer, steps):
    for _ in range(3):
        step()
        infer()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    train = (time.perf_counter() - start) / steps
    start = time.perf_counter()
    for _ in range(steps):
        infer()
    inference = (time.perf_counter() - start) / steps
    print(json.dumps({
        "parameters": sum(t.numel() for t in model.parameters()),
        "trainMillisecondsPerStep": 1000 * train,
        "inferenceMillisecondsPerBatch": 1000 * inference,
        "torch": torch.__version__,
    }))

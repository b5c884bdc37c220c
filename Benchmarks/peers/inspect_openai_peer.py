"""The same load as `faultline bench --http`, through inspect_ai's OpenAI-compatible client.

Sends REQUESTS chat completions (one short user message each, as Faultline's text-only
probes are) to the loopback test double at BASE_URL with at most CONCURRENCY in flight,
using inspect_ai's model API the way an eval does (`get_model(...).generate`). Prints one
JSON object: requests, errors, wall seconds and the process's CPU seconds for the sending
phase only (imports and client set-up are not counted).

usage: inspect_openai_peer.py BASE_URL REQUESTS CONCURRENCY
"""
import asyncio
import json
import sys
import time

from inspect_ai.model import ChatMessageUser, GenerateConfig, get_model


async def main(base_url: str, requests: int, concurrency: int) -> None:
    config = GenerateConfig(max_connections=concurrency, max_tokens=8, temperature=0.0, max_retries=1)
    model = get_model("openai/double", base_url=base_url, api_key="not-a-key", config=config, memoize=False,
                      responses_api=False)  # chat completions, as Faultline sends
    gate = asyncio.Semaphore(concurrency)
    errors = 0

    async def one(index: int) -> None:
        nonlocal errors
        async with gate:
            try:
                output = await model.generate(
                    [ChatMessageUser(content=f"Question {index}: which letter comes second?\nA. a\nB. b\nC. c\nAnswer with the letter.")]
                )
                if not output.completion:
                    errors += 1
            except Exception:  # counted, as Faultline counts error verdicts
                errors += 1

    # One warm-up request so that connection set-up is not in the figure, as on Faultline's side.
    await one(-1)
    errors = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range(requests)))
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    print(json.dumps({"requests": requests, "errors": errors, "seconds": wall, "cpuSeconds": cpu}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))

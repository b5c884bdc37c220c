#!/usr/bin/env python3
"""Checks one llama-server response against the OpenAI-compatible shape Faultline relies on.

Usage: check_response.py KIND RESPONSE.json [REFERENCE.json]
  chat         /v1/chat/completions answer
  completion   /v1/completions answer requested with "logprobs": N (N = top alternatives)
  embeddings   /v1/embeddings answer for the inputs ["a red square", "a blue circle", "a red square"]
  refused      an error body (the HTTP status is checked by the caller)
  same-logprobs  two completion answers must pick the same tokens with the same log-probabilities
  same-chat      two chat answers to the same greedy request must have the same content

Prints one summary line on success; on failure prints what was wrong and where, and exits 1.
Standard library only, so the smoke test needs nothing beyond python3.
"""
import json
import math
import sys

EXPECTED_EMBEDDING_WIDTH = 576  # SmolLM2-135M hidden size
TOP_ALTERNATIVES = 3


class CheckFailed(Exception):
    pass


def require(condition, where, message):
    if not condition:
        raise CheckFailed(f"{where}: {message}")


def load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise CheckFailed(f"{path}: not a JSON response ({error})")


def field(obj, path):
    """Follows a dotted path such as choices.0.message.content; names the missing step."""
    current = obj
    walked = []
    for step in path.split("."):
        walked.append(step)
        key = int(step) if step.isdigit() else step
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            raise CheckFailed(f"response has no field {'.'.join(walked)}")
    return current


def check_timings(response, where):
    timings = field(response, "timings")
    for name in ("prompt_n", "prompt_ms", "prompt_per_second",
                 "predicted_n", "predicted_ms", "predicted_per_second"):
        require(isinstance(timings.get(name), (int, float)), where, f"timings.{name} missing or not a number")
    require(timings["predicted_per_second"] > 0, where, "timings.predicted_per_second is not positive")
    require(timings["predicted_n"] == field(response, "usage.completion_tokens"), where,
            f"timings.predicted_n {timings['predicted_n']} != usage.completion_tokens")
    return (f"prompt {timings['prompt_n']} tok at {timings['prompt_per_second']:.1f} tok/s, "
            f"generation {timings['predicted_n']} tok at {timings['predicted_per_second']:.1f} tok/s")


def check_chat(response):
    where = "chat"
    require(field(response, "object") == "chat.completion", where, f"object is {response.get('object')!r}")
    message = field(response, "choices.0.message")
    require(message.get("role") == "assistant", where, f"role is {message.get('role')!r}")
    content = message.get("content")
    require(isinstance(content, str) and content.strip(), where, f"content is empty or not text: {content!r}")
    require(field(response, "choices.0.finish_reason") in ("stop", "length"), where,
            f"finish_reason is {field(response, 'choices.0.finish_reason')!r}")
    speed = check_timings(response, where)
    return f"chat ok: {content[:60]!r}...; {speed}"


def check_completion(response):
    where = "completion"
    require(field(response, "object") == "text_completion", where, f"object is {response.get('object')!r}")
    text = field(response, "choices.0.text")
    entries = field(response, "choices.0.logprobs.content")
    require(isinstance(entries, list) and entries, where, "choices[0].logprobs.content is empty")
    require(len(entries) == field(response, "usage.completion_tokens"), where,
            f"{len(entries)} logprob entries for {field(response, 'usage.completion_tokens')} tokens")
    for position, entry in enumerate(entries):
        at = f"{where} logprobs.content[{position}]"
        require(isinstance(entry.get("token"), str), at, "token is not text")
        require(isinstance(entry.get("id"), int), at, "id is not an integer")
        require(isinstance(entry.get("bytes"), list), at, "bytes is not a list")
        require(bytes(entry["bytes"]).decode("utf-8", "replace") == entry["token"], at, "bytes do not spell token")
        require(isinstance(entry.get("logprob"), float) and entry["logprob"] <= 0, at,
                f"logprob {entry.get('logprob')!r} is not a non-positive number")
        top = entry.get("top_logprobs")
        require(isinstance(top, list) and len(top) == TOP_ALTERNATIVES, at,
                f"top_logprobs has {len(top) if isinstance(top, list) else top!r} entries, expected {TOP_ALTERNATIVES}")
        values = [alternative["logprob"] for alternative in top]
        require(values == sorted(values, reverse=True), at, f"top_logprobs not in descending order: {values}")
        require(math.fsum(math.exp(v) for v in values) <= 1 + 1e-4, at, "top probabilities sum above 1")
        # Greedy decoding (temperature 0) must have picked the most likely token.
        require(top[0]["token"] == entry["token"] and abs(top[0]["logprob"] - entry["logprob"]) < 1e-6, at,
                f"chosen token {entry['token']!r} is not the top alternative {top[0]['token']!r}")
    require("".join(entry["token"] for entry in entries) == text, where,
            "tokens in logprobs.content do not spell choices[0].text")
    # A working model continues "The capital of France is" with " Paris" (p ~ 0.77 vs 0.06 next).
    require(entries[0]["token"] == " Paris", where, f"first token is {entries[0]['token']!r}, expected ' Paris'")
    speed = check_timings(response, where)
    return f"completion+logprobs ok: {text!r}, first token logprob {entries[0]['logprob']:.4f}; {speed}"


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def check_embeddings(response):
    where = "embeddings"
    require(field(response, "object") == "list", where, f"object is {response.get('object')!r}")
    data = field(response, "data")
    require(isinstance(data, list) and len(data) == 3, where, f"expected 3 embeddings, got {len(data)}")
    vectors = []
    for position, item in enumerate(data):
        at = f"{where} data[{position}]"
        require(item.get("object") == "embedding", at, f"object is {item.get('object')!r}")
        require(item.get("index") == position, at, f"index is {item.get('index')!r}")
        vector = item.get("embedding")
        require(isinstance(vector, list) and len(vector) == EXPECTED_EMBEDDING_WIDTH, at,
                f"embedding has {len(vector) if isinstance(vector, list) else vector!r} values, "
                f"expected {EXPECTED_EMBEDDING_WIDTH}")
        norm = math.sqrt(math.fsum(x * x for x in vector))
        require(abs(norm - 1) < 1e-3, at, f"embedding is not unit length (norm {norm:.6f})")
        vectors.append(vector)
    require(field(response, "usage.prompt_tokens") > 0, where, "usage.prompt_tokens is not positive")
    same = cosine(vectors[0], vectors[2])
    different = cosine(vectors[0], vectors[1])
    require(same > 0.9999, where, f"the same text embedded twice has cosine {same:.6f}")
    require(different < 0.999, where, f"different texts have cosine {different:.6f}; embeddings look constant")
    return f"embeddings ok: 3 x {EXPECTED_EMBEDDING_WIDTH}, unit norm, cosine(red square, blue circle) {different:.4f}"


def check_refused(response):
    error = field(response, "error")
    require(isinstance(error.get("message"), str) and error["message"], "refused", "error.message is empty")
    return f"refused as expected: {error.get('type')}: {error['message']}"


def check_same_logprobs(response, reference):
    ours = field(response, "choices.0.logprobs.content")
    theirs = field(reference, "choices.0.logprobs.content")
    require([e["token"] for e in ours] == [e["token"] for e in theirs], "same-logprobs",
            "the two servers chose different tokens")
    largest = max(abs(a["logprob"] - b["logprob"]) for a, b in zip(ours, theirs))
    require(largest < 1e-4, "same-logprobs", f"log-probabilities differ by up to {largest:.2e}")
    return f"same tokens and log-probabilities on both servers (largest difference {largest:.1e})"


def check_same_chat(response, reference):
    ours = field(response, "choices.0.message.content")
    theirs = field(reference, "choices.0.message.content")
    require(ours == theirs, "same-chat", f"greedy answers differ: {ours[:60]!r} vs {theirs[:60]!r}")
    return "repeated greedy chat request gave the same answer"


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    kind, path = argv[1], argv[2]
    checks = {"chat": check_chat, "completion": check_completion,
              "embeddings": check_embeddings, "refused": check_refused}
    try:
        response = load(path)
        if kind in ("same-logprobs", "same-chat"):
            require(len(argv) == 4, kind, "needs RESPONSE.json and REFERENCE.json")
            compare = check_same_logprobs if kind == "same-logprobs" else check_same_chat
            summary = compare(response, load(argv[3]))
        elif kind in checks:
            summary = checks[kind](response)
        else:
            print(f"unknown check {kind!r}; one of {', '.join([*checks, 'same-logprobs', 'same-chat'])}", file=sys.stderr)
            return 2
    except CheckFailed as failure:
        print(f"[smoke] FAIL {failure} (response: {path})", file=sys.stderr)
        return 1
    print(f"[smoke] {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env bash
# Smoke test of the llama-server and SmolLM2 model placed by scripts/install-llama.sh: starts the
# server on loopback, checks /v1/chat/completions, /v1/completions with logprobs and
# /v1/embeddings against the response shapes Faultline relies on, reports tokens/s from the
# server's `timings`, and always stops the server. Exits non-zero on any failure.
#
# Two servers are started one after the other:
#   1. plain (the command the backend uses):  chat, completions+logprobs; embeddings are refused
#   2. with `--embeddings --pooling mean`:     embeddings, and chat/completions still work with
#      the same tokens and log-probabilities as server 1, so one process can serve all three.
#
# Environment: FAULTLINE_HOME (default ~/.cache/faultline), LLAMA_SMOKE_PORT (18080),
# LLAMA_SMOKE_THREADS (core count), LLAMA_SMOKE_HEALTH_TIMEOUT (60 s), LLAMA_SMOKE_REQUEST_TIMEOUT (60 s).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FAULTLINE_HOME="${FAULTLINE_HOME:-$HOME/.cache/faultline}"
LLAMA_VERSION=0.3.36
SERVER="$FAULTLINE_HOME/llama.cpp/$LLAMA_VERSION/bin/llama-server"
MODEL="$FAULTLINE_HOME/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
PORT="${LLAMA_SMOKE_PORT:-18080}"
THREADS="${LLAMA_SMOKE_THREADS:-$(nproc)}"
HEALTH_TIMEOUT="${LLAMA_SMOKE_HEALTH_TIMEOUT:-60}"
REQUEST_TIMEOUT="${LLAMA_SMOKE_REQUEST_TIMEOUT:-60}"
BASE="http://127.0.0.1:$PORT"

say() { printf '[smoke] %s\n' "$*"; }
SERVER_PID=""
SERVER_LOG=""
fail() {
  printf '[smoke] FAIL %s\n' "$*" >&2
  if [ -n "$SERVER_LOG" ] && [ -f "$SERVER_LOG" ]; then
    printf '[smoke] last lines of the server log:\n' >&2
    tail -n 20 "$SERVER_LOG" >&2
  fi
  exit 1
}
check() { python3 "$HERE/check_response.py" "$@" || fail "response check '$1' failed (see above)"; }

[ -x "$SERVER" ] || fail "no llama-server at $SERVER; run scripts/install-llama.sh first"
[ -f "$MODEL" ] || fail "no model at $MODEL; run scripts/install-llama.sh first"
command -v curl >/dev/null || fail "curl is required"
command -v python3 >/dev/null || fail "python3 is required"

WORK=$(mktemp -d)
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

port_is_free() {
  local rc=0
  curl -s -o /dev/null --max-time 2 "$BASE/health" || rc=$?
  [ "$rc" -eq 7 ]  # 7 = connection refused: nobody listens there
}

start_server() {  # $1 = label, rest = extra llama-server arguments
  local label=$1; shift
  port_is_free || fail "something already listens on 127.0.0.1:$PORT; stop it or set LLAMA_SMOKE_PORT"
  SERVER_LOG="$WORK/server-$label.log"
  "$SERVER" -m "$MODEL" --host 127.0.0.1 --port "$PORT" -t "$THREADS" -c 2048 "$@" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  local started=$SECONDS
  local t0; t0=$(date +%s%N)
  until curl -sf -o /dev/null --max-time 2 "$BASE/health"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=""; fail "llama-server ($label) exited during start-up"; }
    [ $((SECONDS - started)) -lt "$HEALTH_TIMEOUT" ] || fail "llama-server ($label) not healthy after ${HEALTH_TIMEOUT}s"
    sleep 0.1
  done
  say "server '$label' healthy after $(( ($(date +%s%N) - t0) / 1000000 )) ms: llama-server -m $(basename "$MODEL") --host 127.0.0.1 --port $PORT -t $THREADS -c 2048 $*"
}

post() {  # $1 = response name, $2 = path, $3 = JSON body, $4 = expected HTTP status
  local status
  status=$(curl -s --max-time "$REQUEST_TIMEOUT" -o "$WORK/$1.json" -w '%{http_code}' \
             -H 'Content-Type: application/json' -d "$3" "$BASE$2") \
    || fail "POST $2 failed or took longer than ${REQUEST_TIMEOUT}s"
  [ "$status" = "$4" ] || fail "POST $2 returned HTTP $status, expected $4: $(head -c 400 "$WORK/$1.json")"
}

CHAT='{"messages":[{"role":"user","content":"Name three primary colours."}],"max_tokens":32,"temperature":0}'
COMPLETION='{"prompt":"The capital of France is","max_tokens":4,"temperature":0,"logprobs":3}'
EMBEDDINGS='{"input":["a red square","a blue circle","a red square"]}'

# --- 1. plain server --------------------------------------------------------------------------
start_server plain
curl -sf --max-time 5 "$BASE/health" | grep -q '"ok"' || fail "/health did not report ok"
post chat /v1/chat/completions "$CHAT" 200
check chat "$WORK/chat.json"
post chat-again /v1/chat/completions "$CHAT" 200
check same-chat "$WORK/chat-again.json" "$WORK/chat.json"
post completion /v1/completions "$COMPLETION" 200
check completion "$WORK/completion.json"
post embeddings-refused /v1/embeddings "$EMBEDDINGS" 501
check refused "$WORK/embeddings-refused.json"
stop_server

# --- 2. server with embeddings ----------------------------------------------------------------
start_server embeddings --embeddings --pooling mean
post embeddings /v1/embeddings "$EMBEDDINGS" 200
check embeddings "$WORK/embeddings.json"
post completion-2 /v1/completions "$COMPLETION" 200
check completion "$WORK/completion-2.json"
check same-logprobs "$WORK/completion-2.json" "$WORK/completion.json"
post chat-2 /v1/chat/completions "$CHAT" 200
check chat "$WORK/chat-2.json"
stop_server

say "all checks passed"

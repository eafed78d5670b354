#!/usr/bin/env bash
# Makes assets/tui.png, the picture of the TUI on the README's first screen,
# from a real run of the binary: a throwaway store with a few scopes whose
# keys point at a fake provider on 127.0.0.1 (so their tests pass or fail for
# real), `llmcfg test --all`, then the TUI in a pseudo-terminal read by a VT
# emulator and drawn to PNG (assets/screenshot.py).
#
# usage: assets/screenshot.sh [OUT.png]   (default assets/tui.png)
# Needs python3 with venv and pip (pyte and Pillow are installed into a temp
# venv) and the DejaVu fonts (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(realpath -m "${1:-assets/tui.png}")

cargo build --locked --bin llmcfg
BIN="${CARGO_TARGET_DIR:-$(pwd)/target}/debug/llmcfg"

if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-dejavu-core
fi

WORK=$(mktemp -d /tmp/llmcfg-shot.XXXXXX)
FAKE_PID=""
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "pyte==0.8.2" "pillow==13.0.0"

# A fake provider: the model routes of Anthropic and OpenAI, accepting only
# keys that contain "good" (globex's key is "revoked").
cat >"$WORK/fake.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Fake(BaseHTTPRequestHandler):
    def do_GET(self):
        key = self.headers.get("x-api-key") or self.headers.get("authorization", "").removeprefix("Bearer ")
        if "good" not in key:
            body, status = {"error": {"message": "invalid api key"}}, 401
        elif self.path.rstrip("/").endswith("/models"):
            body, status = {"data": [{"id": m, "object": "model"} for m in ("gpt-4o", "llama-3.3-70b")]}, 200
        else:
            model = self.path.rsplit("/", 1)[-1]
            body, status = {"id": model, "object": "model", "type": "model"}, 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Fake)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$WORK/fake.py" >"$WORK/port" &
FAKE_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
FAKE="http://127.0.0.1:$(cat "$WORK/port")"

export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" XDG_STATE_HOME="$WORK/state" XDG_CACHE_HOME="$WORK/cache"
export LLMCFG_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
unset LLMCFG_CONFIG LLMCFG_STORE LLMCFG_REMOTE LLMCFG_TOKEN LLMCFG_MASTER_KEY_FILE DBUS_SESSION_BUS_ADDRESS
mkdir -p "$XDG_CONFIG_HOME/llmcfg"
cat >"$XDG_CONFIG_HOME/llmcfg/config.toml" <<'TOML'
[[instances]]
id = "umbrella"
name = "Umbrella (onboarding)"
TOML

create() { # scope provider model key base-url
  local scope=() ; [ "$1" != - ] && scope=(-i "$1")
  printf '%s\n' "$4" | "$BIN" "${scope[@]}" create --provider "$2" --model "$3" --base-url "$5" >/dev/null
}
create - anthropic claude-sonnet-4-5 sk-ant-good-0123456789abcdefghijklmnopqrstuv "$FAKE"
create acme-prod openai gpt-4o sk-proj-good-0123456789abcdefghijklmnopqrstuv "$FAKE"
create acme-staging openai gpt-4o-mini sk-proj-good-9876543210abcdefghijklmnopqrstuv "$FAKE"
create globex openai gpt-4.1 sk-proj-revoked-0123456789abcdefghijklmnopqrs "$FAKE"
create initech openai-compatible llama-3.3-70b sk-good-gateway-0123456789abcdefghij "$FAKE/v1"
"$BIN" test --all >/dev/null || true   # globex fails: exit 5 is expected

"$WORK/venv/bin/python" assets/screenshot.py "$BIN" "$OUT"
echo "wrote $OUT"

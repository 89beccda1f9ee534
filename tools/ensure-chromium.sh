#!/usr/bin/env bash
# The HTML report's tests open it in a real browser (headless Chromium, tests/browser.py): install
# Debian's chromium when no chromium is on PATH and none is named by TRAILWATCH_CHROMIUM. Without root
# (and without password-less sudo) it says what to run and leaves it; the tests then fail saying so.
set -euo pipefail
if [ -n "${TRAILWATCH_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
   || command -v google-chrome >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "ensure-chromium: no chromium found and no root to install it; run: sudo apt-get install -y chromium" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: no chromium and no apt-get; install Chromium or set TRAILWATCH_CHROMIUM=/path/to/chrome" >&2
  exit 0
fi
if ! { "${as_root[@]}" apt-get update -qq \
        && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
  echo "ensure-chromium: apt-get could not install chromium; the browser tests will say what is missing" >&2
fi

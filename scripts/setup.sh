#!/usr/bin/env bash
# Set up everything interviewer needs on a fresh clone; safe to run again (fast when done).
#   scripts/setup.sh          runtime: espeak-ng, PortAudio, ffmpeg + the Python package
#   scripts/setup.sh --test   also what the tests need: PulseAudio virtual devices, Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

debs=(espeak-ng libespeak-ng1 libportaudio2 ffmpeg)
[ $want_test = 1 ] && debs+=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils sox strace
                             chromium chromium-driver)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
    echo "Installing Debian packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$([ $want_test = 1 ] && echo test || echo run)
lock=constraints.txt  # the exact versions (scripts/lock.sh refreshes it)
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ $lock -nt "$stamp" ]; then
  made=$(sed -n 's/^# made on: Python \([0-9]*\.[0-9]*\).*/\1/p' $lock)
  have=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if [ "$made" = "$have" ]; then
    pin=(-c $lock)
    build_pin=(--build-constraint $lock)
  else
    echo "Note: $lock was made on Python $made, this is $have: installing the newest" \
         "versions within pyproject.toml's ranges instead" >&2
    pin=() build_pin=()
  fi
  .venv/bin/python -m pip install -q ${pin[@]+"${pin[@]}"} --upgrade pip setuptools >/dev/null
  extra=$([ $want_test = 1 ] && echo '[test]' || true)
  .venv/bin/python -m pip install -q ${pin[@]+"${pin[@]}"} ${build_pin[@]+"${build_pin[@]}"} \
    -e ".$extra"
  touch "$stamp"
fi

#!/usr/bin/env bash
# Refresh constraints.txt, the exact versions a fresh clone installs (scripts/setup.sh gives it
# to pip with -c), so an upstream release cannot change a fresh clone's results unseen.
#   scripts/lock.sh     then run the tests and commit constraints.txt
# It resolves pyproject.toml's ranges (runtime + test extras) afresh, newest that fit, in a
# throwaway venv, plus pip and setuptools themselves. Make it with Python 3.11 on x86_64
# Linux (PYTHON=python3.11 if python3 is another version): the lock is checked there.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$python" -m venv "$tmp/venv"
py="$tmp/venv/bin/python"
"$py" - > "$tmp/requirements.txt" <<'PY'
import tomllib

project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
PY
build=$("$py" -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"])')
"$py" -m pip install -q --upgrade pip $build
"$py" -m pip install -q -r "$tmp/requirements.txt"
{
  echo "# Exact versions a fresh clone installs: scripts/setup.sh passes this file to pip with -c."
  echo "# Do not edit: change the ranges in pyproject.toml, then run scripts/lock.sh."
  "$py" -c 'import platform as p; print(f"# made on: Python {p.python_version()} {p.system()} {p.machine()}")'
  "$py" -m pip freeze --all | LC_ALL=C sort -f -t= -k1,1
} > "$tmp/constraints.txt"
mv "$tmp/constraints.txt" constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) packages pinned" >&2

#!/usr/bin/env bash
# Regenerates every PyTorch golden fixture: runs each tools/golden/gen_*.py with the system Python
# that has PyTorch (override with PYTHON=...). Fixtures land in torchlet-core/src/test/resources/golden/, the
# vision ones (gen_vision_*.py, gen_explain.py, gen_fid.py: FID with numpy) in torchlet-vision/src/test/resources/golden/.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-/usr/bin/python3}"
shopt -s nullglob
scripts=(gen_*.py)
if [ ${#scripts[@]} -eq 0 ]; then
  echo "no gen_*.py scripts found in $(pwd)" >&2
  exit 1
fi
for script in "${scripts[@]}"; do
  echo "== $script"
  "$PYTHON" "$script"
done

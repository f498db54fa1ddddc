#!/usr/bin/env bash
# Start passthrough after reporting which providers, deployments and fallbacks are configured.
# Never prints a secret. Arguments go to `passthrough serve` (e.g. --host 0.0.0.0 --port 8000).
set -euo pipefail
cd "$(dirname "$0")"
if [ -x .venv/bin/passthrough ]; then
    PASSTHROUGH=(.venv/bin/passthrough)
else
    PASSTHROUGH=("${PYTHON:-python3}" -m passthrough)
fi
"${PASSTHROUGH[@]}" config "$@"
exec "${PASSTHROUGH[@]}" serve "$@"

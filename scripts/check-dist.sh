#!/usr/bin/env bash
# Users run the committed dist/, so it must be exactly the bundle of src/:
# rebuild it and fail when anything under dist/ differs or is not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run bundle
changes="$(git status --porcelain -- dist)"
if [ -n "$changes" ]; then
  echo "$changes"
  git diff --stat -- dist
  echo "dist/ does not match src/: run 'npm run bundle' and commit dist/." >&2
  exit 1
fi

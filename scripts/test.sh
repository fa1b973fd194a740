#!/usr/bin/env bash
# Installs what the tests need, then runs them: npm packages (npm ci, which also builds dist/), the Debian
# packages of the end-to-end tests (installed only as root; otherwise listed, and those tests skip with a
# reason, or fail under CI=true), then `npm test`. CI runs exactly this (.ci/run). Usage: sudo bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
bash scripts/install-test-deps.sh
npm test

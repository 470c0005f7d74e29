#!/usr/bin/env bash
# Starts what the test suite needs besides npm packages: PostgreSQL at 127.0.0.1:5432, and
# Debian's Chromium for the browser tests (driven by playwright-core; never `playwright install`).
# s3rver runs from node_modules inside the tests; nothing is downloaded at run time.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "PostgreSQL is not answering at 127.0.0.1:5432; starting it"
  if ! command -v pg_ctlcluster >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

if ! command -v chromium >/dev/null; then
  echo "Chromium is missing (browser tests); installing Debian's package"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
chromium --version 2>/dev/null

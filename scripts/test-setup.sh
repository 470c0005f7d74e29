#!/usr/bin/env bash
# Starts what the test suite needs besides npm packages: PostgreSQL at 127.0.0.1:5432, and
# Debian's Chromium for the browser tests (driven by playwright-core; never `playwright install`).
# s3rver runs from node_modules inside the tests; nothing is downloaded at run time.
# Installing and configuring a local PostgreSQL and installing Chromium need root (apt-get, su postgres).
set -euo pipefail

if [ -n "${WINNOW_TEST_POSTGRES_URL:-}" ]; then
  # The tests use that server (a role that may create and drop databases); leave the local one alone.
  echo "PostgreSQL: the tests use WINNOW_TEST_POSTGRES_URL; not starting or configuring a local server"
  if command -v psql >/dev/null; then
    psql "$WINNOW_TEST_POSTGRES_URL" -w -qAt -c 'select 1' >/dev/null
  fi
else
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

  # The tests log in as postgres over TCP without a password. A stock server asks host connections for
  # one (scram-sha-256), so trust postgres from 127.0.0.1 only, through the local socket as the postgres
  # user. The rule goes first in pg_hba.conf (the first matching line wins) and is marked to be found again.
  if ! psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -qAt -c 'select 1' >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL at 127.0.0.1:5432 wants a password for postgres: run this script as root to trust postgres" \
        "from 127.0.0.1, or set WINNOW_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST:PORT/postgres" >&2
      exit 1
    fi
    marker='# added by Winnow scripts/test-setup.sh: the tests log in as postgres from 127.0.0.1 without a password'
    hba=$(cd / && su postgres -c "psql -p 5432 -qAt -c 'show hba_file'")
    if ! grep -qF "$marker" "$hba"; then
      echo "PostgreSQL asks 127.0.0.1 for a password; adding a trust rule for postgres from 127.0.0.1 to $hba"
      sed -i "1i host all postgres 127.0.0.1/32 trust $marker" "$hba"
    fi
    (cd / && su postgres -c "psql -p 5432 -qAt -c 'select pg_reload_conf()'") >/dev/null
    psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -qAt -c 'select 1' >/dev/null
  fi
fi

if ! command -v chromium >/dev/null; then
  echo "Chromium is missing (browser tests); installing Debian's package"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
chromium --version 2>/dev/null

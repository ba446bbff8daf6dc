#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 for the control plane's tests (`make test-postgres`).
# Starts the local cluster when it is stopped; installs the Debian package `postgresql` when it is
# missing, and then lets local TCP connections in without a password (a test machine's cluster only:
# a cluster this script did not install keeps its own authentication). Idempotent and quiet when up.
set -euo pipefail
ready() { pg_isready -h 127.0.0.1 -p 5432 -q >/dev/null 2>&1; }
command -v pg_isready >/dev/null 2>&1 && ready && exit 0
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
installed=no
if ! ls -d /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian package postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  ${SUDO} apt-get update -qq
  ${SUDO} apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  installed=yes
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
if [ "${installed}" = yes ]; then
  hba="/etc/postgresql/${version}/main/pg_hba.conf"
  ${SUDO} sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "${hba}"
fi
${SUDO} pg_ctlcluster --skip-systemctl-redirect "${version}" main start 2>/dev/null \
  || ${SUDO} pg_ctlcluster --skip-systemctl-redirect "${version}" main reload
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL ${version} did not come up on 127.0.0.1:5432" >&2
exit 1

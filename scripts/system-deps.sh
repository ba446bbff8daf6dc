#!/usr/bin/env bash
# Installs the Debian packages the tests talk to (scripts/system-packages.txt), when missing.
# Idempotent and silent when everything is present, so `make test` calls it on every run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
need=()
while read -r pkg cmd _; do
  [[ -z "${pkg}" || "${pkg}" == \#* ]] && continue
  command -v "${cmd}" >/dev/null 2>&1 || need+=("${pkg}")
done < "${here}/system-packages.txt"
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
${SUDO} apt-get update -qq
${SUDO} apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

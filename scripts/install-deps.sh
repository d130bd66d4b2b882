#!/usr/bin/env bash
# Installs the Debian packages SLAyer needs to build, run and test, and only those that are
# missing: apt-get is called only when something is absent, so a second run is a no-op.
# Usage: scripts/install-deps.sh [build|test|all]   (default: all)
set -euo pipefail

build_pkgs=(
  cmake g++ make pkgconf
  libpq-dev libmariadb-dev libsqlite3-dev zlib1g-dev
  libyaml-cpp-dev nlohmann-json3-dev libcurl4-openssl-dev
  libhowardhinnant-date-dev tzdata libspdlog-dev libfmt-dev libcli11-dev libcpp-httplib-dev
  libssl-dev libcrypt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Real components the tests run against (started by scripts/, bound to 127.0.0.1).
test_pkgs=(
  sqlite3 postgresql postgresql-contrib mariadb-server mariadb-client prometheus python3-croniter
  openssl
  python3-yaml
  prometheus-alertmanager python3-aiosmtpd
  chromium
)

case "${1:-all}" in
  build) wanted=("${build_pkgs[@]}") ;;
  test | all) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# The web page bundles Chart.js with npm at build time (docs/web.md): the machine's own Node.js
# and npm when it has them, else Debian's.
command -v npm >/dev/null 2>&1 || missing+=(npm)
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Never let package scripts start the database servers: our tests start their own in temp dirs.
policy_created=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  policy_created=1
fi
cleanup() { [[ $policy_created -eq 1 ]] && $SUDO rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Debian packages the tests drive as real clients. Installs only what is missing.
set -euo pipefail
# chromium: the browser the Playwright tests and bench/bench_frontend.py drive;
# fonts-noto-color-emoji: CodeMirror's completion icons in screenshots;
# odbc-postgresql + unixodbc (psqlODBC, Qlik's driver) and libpostgresql-jdbc-java + a JDK
# (pgjdbc, Tableau's driver): real clients of the wire endpoint tests
packages=(postgresql-client chromium fonts-noto-color-emoji odbc-postgresql unixodbc
          unixodbc-dev libpostgresql-jdbc-java openjdk-17-jdk-headless)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"

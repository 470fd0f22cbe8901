#!/usr/bin/env bash
# Debian packages the tests need: Chromium for browser tests, CJK fonts so screenshots show Chinese,
# cairo for rasterising QR codes, poppler for reading printed posters, Java for the Nu HTML Checker (vnu.jar).
# Installs only what is missing; needs root (CI runs as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
dpkg -s libcairo2 >/dev/null 2>&1 || need+=(libcairo2)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)  # prints posters to PNG for the QR decoder (tests/test_posters.py)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root: apt-get install ${need[*]})" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"

#!/usr/bin/env bash
# System packages the project needs beyond Python: LibreOffice (headless .doc/.wps conversion),
# redis-server (distributed crawl tests), Chromium (browser test of the dashboard), a CJK font
# (PDF fixtures). Idempotent: installs only what is missing; never fails the build if apt is
# unavailable (the tests that need a package skip with a reason naming it).
set -u
want=()
command -v soffice >/dev/null 2>&1 || want+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
command -v chromium >/dev/null 2>&1 || want+=(chromium chromium-driver)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || want+=(fonts-wqy-zenhei)
[ ${#want[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system: apt-get not available; missing: ${want[*]} (tests needing them will skip)" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-system: installing ${want[*]}" >&2
$SUDO apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
  || echo "install-system: could not install ${want[*]} (tests needing them will skip)" >&2
exit 0

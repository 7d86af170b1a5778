#!/usr/bin/env bash
# Rebuilds src/CertMgr.Core/TrustedCas/public-roots.pem, the system-collection file of today's public root CAs that
# ships with CertMgr. Source: Debian's ca-certificates package (the Mozilla NSS root store, certdata.txt, as
# packaged by Debian: /usr/share/ca-certificates/mozilla/*.crt). Run it on a machine with a current ca-certificates
# package and commit the result; the file's header records the package version and the date.
set -euo pipefail
src=/usr/share/ca-certificates/mozilla
out=$(dirname "$0")/../src/CertMgr.Core/TrustedCas/public-roots.pem
[[ -d $src ]] || { echo "update-public-roots: $src not found; install the ca-certificates package" >&2; exit 1; }
version=$(dpkg-query -W -f '${Version}' ca-certificates)
count=$(ls "$src"/*.crt | wc -l)
{
  echo "# CertMgr public root CAs (the system collection's default file)."
  echo "# Source: Debian ca-certificates $version = the Mozilla NSS root store (certdata.txt),"
  echo "# from $src; $count roots; built $(date -u +%Y-%m-%d) by scripts/update-public-roots.sh."
  for f in "$src"/*.crt; do
    name=$(basename "$f" .crt)
    echo
    echo "# $name"
    openssl x509 -in "$f" -outform PEM
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "update-public-roots: wrote $count roots to $out"

#!/usr/bin/env bash
# Downloads Debian sid's own kubectl package (version N+ds-M) into its own directory without
# installing anything on the host, unpacks it and prints the path of the kubectl binary.
#   TEMPER_KUBECTL_DIR  where to put it (default scripts/.kubectl, ignored by git)
#
# Same approach as bpf/fetch-kernel.sh: a private sources list and lists directory, so the host's
# apt state is untouched; apt checks the index's signature (the host's Debian keyring) and the
# package's checksum from that index; dpkg-deb -x unpacks it.
#
# Why sid: bookworm ships kubernetes-client 1.20, far older than any supported API server. Why
# "+ds": sid's index also lists a kubectl 1:528.0.0-0 (an epoch above Debian's own builds) whose
# file cannot be downloaded; apt would pick it as the newest, so the version is named explicitly.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TEMPER_KUBECTL_DIR:-$here/.kubectl}"
bin="$out/root/usr/bin/kubectl"

if [[ ! -x "$bin" ]]; then
  mkdir -p "$out/apt/lists/partial" "$out/apt/archives/partial"
  echo "deb http://deb.debian.org/debian sid main" > "$out/apt/sources.list"
  apt_opts=(-o Dir::Etc::SourceList="$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o Dir::State::Lists="$out/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
            -o Dir::Cache::Archives="$out/apt/archives" -o APT::Get::List-Cleanup=0)
  apt-get "${apt_opts[@]}" update -qq >&2
  # madison: "kubectl | 1.36.4+ds-1 | http://... sid/main amd64 Packages"; keep Debian's +ds builds.
  version=$(apt-cache "${apt_opts[@]}" madison kubectl | awk -F'|' '{gsub(/ /, "", $2); print $2}' \
            | grep -E '^[0-9][^:]*\+ds' | sort -V | tail -n 1 || true)
  [[ -n "$version" ]] || { echo "fetch-kubectl: no kubectl <version>+ds in sid's index" >&2; exit 1; }
  echo "fetch-kubectl: kubectl $version (sid)" >&2
  # apt's download sandbox user cannot write here; root downloads directly, which apt notes.
  rm -f "$out"/kubectl_*.deb
  (cd "$out" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root download "kubectl=$version" >&2)
  rm -rf "$out/root" && mkdir -p "$out/root"
  dpkg-deb -x "$out"/kubectl_*.deb "$out/root"
  [[ -x "$bin" ]] || { echo "fetch-kubectl: no usr/bin/kubectl in kubectl $version" >&2; exit 1; }
  echo "$version" > "$out/version"
fi
echo "$bin"

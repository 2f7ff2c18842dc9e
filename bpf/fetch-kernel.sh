#!/usr/bin/env bash
# Downloads a Debian cloud kernel built with CONFIG_SCHED_CLASS_EXT=y into its own directory
# without installing anything on the host, and extracts the uncompressed ELF vmlinux (for its BTF)
# next to the bzImage. Prints the kernel directory.
#   TEMPER_KERNEL      which kernel (default sid):
#                        sid               Debian sid's newest linux-binary-*-cloud-amd64 (7.2 today)
#                        trixie-backports  trixie-backports' newest one (7.3 today): a second kernel
#                                          for the lab, so a kfunc rename is caught
#                        6.12              built here from Debian's linux-source-6.12 (build-kernel.sh):
#                                          the first sched_ext kernel, a long-term release
#   TEMPER_KERNEL_DIR  where to put it (default bpf/.kernel/$TEMPER_KERNEL; bpf/.kernel is ignored
#                      by git)
# The scheduler is built against one vmlinux.h, generated from sid's (bpf/build.sh); only the
# kernel the lab boots differs.
#
# Debian's bookworm and trixie kernels lack sched_ext; sid's and trixie-backports' have it. Both
# are reached through the same Debian registry with a private sources list and lists directory
# (see shared KERNEL-LAB.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
flavour="${TEMPER_KERNEL:-sid}"
case "$flavour" in
  sid)              suite=sid ;;
  trixie-backports) suite=trixie-backports ;;
  6.12)             exec "$here/build-kernel.sh" ;;
  *) echo "fetch-kernel: TEMPER_KERNEL=$flavour: expected sid, trixie-backports or 6.12" >&2; exit 2 ;;
esac
out="${TEMPER_KERNEL_DIR:-$here/.kernel/$flavour}"
mkdir -p "$out/apt/lists/partial" "$out/apt/archives/partial"
echo "deb http://deb.debian.org/debian $suite main" > "$out/apt/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o Dir::State::Lists="$out/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
          -o Dir::Cache::Archives="$out/apt/archives" -o APT::Get::List-Cleanup=0)

if [[ ! -f "$out/vmlinux" || ! -f "$out/vmlinuz" ]]; then
  apt-get "${apt_opts[@]}" update -qq >&2
  # Versions move: take the newest linux-binary-*-cloud-amd64 the suite's index lists today.
  # (trixie-backports' index also lists the suite's own 6.12 packages, which lack sched_ext, and
  # names its own +deb13; sort -V picks the newest either way.)
  pkg=$(apt-cache "${apt_opts[@]}" search --names-only '^linux-binary-[0-9.]+.*-cloud-amd64$' \
        | awk '{print $1}' | sort -V | tail -n 1)
  [[ -n "$pkg" ]] || { echo "fetch-kernel: no linux-binary-*-cloud-amd64 in $suite" >&2; exit 1; }
  echo "fetch-kernel: $pkg ($suite)" >&2
  # apt's download sandbox user cannot write here; root downloads directly, which apt notes.
  # -t: in trixie-backports the package exists only there, but say so for apt's pinning.
  (cd "$out" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -t "$suite" download "$pkg" >&2)
  rm -rf "$out/root" && mkdir -p "$out/root"
  dpkg-deb -x "$out"/"$pkg"_*.deb "$out/root"
  vmlinuz=$(find "$out/root" -name vmlinuz -o -name 'vmlinuz-*' | head -n 1)
  [[ -n "$vmlinuz" ]] || { echo "fetch-kernel: no vmlinuz in $pkg" >&2; exit 1; }
  cp "$vmlinuz" "$out/vmlinuz"
  # The bzImage carries a zstd-compressed ELF: it starts at the first zstd magic 28 b5 2f fd.
  off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$out/vmlinuz" | head -n 1 | cut -d: -f1)
  # zstd complains about the bytes after the frame (the rest of the bzImage); the ELF is whole.
  tail -c +"$((off + 1))" "$out/vmlinuz" | zstd -dc 2>/dev/null > "$out/vmlinux.tmp" || true
  [[ "$(head -c 4 "$out/vmlinux.tmp" | od -An -tx1 | tr -d ' ')" == 7f454c46 ]] \
    || { echo "fetch-kernel: no ELF vmlinux inside $out/vmlinuz" >&2; exit 1; }
  mv "$out/vmlinux.tmp" "$out/vmlinux"
  # The package carries no config; the kernel's own BTF tells whether sched_ext is built in.
  bpftool btf dump file "$out/vmlinux" format raw > "$out/btf.txt"
  grep -q "STRUCT 'sched_ext_ops'" "$out/btf.txt" \
    || { echo "fetch-kernel: $pkg has no sched_ext (no struct sched_ext_ops in its BTF)" >&2; exit 1; }
  echo "$pkg" > "$out/package"
fi
echo "$out"

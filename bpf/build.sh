#!/usr/bin/env bash
# Builds the scheduler: bpf/.build/temper.bpf.o from temper.bpf.c (and two deliberately faulty
# variants for the lab, temper-fault-{stall,error}.bpf.o), against a vmlinux.h generated
# from a sched_ext kernel's BTF (fetched by fetch-kernel.sh; generated, never edited or committed).
#   CLANG    clang 16 or newer (default: the newest clang-NN on PATH)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/.build"
mkdir -p "$out"

clang="${CLANG:-$(compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n | tail -n 1)}"
ver=$("$clang" -dumpversion | cut -d. -f1)
(( ver >= 16 )) || { echo "bpf/build.sh: $clang is clang $ver; sched_ext needs >= 16 (64-bit enum constants)" >&2; exit 1; }

if [[ ! -s "$out/vmlinux.h" ]]; then
  # vmlinux.h always comes from sid's kernel, whichever kernel a lab run boots.
  kernel="$(TEMPER_KERNEL=sid "$here/fetch-kernel.sh")"
  bpftool btf dump file "$kernel/vmlinux" format c > "$out/vmlinux.h.tmp"
  mv "$out/vmlinux.h.tmp" "$out/vmlinux.h"
fi

build() { # build OUTPUT [CFLAGS...]
  local o="$1"; shift
  "$clang" -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wno-missing-declarations \
    -I"$out" -I"$here" "$@" -c "$here/temper.bpf.c" -o "$out/$o"
}
build temper.bpf.o
# Deliberately faulty variants, for the kernel lab's ejection scenarios only.
# The object as it behaves on 6.12-6.16 (no cpu.max from the kernel): the lab checks pod ceilings.
build temper-nocgbw.bpf.o -DTEMPER_NO_CGROUP_BW
build temper-fault-stall.bpf.o -DTEMPER_FAULT=1
build temper-fault-error.bpf.o -DTEMPER_FAULT=2
echo "$out/temper.bpf.o"

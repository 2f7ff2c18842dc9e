# Sourced by bpf/lab/bench and bpf/lab/saturate on the host: the VM's root (busybox, bpftool,
# the lab's workloads, hold, guest.sh as /lab.sh, and any other binaries with their libraries)
# and its boot under qemu. Needs (Debian): qemu-system-x86 busybox-static cpio bpftool gcc
# libc6-dev libbpf-dev.
lab_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# lab_root ROOT [BINARY...]: the root file system, with each BINARY (a path) in /bin
lab_root() {
  local root="$1" w l; shift
  mkdir -p "$root"/{bin,lib64,lib/x86_64-linux-gnu,proc,sys,dev,tmp}
  for w in wakeprobe burn; do
    gcc -O2 -static -Wall -Wextra -o "$root/bin/$w" "$lab_dir/workloads/$w.c"
  done
  gcc -O2 -Wall -Wextra -o "$root/bin/hold" "$lab_dir/workloads/hold.c" -lbpf
  cp /bin/busybox "$root/bin/"
  cp "$(command -v bpftool)" "$@" "$root/bin/"
  for l in $(ldd "$(command -v bpftool)" "$root/bin/hold" "$@" | awk '$3 ~ /^\// {print $3}' | sort -u); do
    cp -L "$l" "$root/lib/x86_64-linux-gnu/"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
  cp "$lab_dir/guest.sh" "$root/lab.sh"
}

# lab_boot WORK KERNEL_DIR SMP MEMORY_MB TIMEOUT_S: boots WORK/root's init; the console in
# WORK/console.log. The serial console goes to a file and nothing reads stdin (CI runs us without
# one). Single-threaded TCG by default (LAB_ACCEL; see bpf/lab/run for why).
lab_boot() {
  local work="$1" kernel="$2" smp="$3" mem="$4" limit="$5"
  chmod +x "$work/root/init"
  (cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"
  timeout "$limit" qemu-system-x86_64 -accel "${LAB_ACCEL:-tcg,thread=single}" -cpu max -smp "$smp" -m "$mem" \
    -kernel "$kernel/vmlinuz" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
    -display none -monitor none -serial file:"$work/console.log" -no-reboot \
    < /dev/null > "$work/qemu.log" 2>&1 || { echo "lab: qemu failed:" >&2; cat "$work/qemu.log" >&2; }
}

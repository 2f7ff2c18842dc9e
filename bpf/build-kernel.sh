#!/usr/bin/env bash
# Builds the lab's 6.12 sched_ext kernel from Debian's linux-source-6.12 package: Debian ships no
# 6.12 kernel with CONFIG_SCHED_CLASS_EXT (bookworm-backports' and trixie's say "is not set"), and
# 6.12 is the first sched_ext kernel and a long-term release, so the oldest kernel the scheduler
# claims has to be built. Nothing is installed: the source package is downloaded with a private
# apt state like fetch-kernel.sh's, unpacked, configured and built in its own directory, and
# cached there (bzImage, ELF vmlinux for its BTF, config). Prints the kernel directory, laid out as
# fetch-kernel.sh lays out a downloaded kernel.
#   TEMPER_KERNEL_DIR  where (default bpf/.kernel/6.12, ignored by git)
#   KERNEL_JOBS        make -j (default: the CPUs)
# Config: x86_64_defconfig, without the drivers a VM booting an initramfs on a serial console never
# touches (graphics, sound, USB, disks, wireless, netfilter), plus sched_ext, cgroup bandwidth
# (the bench's CFS phases set cpu.max) and BTF. Needs (Debian): bc bison flex libelf-dev libssl-dev
# dwarves (pahole >= 1.22; bookworm's 1.24 is enough) xz-utils, and gcc/make.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TEMPER_KERNEL_DIR:-$here/.kernel/6.12}"
jobs="${KERNEL_JOBS:-$(nproc)}"
[[ -f "$out/vmlinuz" && -f "$out/vmlinux" && -f "$out/package" ]] && { echo "$out"; exit 0; }
mkdir -p "$out/apt/lists/partial" "$out/apt/archives/partial"
# bookworm-security carries the newest 6.12 (6.12.118 on 2026-12-07); bookworm-backports an older one.
printf '%s\n' "deb http://deb.debian.org/debian-security bookworm-security main" \
  "deb http://deb.debian.org/debian bookworm-backports main" > "$out/apt/sources.list"
apt_opts=(-o Dir::Etc::SourceList="$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o Dir::State::Lists="$out/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
          -o Dir::Cache::Archives="$out/apt/archives" -o APT::Get::List-Cleanup=0)
t0=$SECONDS
if ! compgen -G "$out/linux-source-6.12_*.deb" > /dev/null; then
  apt-get "${apt_opts[@]}" update -qq >&2
  (cd "$out" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root download linux-source-6.12 >&2)
fi
deb=$(compgen -G "$out/linux-source-6.12_*.deb" | sort -V | tail -n 1)
version=$(dpkg-deb -f "$deb" Version)
echo "build-kernel: linux-source-6.12 $version" >&2
src="$out/src"
if [[ ! -f "$src/Makefile" ]]; then
  rm -rf "$out/pkg" "$src"
  dpkg-deb -x "$deb" "$out/pkg"
  tarball=$(find "$out/pkg" -name 'linux-source-6.12*.tar.xz' | head -n 1)
  mkdir -p "$src"
  tar -xJf "$tarball" -C "$src" --strip-components=1
  rm -rf "$out/pkg"
fi
cd "$src"
make -s x86_64_defconfig >&2
c=scripts/config
# What the lab needs.
$c -d MODULES
$c -e BPF -e BPF_SYSCALL -e BPF_JIT -e BPF_EVENTS -e CGROUP_BPF
$c -e DEBUG_INFO -e DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_NONE -e DEBUG_INFO_BTF -d DEBUG_INFO_REDUCED
$c -e CGROUPS -e CGROUP_SCHED -e FAIR_GROUP_SCHED -e CFS_BANDWIDTH -e EXT_GROUP_SCHED -e SCHED_CLASS_EXT
$c -e SERIAL_8250 -e SERIAL_8250_CONSOLE -e VIRTIO -e VIRTIO_PCI -e DEVTMPFS -e DEVTMPFS_MOUNT
$c -e BLK_DEV_INITRD -e RD_GZIP -e SCHED_DEBUG -e DEBUG_FS
# What it never touches: fewer objects to compile (and to describe in DWARF).
for o in DRM FB SOUND USB_SUPPORT WLAN WIRELESS CFG80211 MAC80211 RFKILL ETHERNET NETFILTER \
         ATA SCSI MD BLK_DEV_SD BLK_DEV_SR HID INPUT_MOUSE INPUT_JOYSTICK INPUT_TABLET \
         INPUT_TOUCHSCREEN AGP IPV6 NETWORK_FILESYSTEMS EXT4_FS ISO9660_FS MSDOS_FS VFAT_FS \
         AUTOFS_FS QUOTA HIBERNATION SUSPEND KVM_GUEST XEN HYPERV EFI MICROCODE I2C HWMON \
         THERMAL WATCHDOG POWER_SUPPLY USB NET_VENDOR_INTEL PCCARD NVME_CORE BLK_DEV_NVME \
         SECURITY_SELINUX AUDIT IP_MULTICAST IP_ADVANCED_ROUTER IP_PNP NET_SCHED; do
  $c -d "$o"
done
make -s olddefconfig >&2
for o in SCHED_CLASS_EXT DEBUG_INFO_BTF CFS_BANDWIDTH EXT_GROUP_SCHED BPF_JIT BLK_DEV_INITRD SERIAL_8250_CONSOLE; do
  grep -q "^CONFIG_$o=y" .config || { echo "build-kernel: CONFIG_$o is not set after olddefconfig" >&2; exit 1; }
done
make -s -j"$jobs" bzImage >&2
cp arch/x86/boot/bzImage "$out/vmlinuz"
cp vmlinux "$out/vmlinux"
cp .config "$out/config"
bpftool btf dump file "$out/vmlinux" format raw > "$out/btf.txt"
grep -q "STRUCT 'sched_ext_ops'" "$out/btf.txt" || { echo "build-kernel: no sched_ext_ops in the built kernel's BTF" >&2; exit 1; }
echo "linux-source-6.12 $version (built here in $((SECONDS - t0)) s)" > "$out/package"
# The source tree and its objects (~2-3 GB) are not needed once the images are copied out.
[[ -n "${KERNEL_KEEP_SRC:-}" ]] || { cd "$out"; rm -rf "$src"; }
echo "$out"

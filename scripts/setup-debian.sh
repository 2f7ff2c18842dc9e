# Sourced by ./run-tests: installs the Debian packages the build and tests need, when missing.
# libbpf >= 1.2 and bpftool >= 7.2 come from bookworm-backports (bookworm's libbpf 1.1 cannot
# load SEC(".struct_ops.link")); clang >= 16 for sched_ext's 64-bit enum constants.
need_pkgs=()
command -v mvn >/dev/null || need_pkgs+=(maven)
command -v git >/dev/null || need_pkgs+=(git)
command -v zstd >/dev/null || need_pkgs+=(zstd)
command -v clang-19 >/dev/null || need_pkgs+=(clang-19)
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
[[ -x /bin/busybox ]] || need_pkgs+=(busybox-static)
[[ -x /usr/sbin/sshd ]] || need_pkgs+=(openssh-server)   # a real ssh remote for the Git source tests
command -v gpg >/dev/null || need_pkgs+=(gnupg)           # commits signed by the real gpg
command -v chromium-headless-shell >/dev/null || need_pkgs+=(chromium-headless-shell)  # the status dashboard's browser test
bpftool_ok() { bpftool version 2>/dev/null | grep -q 'libbpf v1\.[2-9]'; }
libbpf_ok() { dpkg-query -W -f '${Version}' libbpf1 2>/dev/null | grep -qE '^1:1\.([2-9]|[1-9][0-9])'; }
if ((${#need_pkgs[@]})) || ! bpftool_ok || ! libbpf_ok; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing ${need_pkgs[*]} (and/or libbpf1/bpftool from bookworm-backports); run as root to install" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [[ -f /etc/debian_version ]] && grep -q '^12' /etc/debian_version; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
  fi
  apt-get update -qq
  ((${#need_pkgs[@]})) && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  apt-get install -y -qq -t bookworm-backports libbpf1 bpftool >/dev/null
fi

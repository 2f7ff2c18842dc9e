# Sourced by ./run-tests: installs the Debian packages the build and tests need, when missing.
#
# What is missing is decided by the files the build actually uses (a header, a binary, a shared
# library), never by a related command being present: libbpf1 without libbpf-dev once passed that
# kind of check and then failed on 'bpf/bpf_helpers.h' on a new machine.
#
# libbpf >= 1.4 (with its headers) and bpftool >= 7.2 come from bookworm-backports: bookworm's
# libbpf 1.1 cannot load SEC(".struct_ops.link"), and only 1.4+ lets a loader clear a struct_ops
# member the kernel lacks (6.12-6.16 have no cgroup_set_bandwidth; lab/workloads/hold and the agent). clang >= 16 for sched_ext's 64-bit enum
# constants. scripts/fresh-root-check proves this list complete in a new Debian root.
arch_lib=/usr/lib/x86_64-linux-gnu

# file package: the package that owns the file, from the bookworm archive
base_needs=(
  /usr/bin/mvn                         maven
  /usr/bin/git                         git
  /usr/bin/zstd                        zstd                    # the kernel's vmlinux is zstd-packed
  /usr/bin/clang-19                    clang-19
  /usr/bin/qemu-system-x86_64          qemu-system-x86
  /usr/bin/cpio                        cpio
  /bin/busybox                         busybox-static          # the lab VM's userland
  /usr/bin/gcc                         gcc                     # the lab's workload programs
  /usr/lib/x86_64-linux-gnu/libc.a     libc6-dev               # the workloads are linked -static
  /usr/bin/hackbench                   rt-tests                # the lab's messaging benchmark
  /usr/sbin/sshd                       openssh-server          # a real ssh remote for the Git source tests
  /usr/bin/ssh-keygen                  openssh-client
  /usr/bin/gpg                         gnupg                   # commits signed by the real gpg
  /usr/bin/chromium                    chromium                # the agent page's browser tests (Selenium)
  /usr/bin/chromedriver                chromium-driver         # ... drive it through its WebDriver
  /usr/bin/curl                        curl
  # The trust stores, listed for themselves (a minimal root has neither; today other packages'
  # Recommends bring them): the JDK 25's lib/security/cacerts links to /etc/ssl/certs/java/cacerts,
  # without which Maven cannot fetch from Central over https; curl reads ca-certificates.crt.
  /etc/ssl/certs/ca-certificates.crt   ca-certificates
  /etc/ssl/certs/java/cacerts          ca-certificates-java
  /usr/bin/file                        file
  /usr/sbin/ip                         iproute2
  /usr/bin/ps                          procps
  /usr/bin/promtool                    prometheus              # checks deploy/prometheus and a live /metrics
  # The image (scripts/build-image): its base root from Debian packages, its layout, its inspection.
  /usr/bin/mmdebstrap                  mmdebstrap
  /usr/bin/umoci                       umoci
  /usr/bin/skopeo                      skopeo
  /usr/bin/jq                          jq                      # reads the image's JSON
  /usr/bin/unzip                       unzip                   # lists the jar's libraries for the SBOM check
  /usr/bin/python3                     python3                 # scripts/jks-set-dates
  /usr/bin/openssl                     openssl                 # scripts/control-plane: the test cluster's CA and certificates
  /usr/bin/flock                       util-linux              # scripts/control-plane: one build of the binaries at a time
  /usr/bin/stress-ng                   stress-ng               # bpf/lab/saturate: the scx project's CI stress
  # bpf/build-kernel.sh: the lab's 6.12 kernel, built from Debian's linux-source-6.12
  /usr/bin/bc                          bc
  /usr/bin/bison                       bison
  /usr/bin/flex                        flex
  /usr/include/libelf.h                libelf-dev
  /usr/include/openssl/ssl.h           libssl-dev
  /usr/bin/pahole                      dwarves                 # the kernel's BTF from its DWARF
  /usr/bin/xz                          xz-utils                # the source tarball
)
# file package: from bookworm-backports, newer than bookworm's own
bpo_needs=(
  /usr/include/bpf/bpf_helpers.h       libbpf-dev
  /usr/include/bpf/bpf_tracing.h       libbpf-dev
  /usr/include/bpf/bpf_core_read.h     libbpf-dev
  $arch_lib/libbpf.so.1                libbpf1
  /usr/sbin/bpftool                    bpftool
)

missing_files=() need_pkgs=() need_bpo=()
add_missing() { # list-name file package
  local -n list="$1"
  missing_files+=("$2")
  [[ " ${list[*]} " == *" $3 "* ]] || list+=("$3")
}
for ((i = 0; i < ${#base_needs[@]}; i += 2)); do
  [[ -e "${base_needs[i]}" ]] || add_missing need_pkgs "${base_needs[i]}" "${base_needs[i + 1]}"
done
for ((i = 0; i < ${#bpo_needs[@]}; i += 2)); do
  [[ -e "${bpo_needs[i]}" ]] || add_missing need_bpo "${bpo_needs[i]}" "${bpo_needs[i + 1]}"
done
# Present but too old: libbpf.so.1 must be >= 1.4 (the file name carries the version), the
# headers must come from the same libbpf, and bpftool must be linked against such a libbpf.
libbpf_real=$(readlink -f "$arch_lib/libbpf.so.1" 2>/dev/null)
if [[ -e "$arch_lib/libbpf.so.1" && ! "$libbpf_real" =~ libbpf\.so\.1\.([4-9]|[1-9][0-9])\. ]]; then
  add_missing need_bpo "$libbpf_real (< 1.4)" libbpf1
fi
if [[ -e /usr/include/bpf/bpf_helpers.h ]] && ! grep -qE '^#define LIBBPF_MINOR_VERSION ([4-9]|[1-9][0-9])$' /usr/include/bpf/libbpf_version.h 2>/dev/null; then
  add_missing need_bpo "/usr/include/bpf/libbpf_version.h (< 1.4)" libbpf-dev
fi
if [[ -x /usr/sbin/bpftool ]] && ! /usr/sbin/bpftool version 2>/dev/null | grep -q 'libbpf v1\.\([2-9]\|[1-9][0-9]\)'; then
  add_missing need_bpo "/usr/sbin/bpftool (linked against libbpf < 1.2)" bpftool
fi

if ((${#missing_files[@]})); then
  echo "setup: missing ${missing_files[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: run as root to install: ${need_pkgs[*]} ${need_bpo[*]} (the last from bookworm-backports)" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [[ -f /etc/debian_version ]] && grep -q '^12' /etc/debian_version; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
  fi
  apt-get update -qq
  ((${#need_pkgs[@]})) && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  # libbpf1, libbpf-dev and bpftool together, so the headers match the library they link with.
  ((${#need_bpo[@]})) && apt-get install -y -qq -t bookworm-backports libbpf1 libbpf-dev bpftool >/dev/null
  for ((i = 0; i < ${#base_needs[@]}; i += 2)); do
    [[ -e "${base_needs[i]}" ]] || { echo "setup: ${base_needs[i]} still missing after installing ${base_needs[i + 1]}" >&2; exit 2; }
  done
  for ((i = 0; i < ${#bpo_needs[@]}; i += 2)); do
    [[ -e "${bpo_needs[i]}" ]] || { echo "setup: ${bpo_needs[i]} still missing after installing ${bpo_needs[i + 1]}" >&2; exit 2; }
  done
fi

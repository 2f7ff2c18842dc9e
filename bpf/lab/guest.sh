# Sourced by the init of the lab's VMs (bpf/lab/bench, bpf/lab/saturate), inside the guest
# (busybox sh): time, cgroups laid out as kubelet lays them out, workloads in them, the
# scheduler's maps through bpftool, and registering the scheduler as the agent does (hold).
# Prints "$TAG check NAME PASS|FAIL|SKIP detail" and "$TAG info ..." lines; TAG defaults to BENCH.
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev
mount -t cgroup2 none /sys/fs/cgroup; mount -t bpf bpf /sys/fs/bpf
CG=/sys/fs/cgroup
NCPU=$(nproc)
TAG=${TAG:-BENCH}
LOADER=${LOADER:-hold}
KUBELET=system.slice/kubelet.service
want() { case "$ONLY" in *",$1,"*) return 0 ;; esac; return 1; }
check() { echo "$TAG check $1 $2 ${3:-}"; }

# --- time, cgroups, kubelet's weights ----------------------------------------------------------
# Monotonic nanoseconds without forking: "now at <ns> nsecs" is the third line of /proc/timer_list.
now() { { read _l; read _l; read _a _b NOW _c; } < /proc/timer_list; }
usage() { awk '$1 == "usage_usec" { print $2 }' "$CG/$1/cpu.stat"; }
cpustat() { awk -v k="$2" '$1 == k { print $2 }' "$CG/$1/cpu.stat"; }
# kubelet: shares = max(2, milli * 1024 / 1000); cpu.weight = 1 + ((shares - 2) * 9999) / 262142
kweight() { s=$(( $1 * 1024 / 1000 )); [ $s -lt 2 ] && s=2; echo $(( 1 + ((s - 2) * 9999) / 262142 )); }
# kubepods_layout BURSTABLE_MILLICORES: kubepods/{burstable,besteffort} and system.slice as kubelet's
# cgroupfs driver and systemd make them, +cpu down to the containers, with kubelet's weights
# (kubepods from the node's CPUs, burstable from the sum of its pods' requests, besteffort 1).
kubepods_layout() {
  echo +cpu > $CG/cgroup.subtree_control
  mkdir -p $CG/kubepods/burstable $CG/kubepods/besteffort $CG/$KUBELET
  for d in kubepods kubepods/burstable kubepods/besteffort system.slice; do
    echo +cpu > $CG/$d/cgroup.subtree_control
  done
  echo $(kweight $(( NCPU * 1000 ))) > $CG/kubepods/cpu.weight
  echo $(kweight $1) > $CG/kubepods/burstable/cpu.weight
  echo 1 > $CG/kubepods/besteffort/cpu.weight
}
# mkpod QOS NAME MILLICORES: kubepods/QOS/podNAME/app, pod and container weighted from the request
mkpod() {
  mkdir -p "$CG/kubepods/$1/pod$2/app"
  echo +cpu > "$CG/kubepods/$1/pod$2/cgroup.subtree_control"
  echo $(kweight $3) > "$CG/kubepods/$1/pod$2/cpu.weight"
  echo $(kweight $3) > "$CG/kubepods/$1/pod$2/app/cpu.weight"
}
# run_in CGROUP COMMAND...: COMMAND in that cgroup (the shell moves itself, then execs)
run_in() { cg=$1; shift; sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$CG/$cg" "$@"; }
# burners CGROUP N [BURN_ARGS]: N busy loops in CGROUP until stop CGROUP
burners() { cg=$1; n=$2; shift 2; run_in "$cg" burn -p "$n" -t 0 "$@" > /dev/null & }
stop() { echo 1 > "$CG/$1/cgroup.kill"; while [ -s "$CG/$1/cgroup.procs" ]; do usleep 20000; done; }
# cpus_of CGROUP...: after a 0.5 s warm-up, the CPUs each cgroup used over SECS s (space separated)
cpus_of() { usleep 500000; cpus_for $(( SECS * 1000000 )) "$@"; }
# cpus_for USEC CGROUP...: the CPUs each cgroup used over the next USEC us, no warm-up (usage read
# with the shell's own read, no fork, so the window is the one the clock says)
cpus_for() {
  d=$1; shift
  now; t0=$NOW; u0=""; for c in "$@"; do read _k U _r < "$CG/$c/cpu.stat"; u0="$u0 $U"; done
  usleep $d
  u1=""; for c in "$@"; do read _k U _r < "$CG/$c/cpu.stat"; u1="$u1 $U"; done; now; t1=$NOW
  echo $u0 $u1 | awk -v dt=$(( (t1 - t0) / 1000 )) '{ n = NF / 2; for (i = 1; i <= n; i++) printf "%s%.3f", (i > 1 ? " " : ""), ($(i + n) - $i) / dt }'
}
# within X LO HI: X in [LO, HI]
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

# --- the scheduler's maps (temper phase only) -------------------------------------------------
le() { awk -v n="$1" -v w="$2" 'BEGIN { for (i = 0; i < w; i++) { printf "%02x ", n % 256; n = int(n / 256) } }'; }
vsize() { bpftool map show name "$1" 2>/dev/null | sed -n 's/.*value \([0-9]*\)B.*/\1/p'; }
# fit SIZE BYTES...: the bytes cut or zero-padded to SIZE (appended fields: zero = default)
fit() { n=$1; shift; echo $* $(le 0 "$n") | cut -d' ' -f1-"$n"; }
TIER_CRITICAL=0; TIER_HIGH=1; TIER_NORMAL=2; TIER_LOW=3; TIER_BACKGROUND=4; TIER_SYSTEM=16
# tier INDEX FLAGS SLICE_MS CEILING_MCPU [FLOOR_MCPU] (flags: 1 enabled, 2 preempt, 4 no floor;
# rank = index; floor 0 = the scheduler's default)
tier() { bpftool map update name tiers key hex $(le $1 4) value hex $(fit $(vsize tiers) $(le $1 4) $(le $2 4) $(le $(( $3 * 1000000 )) 8) $(le $4 8) $(le ${5:-0} 8)); }
default_tiers() { tier 0 3 5 0; tier 1 3 10 0; tier 2 1 20 0; tier 3 1 30 0; tier 4 1 5 ${1:-0}; }
# node_cfg [SYSTEM_FLOOR_MCPU]: pods root = kubepods, default tier normal (0 = the default floor)
node_cfg() {
  [ -n "$(vsize node_config)" ] || return 0
  bpftool map update name node_config key hex $(le 0 4) value hex $(fit $(vsize node_config) \
    $(le $(stat -c %i $CG/kubepods) 8) $(le $TIER_NORMAL 4) $(le 1 4) $(le ${1:-0} 8))
}
# pod QOS NAME TIER MILLICORES [CEILING_MCPU]: map the pod cgroup to TIER with the pod's kubelet
# weight (and the pod's own ceiling, cut away for an object whose temper_pod predates it)
pod() { bpftool map update name pod_tiers key hex $(le $(stat -c %i "$CG/kubepods/$1/pod$2") 8) \
          value hex $(fit $(vsize pod_tiers) $(le $3 4) $(le $(kweight $4) 4) $(le ${5:-0} 8)); }
unpod() { bpftool map delete name pod_tiers key hex $(le $(stat -c %i "$CG/kubepods/$1/pod$2") 8); }
# bw_field CGROUP FIELD: a field of the cgroup's cgroup_bw entry (empty: no entry)
bw_field() { bpftool map lookup name cgroup_bw key hex $(le $(stat -c %i "$CG/$1") 8) 2>/dev/null | \
          awk -v f="\"$2\":" '$1 == f { gsub(",", "", $2); print $2 }'; }
enable_seq() { cat /sys/kernel/sched_ext/enable_seq 2>/dev/null; }
stat_sum() { bpftool map lookup name tier_stats key hex $(le "$1" 4) | awk -v f="\"$2\":" '$1 == f { gsub(",", "", $2); s += $2 } END { printf "%.0f", s + 0 }'; }
# stat_of DUMP TIER FIELD: FIELD summed over CPUs for TIER in a `bpftool map dump name tier_stats`
stat_of() { awk -v t="$2" -v f="\"$3\":" '$1 == "\"key\":" { gsub(",", "", $2); k = $2 } k == t && $1 == f { gsub(",", "", $2); s += $2 } END { printf "%.0f", s + 0 }' "$1"; }
sx_state() { cat /sys/kernel/sched_ext/state; }

# --- registering the scheduler ------------------------------------------------------------------
# True while temper is still the scheduler; otherwise says why and what the kernel reported.
attached() {
  [ "$(sx_state)" = enabled ] && return 0
  check "stayed_attached_$1" FAIL "(state $(sx_state); $(dmesg | grep 'sched_ext' | tail -n 2 | tr '\n' ' '))"
  return 1
}

# attach OBJECT SUFFIX: registers OBJECT as the agent would (or with bpftool); checks attached$SUFFIX
attach() {
  if [ "$LOADER" = bpftool ]; then
    mkdir -p /sys/fs/bpf/temper
    if ! bpftool struct_ops register $1 /sys/fs/bpf/temper > /tmp/reg.out 2>&1; then
      check attached$2 FAIL "(bpftool: $(tr '\n' ' ' < /tmp/reg.out))"; return 1
    fi
  else
    hold $1 > /tmp/reg.out 2>&1 &
    HOLD=$!
    i=0; while ! grep -q "HOLD attached" /tmp/reg.out && kill -0 $HOLD 2>/dev/null && [ $i -lt 600 ]; do usleep 100000; i=$((i + 1)); done
    if ! grep -q "HOLD attached" /tmp/reg.out; then
      check attached$2 FAIL "(hold: $(tr '\n' ' ' < /tmp/reg.out))"; kill $HOLD 2>/dev/null; return 1
    fi
  fi
  st=$(sx_state); ops=$(cat /sys/kernel/sched_ext/root/ops 2>/dev/null)
  [ "$st" = enabled ] && check attached$2 PASS || check attached$2 FAIL "(state $st)"
  [ "$ops" = temper ] && check ops_temper$2 PASS || check ops_temper$2 FAIL "(ops $ops)"
  echo "$TAG info phase temper$2 object=${1#/} loader=$LOADER state=$st ops=$ops enable_seq=$(enable_seq) pod_tiers_value=$(vsize pod_tiers)B tiers_value=$(vsize tiers)B node_config_value=$(vsize node_config)B $(grep HOLD /tmp/reg.out 2>/dev/null | grep -v attached | tr '\n' ' ')"
  default_tiers 0
  node_cfg
}

# detach SUFFIX: ends the scheduler as the agent would; checks detached$SUFFIX
detach() {
  if [ "$LOADER" = bpftool ]; then rm -f /sys/fs/bpf/temper/*; else kill -TERM $HOLD; wait $HOLD; fi
  i=0; while [ "$(sx_state)" != disabled ] && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
  [ "$(sx_state)" = disabled ] && check detached$1 PASS || check detached$1 FAIL "(state $(sx_state))"
}

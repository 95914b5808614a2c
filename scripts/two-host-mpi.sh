#!/usr/bin/env bash
# The MPI data-parallel tests across two "hosts": two network namespaces joined by a veth pair
# (10.77.0.1/24 and 10.77.0.2/24, loopback up in each), one rank in each, Open MPI over TCP on that
# subnet only (btl self,tcp: no shared memory between the ranks). mpirun runs in the first
# namespace and starts its daemon in the second through scripts/netns-rsh-agent.sh (ip netns exec)
# instead of ssh. Then two failures on the second host: a rank that throws and a rank killed by
# SIGKILL must each end the run with a non-zero exit and a clear message within LIMIT seconds.
# The veth's byte counters in the second namespace, read before and after, show the ranks' traffic
# went over it. The namespaces are always deleted (trap). Without root it prints SKIPPED, exits 0.
# With --bench, it first runs that program (bench/allreduce_mpi) across the two namespaces.
#   scripts/two-host-mpi.sh <lucid_distributed_tests> <lucid_distributed_failure_probe> [--bench <program>]
set -euo pipefail

if [[ $# -ne 2 && ! ($# -eq 4 && "$3" == "--bench") ]]; then
  echo "usage: $0 <lucid_distributed_tests> <lucid_distributed_failure_probe> [--bench <program>]" >&2
  exit 2
fi
tests_exe="$(realpath "$1")"
probe_exe="$(realpath "$2")"
bench_exe="${4:+$(realpath "$4")}"
agent="$(realpath "$(dirname "$0")/netns-rsh-agent.sh")"
readonly LIMIT=30                 # seconds a failing run may take to end
readonly SUBNET=10.77.0.0/24 HOST1=10.77.0.1 HOST2=10.77.0.2

skip() {
  echo "SKIPPED: two-host MPI tests: $1"
  exit 0
}
[[ "$(id -u)" -eq 0 ]] || skip "need root to create network namespaces (run as root, e.g. in CI)"
command -v ip >/dev/null || skip "ip (iproute2) not found"

# Names unique per run, so that concurrent runs do not collide (veth names: at most 15 characters).
ns1="lucid-h1-$$" ns2="lucid-h2-$$" veth1="lv1-$$" veth2="lv2-$$"
workdir="$(mktemp -d)"
teardown() {
  for ns in "$ns1" "$ns2"; do
    if ip netns list | grep -qw "$ns"; then
      ip netns pids "$ns" | xargs -r kill -9 2>/dev/null || true  # what a failed run left behind
      ip netns delete "$ns"                                      # also deletes its veth end
    fi
  done
  rm -rf "$workdir"
}
trap teardown EXIT
ip netns add "$ns1" 2>/dev/null || skip "cannot create a network namespace (ip netns add failed: no CAP_SYS_ADMIN?)"
ip netns add "$ns2"
ip link add "$veth1" type veth peer name "$veth2"
ip link set "$veth1" netns "$ns1"
ip link set "$veth2" netns "$ns2"
ip -n "$ns1" addr add "$HOST1/24" dev "$veth1"
ip -n "$ns2" addr add "$HOST2/24" dev "$veth2"
for ns in "$ns1" "$ns2"; do ip -n "$ns" link set lo up; done
ip -n "$ns1" link set "$veth1" up
ip -n "$ns2" link set "$veth2" up

printf '%s slots=1\n%s slots=1\n' "$HOST1" "$HOST2" >"$workdir/hosts"
export LUCID_NETNS_HOSTS="$HOST1=$ns1 $HOST2=$ns2"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
mpirun_two_hosts=(ip netns exec "$ns1" mpirun -np 2 --hostfile "$workdir/hosts" --mca plm_rsh_agent "$agent"
                  --mca btl self,tcp --mca btl_tcp_if_include "$SUBNET" --mca oob_tcp_if_include "$SUBNET"
                  -x OMP_NUM_THREADS -x LUCID_COLLECTIVE_TIMEOUT --tag-output)

# Bytes received + sent by the second namespace's veth end.
veth_bytes() {
  local stats="/sys/class/net/$veth2/statistics"
  ip netns exec "$ns2" sh -c "echo \$((\$(cat $stats/rx_bytes) + \$(cat $stats/tx_bytes)))"
}

if [[ -n "$bench_exe" ]]; then
  LUCID_COLLECTIVE_TIMEOUT=60 "${mpirun_two_hosts[@]}" "$bench_exe"
fi

# 1. The equivalence tests, one rank per namespace; a stuck collective gives up after 60 s.
before=$(veth_bytes)
start=$SECONDS
set +e
LUCID_COLLECTIVE_TIMEOUT=60 timeout 300 "${mpirun_two_hosts[@]}" "$tests_exe" --gtest_color=no 2>&1 | tee "$workdir/tests.log"
rc=${PIPESTATUS[0]}
set -e
seconds=$((SECONDS - start))
bytes=$(($(veth_bytes) - before))
rank1_passed=$(grep -Ec '^\[[0-9]+,1\]<stdout>:\[  PASSED  \]' "$workdir/tests.log" || true)
echo "two-host: equivalence tests: exit $rc, $seconds s, $bytes bytes over $veth2 (in $ns2)"
if [[ $rc -ne 0 || $rank1_passed -ne 1 ]]; then
  echo "two-host: FAILED: the equivalence tests did not pass on both ranks" >&2
  exit 1
fi
# Open MPI's daemons alone exchange about 6 KB for a job (measured with a program that only prints);
# the tests' collectives added about 80 KB here.
if [[ $bytes -lt 32768 ]]; then
  echo "two-host: FAILED: only $bytes bytes crossed the veth: the ranks did not talk over it" >&2
  exit 1
fi

# 2. A failure on the second host (rank 1): the run must end, non-zero, with the message.
expect_failure() {  # mode, regular expression the output must match
  local out rc start seconds
  start=$SECONDS
  set +e
  out=$(LUCID_COLLECTIVE_TIMEOUT=60 timeout $((LIMIT * 4)) "${mpirun_two_hosts[@]}" "$probe_exe" "$1" 2>&1)
  rc=$?
  set -e
  seconds=$((SECONDS - start))
  echo "$out"
  echo "two-host: failure probe '$1': exit $rc, $seconds s"
  if [[ $rc -eq 0 || $rc -eq 124 ]] || ! grep -Eq "$2" <<<"$out" || [[ $seconds -gt $LIMIT ]]; then
    echo "two-host: FAILED: '$1' on rank 1 must end the run non-zero within $LIMIT s with output matching: $2" >&2
    exit 1
  fi
}
expect_failure throw "rank 1: error: deliberate failure on rank 1"
expect_failure kill "process rank 1 with PID [0-9]+ on node $HOST2 exited on signal 9"

echo "two-host: PASSED (equivalence tests and both failures, one rank per namespace over TCP on $SUBNET)"

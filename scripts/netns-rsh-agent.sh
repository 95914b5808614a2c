#!/usr/bin/env bash
# Open MPI's launcher agent for scripts/two-host-mpi.sh, used instead of ssh (--mca plm_rsh_agent):
# mpirun calls it as `netns-rsh-agent.sh <host> <command...>` to start its daemon (orted) on <host>;
# it runs the command inside the network namespace that owns <host>'s address, through a shell as
# ssh would (Open MPI quotes the arguments for a remote shell). The mapping comes from the caller:
#   LUCID_NETNS_HOSTS="10.77.0.1=<namespace> 10.77.0.2=<namespace>"
set -euo pipefail
host="$1"
shift
for pair in ${LUCID_NETNS_HOSTS:?LUCID_NETNS_HOSTS is not set}; do
  if [[ "${pair%%=*}" == "$host" ]]; then
    exec ip netns exec "${pair#*=}" /bin/sh -c "$*"
  fi
done
echo "netns-rsh-agent: no network namespace for host '$host' in LUCID_NETNS_HOSTS='$LUCID_NETNS_HOSTS'" >&2
exit 1

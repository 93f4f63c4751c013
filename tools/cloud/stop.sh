#!/usr/bin/env bash
# Stop the Blazar test cloud: only the processes tools/cloud/start.sh started,
# found through the pid files it wrote in $BLAZAR_CLOUD_DIR/run. Each of them
# leads its own session, so signalling its process group reaches the service
# and its workers and nothing else. Computes stop first: their graceful
# shutdown still talks to the conductor.
#
# Databases, state and logs stay; the next start.sh decides whether to reuse
# them (BLAZAR_CLOUD_FRESH). Safe to run when nothing is running.
set -uo pipefail

DIR=${BLAZAR_CLOUD_DIR:-/tmp/blazar-cloud}
VENV=${BLAZAR_CLOUD_VENV:-$DIR/venv}
RUN=$DIR/run
GRACE=${BLAZAR_CLOUD_STOP_TIMEOUT:-30}

# The ready marker goes first, so no test starts on a cloud that is going away.
rm -f "$DIR/ready"

# Still alive, still a session leader, and still running from our venv:
# guards against a recycled pid.
is_ours() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -F -e "$VENV" -e "$DIR"
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stop_group() {  # pidfiles...: TERM each group, wait, KILL what is left
  local file pid pending=() entry t
  for file in "$@"; do
    [ -e "$file" ] || continue
    pid=$(cat "$file")
    if is_ours "$pid" && kill -TERM -- "-$pid" 2>/dev/null; then
      pending+=("$pid:$file")
    else
      rm -f "$file"
    fi
  done
  [ "${#pending[@]}" -gt 0 ] || return 0
  for ((t = 0; t < GRACE * 2; t++)); do
    local alive=0
    for entry in "${pending[@]}"; do group_alive "${entry%%:*}" && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for entry in "${pending[@]}"; do
    pid=${entry%%:*}
    file=${entry#*:}
    if group_alive "$pid"; then
      echo "$(basename "$file" .pid): no exit ${GRACE}s after SIGTERM, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null
    fi
    echo "stopped $(basename "$file" .pid) (pid $pid)"
    rm -f "$file"
  done
}

shopt -s nullglob
stop_group "$RUN"/nova-compute-*.pid
stop_group "$RUN"/nova-scheduler.pid "$RUN"/nova-conductor.pid
stop_group "$RUN"/*.pid
rm -f "$RUN/settings"

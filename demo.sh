#!/usr/bin/env bash
# meshjoin demo: three nodes in three network namespaces found and join one Nebula mesh on the
# embedded file store, then ping each other over the overlay. Everything is torn down at the end.
# Needs root (network namespaces); never calls sudo, so it runs as root in containers where there is
# no sudo. Installs nebula, iproute2 and iputils-ping with apt if missing.
#
#   ./demo.sh              the demo
#   ./demo.sh --measure 5  also times 5 more joiners, one after another, each a fresh meshctl process
#                          (join() to READY, and process start to READY: a cold meshctl up), the same 5
#                          started again on their state directories, 5 joiners with an enrollment token
#                          alone, then 5 warm embedded joins in one JVM (mesh-bench's WarmJoinBench);
#                          prints the medians
#
# The network secret is a network key from meshctl secret generate, as the README recommends;
# DEMO_SECRET=some-long-passphrase ./demo.sh --measure 5 times the same with a passphrase instead
# (stretched with PBKDF2 on each new node's path).
set -euo pipefail
measure=0
if [ "${1:-}" = "--measure" ]; then measure=${2:-5}; fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# It never calls sudo itself: as root (a container, CI) run ./demo.sh; otherwise sudo ./demo.sh.
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: needs root (it creates network namespaces): run it as root, or with sudo ./demo.sh where sudo exists" >&2
  exit 1
fi
missing=()
command -v nebula >/dev/null || missing+=(nebula)
command -v ip >/dev/null || missing+=(iproute2)
command -v ping >/dev/null || missing+=(iputils-ping)
if [ ${#missing[@]} -gt 0 ]; then
  echo "demo: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! ls mesh-cli/target/mesh-cli-*.jar >/dev/null 2>&1 || [ ! -d mesh-cli/target/lib ]; then
  echo "demo: building meshctl (first run only)"
  ./mvnw -q -DskipTests package -pl mesh-cli -am
fi

id=$$
bridge_ns="mjdemo-br-$id"
work="$(mktemp -d /tmp/meshjoin-demo.XXXXXX)"
nodes=(1 2 3)
pids=()

cleanup() {
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  for n in "${nodes[@]}"; do
    ip netns pids "mjdemo-$n-$id" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "mjdemo-$n-$id" 2>/dev/null || true
  done
  ip netns del "$bridge_ns" 2>/dev/null || true
  [ -n "${DEMO_KEEP:-}" ] && cp -r "$work" /tmp/demo-keep; rm -rf "$work"
}
trap cleanup EXIT

# Secrets go to the nodes in owner-only files (MESH_SECRET_FILE, MESH_TOKEN_FILE), never on a
# command line, where every user of the machine could read them.
secret="$work/network.key"
( umask 077
  if [ -n "${DEMO_SECRET:-}" ]; then printf '%s\n' "$DEMO_SECRET" > "$secret"; else ./meshctl secret generate > "$secret"; fi )

# A bridge in a namespace of its own, and one namespace per node on 192.0.2.0/24.
ip netns add "$bridge_ns"
ip -n "$bridge_ns" link add br0 type bridge
ip -n "$bridge_ns" link set br0 up
for n in "${nodes[@]}"; do
  ns="mjdemo-$n-$id"
  ip netns add "$ns"
  ip link add "mjd$n-$id" type veth peer name eth0 netns "$ns"
  ip link set "mjd$n-$id" netns "$bridge_ns"
  ip -n "$bridge_ns" link set "mjd$n-$id" master br0 up
  ip -n "$ns" addr add "192.0.2.$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

start_token() {
  local name=$1 token=$2
  ip netns exec "mjdemo-2-$id" env MESH_TOKEN_FILE="$token" \
    ./meshctl up --name "$name" --network demo --store "file:$work/store" --state-dir "$work/$name" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
}
start() {
  local n=$1 name=${2:-node-$1}
  ip netns exec "mjdemo-$n-$id" env MESH_SECRET_FILE="$secret" MESH_CA_PASSPHRASE=demo-ca-passphrase \
    ./meshctl up --name "$name" --network demo --store "file:$work/store" --state-dir "$work/$name" \
    --public-endpoint "192.0.2.$n:4242" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
await_ready() {
  local n=$1
  for _ in $(seq 1 1200); do
    if grep -q '^READY ' "$work/node-$n.log" 2>/dev/null; then return 0; fi
    if ! kill -0 "${pids[$((n-1))]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "demo: node-$n did not become ready:" >&2
  cat "$work/node-$n.log" >&2
  exit 1
}

echo "starting node-1; node-2 and node-3 start once it is up"
start 1
await_ready 1
start 2
start 3
await_ready 2
await_ready 3

declare -A addr
for n in "${nodes[@]}"; do
  addr[$n]=$(sed -n 's/^READY //p' "$work/node-$n.log" | head -n 1)
  took=$(sed -n 's/^joined in //p' "$work/node-$n.log" | head -n 1)
  printf 'node-%s  overlay %-12s  joined in %s\n' "$n" "${addr[$n]}" "$took"
done
echo "founder: $(grep -l 'as founder' "$work"/node-*.log | xargs -n1 basename | sed 's/\.log$//')"
echo
echo "pings over the overlay (row pings column):"
printf '%-8s' ""
for n in "${nodes[@]}"; do printf '%-8s' "node-$n"; done
echo
ok=1
for i in "${nodes[@]}"; do
  printf '%-8s' "node-$i"
  for j in "${nodes[@]}"; do
    if [ "$i" = "$j" ]; then printf '%-8s' "-"; continue; fi
    if ip netns exec "mjdemo-$i-$id" ping -c1 -W2 -n -q "${addr[$j]}" >/dev/null 2>&1; then
      printf '%-8s' "ok"
    else
      printf '%-8s' "FAIL"; ok=0
    fi
  done
  echo
done
if [ "$measure" -gt 0 ]; then
  echo
  echo "timing $measure joiners, one after another, each a fresh meshctl process in node-2's namespace:"
  kill -TERM "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
  times=()
  colds=()
  # Waits for the last started node's READY, prints its figures and stops it.
  probe() {
    local name=$1
    for _ in $(seq 1 1800); do grep -q '^joined in ' "$work/$name.log" 2>/dev/null && break; sleep 0.1; done
    t=$(sed -n 's/^joined in \([0-9]*\) ms.*/\1/p' "$work/$name.log")
    c=$(sed -n 's/^joined in .*(\([0-9]*\) ms since the process started).*/\1/p' "$work/$name.log")
    echo "  $name: join() to READY ${t:-?} ms, process start to READY ${c:-?} ms ($(grep -o 'STARTING_OVERLAY starting.*(+[0-9]* ms' "$work/$name.log" | grep -o '+[0-9]* ms') to certificate)"
    times+=("${t:-999999}")
    colds+=("${c:-999999}")
    kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  }
  median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
  for k in $(seq 1 "$measure"); do
    start 2 "probe-$k"
    probe "probe-$k"
  done
  echo "  median first join() in a fresh JVM: $(median "${times[@]}") ms"
  echo "  median cold meshctl up (process start to READY): $(median "${colds[@]}") ms"
  echo "the same $measure started again, each on its state directory (its key and certificate kept):"
  times=(); colds=()
  for k in $(seq 1 "$measure"); do
    start 2 "probe-$k"
    probe "probe-$k"
  done
  echo "  median restart join(): $(median "${times[@]}") ms; process start to READY: $(median "${colds[@]}") ms"
  echo "$measure more joiners with an enrollment token alone (MESH_TOKEN_FILE: no network secret, no CA passphrase):"
  token="$work/token"
  ( umask 077; env MESH_CA_PASSPHRASE=demo-ca-passphrase ./meshctl token create --network demo --store "file:$work/store" \
    --groups workers --expires 1h --uses "$measure" >"$token" 2>>"$work/token.log" )
  times=(); colds=()
  for k in $(seq 1 "$measure"); do
    start_token "token-$k" "$token"
    probe "token-$k"
  done
  echo "  median token join(): $(median "${times[@]}") ms; process start to READY: $(median "${colds[@]}") ms"
  bench=$(ls mesh-bench/target/mesh-bench-*.jar 2>/dev/null | grep -v -e -sources -e -javadoc -e -tests | head -n 1 || true)
  if [ -z "$bench" ]; then
    echo "demo: building mesh-bench for the warm join"
    ./mvnw -q -DskipTests -DskipCds package -pl mesh-bench -am
    bench=$(ls mesh-bench/target/mesh-bench-*.jar | grep -v -e -sources -e -javadoc -e -tests | head -n 1)
  fi
  echo "warm embedded join: one JVM in node-2's namespace joins $measure more times after a first:"
  ip netns exec "mjdemo-2-$id" env MESH_SECRET_FILE="$secret" \
    java -cp "$bench:mesh-bench/target/lib/*" dev.meshjoin.bench.WarmJoinBench "file:$work/store" demo "$measure" \
    2>"$work/warm.log" | sed 's/^/  /' || { echo "demo: the warm join bench failed:" >&2; cat "$work/warm.log" >&2; }
fi
echo
echo "tearing down"
[ $ok = 1 ]

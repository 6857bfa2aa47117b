# Starting and stopping simulated clusters in a bats suite:
#     load helpers/simcluster
#     sim_start "$TMP/c1" [OPTION...]
# Every cluster a test starts is stopped in teardown.

SIMCLUSTER="$TESTS/simcluster/simcluster"
SIM_PIDS=()

# sim_start DIR [OPTION...]: start a simulated cluster serving from DIR and
# wait (at most 10 s) until its kubeconfig is written.
sim_start() {
	local dir="$1" i
	shift
	mkdir -p "$dir"
	# fd 3 is bats' own: a background process holding it stalls bats.
	"$SIMCLUSTER" --dir "$dir" "$@" >"$dir/stdout" 2>"$dir/stderr" 3>&- &
	SIM_PIDS+=("$!")
	for ((i = 0; i < 200; i++)); do
		[ -f "$dir/kubeconfig" ] && return 0
		kill -0 "$!" 2>/dev/null || break
		sleep 0.05
	done
	echo "simcluster in $dir did not start: $(cat "$dir/stderr")" >&2
	return 1
}

teardown() {
	local pid
	for pid in "${SIM_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${SIM_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}

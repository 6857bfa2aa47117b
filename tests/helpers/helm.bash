# For the suites that run real Helm binaries (tools/get-helm fetches
# them; CI sets MESH_HELM3 and MESH_HELM4): a scratch Helm home per test,
# the tests' stand-in for istio/istiod, and skips without a binary.
# Load after helpers/common.

CHART="$FIXTURES/helm/istiod"

setup() {
	TMP="$BATS_TEST_TMPDIR"
	export HOME="$TMP/home" KUBECACHEDIR="$TMP/kubecache"
	mkdir -p "$HOME"
	export HELM_CONFIG_HOME="$TMP/helm/config" HELM_CACHE_HOME="$TMP/helm/cache"
	export HELM_DATA_HOME="$TMP/helm/data" HELM_PLUGINS="$TMP/helm/data/plugins"
}

# need3, need4: skip the test without that Helm, and check its major
need3() {
	[ -n "${MESH_HELM3:-}" ] || skip "no Helm 3: set MESH_HELM3 (tools/get-helm fetches one)"
	"$MESH_HELM3" version --short | grep -q '^v3\.'
}

need4() {
	[ -n "${MESH_HELM4:-}" ] || skip "no Helm 4: set MESH_HELM4 (tools/get-helm fetches one)"
	"$MESH_HELM4" version --short | grep -q '^v4\.'
}

/*
 * The table of what each Istio release's guides prescribe beyond the old
 * guides' heredocs (see istiover.h), and the --istio-version values.
 * Rows at 1.22 begin at the first release whose pages meshline renders
 * from today's data; the change may be older (mesh(7) says which).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "istiover.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const struct mesh_istio_row mesh_istio_table[] = {
	{ MESH_IC_INSTALL_API, 11, false, "ingress and egress gateways' "
	    "IstioOperator is install.istio.io/v1alpha1" },
	{ MESH_IC_CONFIG_CLUSTER, 11, false, "the config cluster sets "
	    "values.global.configCluster" },
	{ MESH_IC_CP_CLUSTERS, 15, false, "a remote's Istio namespace is "
	    "annotated topology.istio.io/controlPlaneClusters" },
	{ MESH_IC_REMOTE_PROFILE, 16, false, "the external model's remotes "
	    "use profile remote, not external" },
	{ MESH_IC_NO_MESH_NETWORKS, 22, false, "primaries carry no "
	    "meshNetworks" },
	{ MESH_IC_REMOTE_INJECTION, 22, false, "a primary-remote remote is "
	    "profile remote with istiodRemote.injectionPath, without meshID, "
	    "clusterName and network" },
	{ MESH_IC_PRIMARY_EXTERNAL_ISTIOD, 22, false, "a primary with remotes "
	    "sets values.pilot.env.EXTERNAL_ISTIOD" },
	{ MESH_IC_EXTERNAL_ISTIOD_VALUE, 23, false, "values.global."
	    "externalIstiod instead, on a primary with remotes and the "
	    "external istiod" },
	{ MESH_IC_INJECTION_PATH_URL, 22, false, "the external model's "
	    "injectionURL is .../inject/cluster/CLUSTER/net/NETWORK" },
	{ MESH_IC_CONFIG_CLUSTER_URLS, 22, false, "the config cluster sets "
	    "pilot.configMap and base.validationURL, and no base component" },
	{ MESH_IC_EXTERNAL_ISTIOD_MULTI, 22, false, "the external istiod sets "
	    "SHARED_MESH_CONFIG, LOCAL_CLUSTER_SECRET_WATCHER, "
	    "configValidation false, clusterName and network" },
	{ MESH_IC_NETWORKING_V1, 22, false, "external-istiod-gw's Gateway, "
	    "VirtualService and DestinationRule are networking.istio.io/v1" },
	{ MESH_IC_SAMPLES_V1, 24, true, "the expose-istiod and "
	    "expose-services samples are networking.istio.io/v1" },
	{ MESH_IC_GATEWAY_NAMES, 22, false, "ingress and egress gateways' "
	    "IstioOperators are named ingress-install and egress-install" },
	{ MESH_IC_AMBIENT_EASTWEST, 27, true, "gen-eastwest-gateway.sh "
	    "--ambient exists" },
	{ MESH_IC_EXTERNAL_IP, 22, false, "the external istiod's address "
	    "may be an IP address (the page's test-only IP-address variant: "
	    "injectionPath and remotePilotAddress, TLS passed through to "
	    "istiod)" },
};

_Static_assert(sizeof(mesh_istio_table) / sizeof(mesh_istio_table[0]) ==
    MESH_IC_COUNT, "a row for every change");

bool
mesh_istio_has(int minor, enum mesh_istio_change change)
{
	const struct mesh_istio_row *r = &mesh_istio_table[change];

	if (minor == MESH_ISTIO_GUIDE)
		return r->guide;
	return mesh_istio_or_default(minor) >= r->since;
}

int
mesh_istio_since(enum mesh_istio_change change)
{
	return mesh_istio_table[change].since;
}

int
mesh_istio_parse(const char *s)
{
	char *end;
	long minor;

	if (strcmp(s, "guide") == 0)
		return MESH_ISTIO_GUIDE;
	if (strncmp(s, "1.", 2) != 0 || !isdigit((unsigned char)s[2]))
		return -1;
	errno = 0;
	minor = strtol(s + 2, &end, 10);
	if (errno != 0 || minor < MESH_ISTIO_OLDEST ||
	    minor > MESH_ISTIO_NEWEST)
		return -1;
	/* a patch release is the same as its minor one here */
	if (*end == '.') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		for (end++; isdigit((unsigned char)*end); end++)
			;
	}
	return *end == '\0' ? (int)minor : -1;
}

const char *
mesh_istio_known(void)
{
	return "1." STR(MESH_ISTIO_OLDEST) " to 1." STR(MESH_ISTIO_NEWEST)
	    ", or guide";
}

int
mesh_istio_or_default(int minor)
{
	return minor == MESH_ISTIO_UNSET ? MESH_ISTIO_NEWEST : minor;
}

void
mesh_istio_version(void)
{
	printf("%s (meshline) %s\n", mesh_getprogname(), MESH_VERSION);
	printf("renders for Istio 1.%d by default (--istio-version: %s)\n",
	    MESH_ISTIO_NEWEST, mesh_istio_known());
	exit(mesh_close_stdout() == 0 ? MESH_EXIT_OK : MESH_EXIT_FAIL);
}

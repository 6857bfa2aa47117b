/*
 * Istio releases: what each one's guides prescribe that the old guides'
 * heredocs do not, as one table of changes, each with the release it
 * starts at.  The renderers ask whether a change applies to the release
 * they render for; they hold no release numbers of their own.
 */
#ifndef MESH_ISTIOVER_H
#define MESH_ISTIOVER_H

#include <stdbool.h>

/* The old guides' own heredocs, byte for byte ("--istio-version guide"). */
#define MESH_ISTIO_GUIDE 0
/* The oldest and the newest stable release meshline knows. */
#define MESH_ISTIO_OLDEST 11
#define MESH_ISTIO_NEWEST 30
/* Not given: the caller takes its default (MESH_ISTIO_NEWEST). */
#define MESH_ISTIO_UNSET (-1)

/* One change; the table in istiover.c says from which release. */
enum mesh_istio_change {
	MESH_IC_INSTALL_API,		/* ingress/egress: install.istio.io */
	MESH_IC_CONFIG_CLUSTER,		/* config cluster: configCluster */
	MESH_IC_CP_CLUSTERS,		/* remotes: controlPlaneClusters */
	MESH_IC_REMOTE_PROFILE,		/* external remotes: profile remote */
	MESH_IC_NO_MESH_NETWORKS,	/* primaries: no meshNetworks */
	MESH_IC_REMOTE_INJECTION,	/* remote: profile remote, injectionPath */
	MESH_IC_PRIMARY_EXTERNAL_ISTIOD, /* primary of remotes: EXTERNAL_ISTIOD */
	MESH_IC_EXTERNAL_ISTIOD_VALUE,	/* values.global.externalIstiod */
	MESH_IC_INJECTION_PATH_URL,	/* injectionURL .../inject/cluster/C/net/N */
	MESH_IC_CONFIG_CLUSTER_URLS,	/* config cluster: configMap, validationURL */
	MESH_IC_EXTERNAL_ISTIOD_MULTI,	/* external istiod: today's env, values */
	MESH_IC_NETWORKING_V1,		/* external-istiod-gw: networking v1 */
	MESH_IC_SAMPLES_V1,		/* expose-* samples: networking v1 */
	MESH_IC_GATEWAY_NAMES,		/* ingress/egress: metadata.name */
	MESH_IC_AMBIENT_EASTWEST,	/* eastwest --ambient */
	MESH_IC_EXTERNAL_IP,		/* the external istiod at an IP address */
	MESH_IC_COUNT
};

struct mesh_istio_row {
	enum mesh_istio_change change;
	int since;		/* the first release (MINOR) it applies to */
	bool guide;		/* the old guides' text already has it */
	const char *what;	/* for messages and the man page */
};

/* The table, MESH_IC_COUNT rows in enum order. */
extern const struct mesh_istio_row mesh_istio_table[];

/* Does change apply to release minor (MESH_ISTIO_GUIDE: the guides')? */
bool mesh_istio_has(int minor, enum mesh_istio_change change);

/* The release change starts at. */
int mesh_istio_since(enum mesh_istio_change change);

/*
 * An --istio-version or spec.istioVersion value: "guide", or "1.MINOR"
 * or "1.MINOR.PATCH" of a release meshline knows.  Returns MINOR,
 * MESH_ISTIO_GUIDE for "guide", or -1 (nothing is printed).
 */
int mesh_istio_parse(const char *s);

/* What mesh_istio_parse() takes, for messages: "1.11 to 1.30, or guide". */
const char *mesh_istio_known(void);

/* The release when none is given: minor, or the newest for UNSET. */
int mesh_istio_or_default(int minor);

/*
 * --version of a program that renders: its own line, then the Istio
 * release it renders for by default; exits.
 */
_Noreturn void mesh_istio_version(void);

#endif

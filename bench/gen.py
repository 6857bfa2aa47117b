#!/usr/bin/env python3
"""Write a deterministic stream of Kubernetes documents for the benchmarks.

usage: gen.py [-n docs] [--seed n] out.yaml

The default, 80,000 documents, comes to about 32 MB: Deployments,
Services, ConfigMaps and ServiceAccounts with labels, annotations,
containers, env, ports, quoted strings, block scalars and comments, in
the shapes rendered manifests have.  The same seed and count give the
same bytes on every run (the standard library's random.Random only).
Every document is one that kubectl and PyYAML read as Kubernetes reads
it: no name or value that YAML 1.1 would take for a boolean or number
where a string is meant.
"""

import argparse
import random
import sys

TEAMS = ["payments", "checkout", "catalog", "search", "identity", "billing",
         "ledger", "inventory", "shipping", "reviews", "ratings", "gateway",
         "notify", "media", "profile", "orders", "pricing", "fraud"]
PARTS = ["api", "worker", "web", "cron", "proxy", "cache", "sync",
         "indexer", "reader", "writer", "router", "relay"]
NAMESPACES = ["default", "prod-eu", "prod-us", "staging", "team-a",
              "team-b", "istio-system", "edge", "data", "batch"]
REGISTRIES = ["registry.example.com", "gcr.io/example-prod",
              "ghcr.io/example", "docker.io/library"]
LOG_LEVELS = ["debug", "info", "warn", "error"]
ENV_NAMES = ["LOG_LEVEL", "GOMAXPROCS", "OTEL_EXPORTER_OTLP_ENDPOINT",
             "DB_HOST", "DB_PORT", "CACHE_TTL", "FEATURE_FLAGS", "REGION",
             "HTTP_TIMEOUT", "MAX_CONNS", "JAVA_OPTS", "TZ"]
COMMENTS = ["# managed by the platform team; do not edit by hand",
            "# rendered from the service catalogue",
            "# TODO: tighten the resource limits after the load test",
            "# see the runbook before changing replicas",
            "# generated: do not edit"]


def ident(rng):
    return "%s-%s-%04d" % (rng.choice(TEAMS), rng.choice(PARTS),
                           rng.randrange(10000))


def labels(rng, name, ind, extra=True):
    team = name.split("-")[0]
    out = [ind + "labels:",
           ind + "  app: " + name,
           ind + "  app.kubernetes.io/part-of: " + team]
    if extra and rng.random() < 0.6:
        out.append(ind + "  app.kubernetes.io/version: \"%d.%d.%d\"" % (
            rng.randrange(4), rng.randrange(30), rng.randrange(100)))
    if extra and rng.random() < 0.4:
        out.append(ind + "  tier: " + rng.choice(["frontend", "backend",
                                                    "data"]))
    return out


def annotations(rng, ind):
    out = [ind + "annotations:"]
    if rng.random() < 0.5:
        out.append(ind + "  prometheus.io/scrape: \"true\"")
        out.append(ind + "  prometheus.io/port: \"%d\"" % rng.choice(
            [9090, 9102, 15020, 8081]))
    if rng.random() < 0.4:
        out.append(ind + "  owner: '%s@example.com'" % rng.choice(TEAMS))
    if rng.random() < 0.3:
        out.append(ind + "  description: \"Serves %s traffic for the %s "
                   "team, \\\"tier %d\\\"\"" % (rng.choice(PARTS),
                                                rng.choice(TEAMS),
                                                rng.randrange(1, 4)))
    if len(out) == 1:
        out.append(ind + "  kubernetes.io/change-cause: rollout %d" %
                   rng.randrange(1000))
    return out


def metadata(rng, name, ns, with_labels=True, with_ann=True):
    out = ["metadata:", "  name: " + name, "  namespace: " + ns]
    if with_labels:
        out += labels(rng, name, "  ")
    if with_ann:
        out += annotations(rng, "  ")
    return out


def env_value(rng, key):
    if key == "LOG_LEVEL":
        return rng.choice(LOG_LEVELS)
    if key in ("GOMAXPROCS", "DB_PORT", "MAX_CONNS"):
        return "\"%d\"" % rng.choice([2, 4, 5432, 3306, 64, 128])
    if key == "OTEL_EXPORTER_OTLP_ENDPOINT":
        return "http://otel-collector.observability:4317"
    if key == "DB_HOST":
        return "%s-db.%s.svc.cluster.local" % (rng.choice(TEAMS),
                                               rng.choice(NAMESPACES))
    if key == "CACHE_TTL" or key == "HTTP_TIMEOUT":
        return "%ds" % rng.choice([5, 30, 60, 300])
    if key == "FEATURE_FLAGS":
        return "'new-checkout,dark-mode,beta-%d'" % rng.randrange(100)
    if key == "REGION":
        return rng.choice(["eu-west-1", "us-east-1", "ap-south-1"])
    if key == "JAVA_OPTS":
        return "\"-Xms256m -Xmx%dm -XX:+UseG1GC\"" % rng.choice([512, 1024])
    return "Europe/Berlin"


def container(rng, name, ind):
    img = "%s/%s:%d.%d.%d" % (rng.choice(REGISTRIES), name.rsplit("-", 1)[0],
                              rng.randrange(4), rng.randrange(30),
                              rng.randrange(100))
    port = rng.choice([8080, 8443, 9000, 3000, 5000])
    out = [ind + "- name: " + name.rsplit("-", 1)[0],
           ind + "  image: " + img,
           ind + "  imagePullPolicy: IfNotPresent",
           ind + "  ports:",
           ind + "  - name: http",
           ind + "    containerPort: %d" % port,
           ind + "    protocol: TCP"]
    keys = rng.sample(ENV_NAMES, rng.randrange(1, 4))
    out.append(ind + "  env:")
    for k in keys:
        out.append(ind + "  - name: " + k)
        out.append(ind + "    value: " + env_value(rng, k))
    out += [ind + "  resources:",
            ind + "    requests:",
            ind + "      cpu: %dm" % rng.choice([50, 100, 250, 500]),
            ind + "      memory: %dMi" % rng.choice([64, 128, 256, 512])]
    if rng.random() < 0.5:
        out += [ind + "    limits:",
                ind + "      memory: %dMi" % rng.choice([256, 512, 1024])]
    if rng.random() < 0.4:
        out += [ind + "  readinessProbe:",
                ind + "    httpGet:",
                ind + "      path: /healthz",
                ind + "      port: http"]
    return out


def deployment(rng):
    name, ns = ident(rng), rng.choice(NAMESPACES)
    out = []
    if rng.random() < 0.3:
        out.append(rng.choice(COMMENTS))
    out += ["apiVersion: apps/v1", "kind: Deployment"]
    out += metadata(rng, name, ns, with_ann=rng.random() < 0.4)
    out += ["spec:",
            "  replicas: %d" % rng.choice([1, 2, 3]),
            "  selector:",
            "    matchLabels:",
            "      app: " + name,
            "  template:",
            "    metadata:",
            "      labels:",
            "        app: " + name,
            "    spec:",
            "      serviceAccountName: " + name,
            "      containers:"]
    out += container(rng, name, "      ")
    return out


def service(rng):
    name, ns = ident(rng), rng.choice(NAMESPACES)
    out = ["apiVersion: v1", "kind: Service"]
    out += metadata(rng, name, ns, with_ann=rng.random() < 0.3)
    out += ["spec:",
            "  type: " + rng.choice(["ClusterIP", "ClusterIP",
                                     "LoadBalancer"]),
            "  selector:",
            "    app: " + name,
            "  ports:"]
    for pname, port in rng.sample([("http", 80), ("https", 443),
                                   ("grpc", 9090), ("metrics", 15020)],
                                  rng.randrange(1, 3)):
        out += ["  - name: " + pname,
                "    port: %d" % port,
                "    targetPort: %d" % rng.choice([8080, 8443, 9000]),
                "    protocol: TCP  # %s" % pname]
    return out


def configmap(rng):
    name, ns = ident(rng) + "-config", rng.choice(NAMESPACES)
    out = ["apiVersion: v1", "kind: ConfigMap"]
    out += metadata(rng, name, ns, with_ann=False)
    out += ["data:",
            "  LOG_LEVEL: " + rng.choice(LOG_LEVELS),
            "  MAX_CONNS: \"%d\"" % rng.choice([16, 64, 256])]
    if rng.random() < 0.7:
        out += ["  app.properties: |",
                "    server.port=%d" % rng.choice([8080, 9000]),
                "    cache.ttl=%ds" % rng.choice([30, 60]),
                "    feature.beta=%s" % rng.choice(["enabled", "disabled"])]
    else:
        out += ["  motd: >",
                "    Welcome to the %s service." % rng.choice(TEAMS),
                "    Maintenance window is Sunday %02d:00 UTC." %
                rng.randrange(24)]
    return out


def serviceaccount(rng):
    name, ns = ident(rng), rng.choice(NAMESPACES)
    out = ["apiVersion: v1", "kind: ServiceAccount"]
    # a third carry no labels, so the edit adds the mapping
    out += metadata(rng, name, ns, with_labels=rng.random() < 0.67,
                    with_ann=rng.random() < 0.2)
    if rng.random() < 0.3:
        out += ["automountServiceAccountToken: false"]
    return out


KINDS = [(deployment, 0.13), (service, 0.25), (configmap, 0.30),
         (serviceaccount, 0.32)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=80000, help="documents (80000)")
    ap.add_argument("--seed", type=int, default=20240601,
                    help="random seed (fixed)")
    ap.add_argument("out", help="output file, - for stdout")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    f = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8",
                                            newline="\n")
    try:
        for i in range(a.n):
            doc = rng.choices(kinds, weights)[0](rng)
            f.write("---\n" if i > 0 else "")
            f.write("\n".join(doc))
            f.write("\n")
    finally:
        if f is not sys.stdout:
            f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

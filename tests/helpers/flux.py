#!/usr/bin/env python3
"""Flux's kustomize post-render, for comparing it with mesh-overlay's.

flux.py kustomization RELEASE OUT
    write OUT, a kustomization of all.yaml (beside it) with the patches of
    the first HelmRelease in RELEASE's spec.postRenderers[0].kustomize
flux.py deployments
    print the Deployments of the stream on stdin as one line of JSON, each
    list of items that merge by a key in the order of that key (kustomize
    puts new items first, istioctl and mesh-overlay append them)
"""
import json
import sys

import yaml


def kustomization(release, out):
    hr = [d for d in yaml.safe_load_all(open(release)) if d][0]
    k = {"resources": ["all.yaml"],
         "patches": hr["spec"]["postRenderers"][0]["kustomize"]["patches"]}
    yaml.safe_dump(k, open(out, "w"))


def keyed(x):
    if isinstance(x, dict):
        return {k: keyed(v) for k, v in x.items()}
    if isinstance(x, list):
        items = [keyed(i) for i in x]
        if items and all(isinstance(i, dict) and ("name" in i or "mountPath" in i)
                         for i in items):
            items.sort(key=lambda i: (str(i.get("name")), str(i.get("mountPath"))))
        return items
    return x


def deployments():
    d = [o for o in yaml.safe_load_all(sys.stdin) if o and o["kind"] == "Deployment"]
    print(json.dumps(keyed(d), sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1:2] == ["kustomization"] and len(sys.argv) == 4:
        kustomization(sys.argv[2], sys.argv[3])
    elif sys.argv[1:] == ["deployments"]:
        deployments()
    else:
        sys.exit(__doc__)

# mesh.mk: install an Istio mesh from one mesh description, every step of
# the guide for its model in the guide's order (mesh(7), ROUTING).  GNU make.
#
#	make -f mesh.mk MESH=mesh.yaml [OUT=dir] [VAR=value...] target
#
# plan     render every file the description alone makes into OUT, one
#          per cluster and step (OUT/CLUSTER/NN-STEP.CONSUMER.yaml), the
#          plug-in CA's cacerts too; touches no cluster
# install  plan, then every step in order: kubectl apply or istioctl
#          install of each file, mesh-wait where the guide waits, the
#          remote secrets read from the clusters once their control planes
#          run, and a remote's control plane rendered once its primary's
#          east-west gateway has an address; with -j, the clusters of a
#          step go in parallel.  Run again, it changes nothing that is
#          right: same files, same secrets, same intermediate CAs
# wait     wait until everything the plan installs with istioctl is ready
# verify   look once: everything installed ready, every gateway with an
#          address, every Secret of the plan present in its cluster
# steps    print the steps of the mesh (mesh-render --steps)
# clean    remove OUT (not the CAs: CA and TLSCA stay)
#
# Variables (defaults after ?=):

MESH ?= mesh.yaml
# the plan, and what install learns (OUT/mesh.yaml: the description with
# the east-west addresses it read back)
OUT ?= mesh.out
# the plug-in CA's root and one intermediate per cluster (mesh-secret cacerts)
CA ?= mesh-ca
# the external istiod's certificate: none (yours, in the Secret that
# spec.external.tlsSecret names) or self-signed (mesh-secret tls, from a
# CA kept in TLSCA: for tests, as proxies trust only public roots)
TLS ?= none
TLSCA ?= mesh-tls-ca
ISTIOCTL ?= istioctl
KUBECTL ?= kubectl
# where the mesh-* programs are (with a trailing /); empty: in PATH
MESHBIN ?=
# given to mesh-render and mesh-gw, which both render from the description
MESHFLAGS ?=
RENDERFLAGS ?=
GWFLAGS ?=
# mesh-secret cacerts -f, and mesh-secret remote -f (--allow-loopback for
# clusters served on 127.0.0.1)
CAFLAGS ?=
SECRETFLAGS ?=
WAITFLAGS ?= --timeout 5m
KUBECTLFLAGS ?=
ISTIOCTLFLAGS ?=

MESH_RENDER = $(MESHBIN)mesh-render
MESH_GW = $(MESHBIN)mesh-gw
MESH_SECRET = $(MESHBIN)mesh-secret
MESH_WAIT = $(MESHBIN)mesh-wait
MESH_OVERLAY = $(MESHBIN)mesh-overlay

.DEFAULT_GOAL := plan
.PHONY: plan install wait verify steps clean
.DELETE_ON_ERROR:

# ---- the steps, as mesh-render --steps lists them ------------------------
#
# One word per step and cluster: NN|step|cluster|context|program|when|after.
# Read only for the targets that need them.

_goals := $(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))
# clean beside another goal would race it under -j
ifneq ($(filter clean,$(_goals)),)
ifneq ($(filter-out clean,$(_goals)),)
$(error clean goes alone: run it, then $(filter-out clean,$(_goals)))
endif
endif
ifneq ($(filter-out clean,$(_goals)),)
_rows := $(shell { $(MESH_RENDER) -f '$(MESH)' $(MESHFLAGS) --steps || \
	echo '!failed'; } | tr '\t' '|')
ifneq ($(filter !failed,$(_rows)),)
$(error $(MESH): mesh-render --steps failed (above))
endif
endif

_f = $(word $2,$(subst |, ,$1))
# every step, NN-step, in install order
_steps := $(sort $(foreach r,$(_rows),$(call _f,$r,1)-$(call _f,$r,2)))
# the rows of a step
_rows_of = $(foreach r,$(_rows),$(if $(filter $1,$(call _f,$r,1)-$(call _f,$r,2)),$r))
_has = $(filter %-$1,$(_steps))

# ---- plan ----------------------------------------------------------------

plan:
	@if $(MESH_RENDER) -f '$(MESH)' $(MESHFLAGS) $(RENDERFLAGS) --defer \
	    --for helm > /dev/null 2>&1 || \
	    $(MESH_GW) -f '$(MESH)' $(MESHFLAGS) $(GWFLAGS) --for helm \
	    > /dev/null 2>&1; then \
	  echo "mesh.mk: $(MESH) asks for Helm releases (spec.installer: helm, or --installer helm in MESHFLAGS, RENDERFLAGS or GWFLAGS), and mesh.mk installs with istioctl: give MESHFLAGS='--installer istioctl', or install the releases of mesh-render -f and mesh-gw -f with -o helm-install" >&2; \
	  exit 1; \
	fi
	@echo '== plan: $(MESH) into $(OUT)'
	mkdir -p '$(OUT)'
	cp '$(MESH)' '$(OUT)/mesh.yaml'
	$(MESH_RENDER) -f '$(MESH)' $(MESHFLAGS) $(RENDERFLAGS) --defer --dir '$(OUT)'
	$(if $(filter mesh-gw,$(foreach r,$(_rows),$(call _f,$r,5))),$(MESH_GW) -f '$(MESH)' $(MESHFLAGS) $(GWFLAGS) --dir '$(OUT)')
	$(if $(call _has,cacerts),$(MESH_SECRET) cacerts -f '$(MESH)' --root-dir '$(CA)' $(CAFLAGS) --dir '$(OUT)')
	$(if $(call _has,tls-secret),$(if $(filter self-signed,$(TLS)),$(MESH_SECRET) tls -f '$(MESH)' --ca-dir '$(TLSCA)' --dir '$(OUT)',rm -f $(foreach r,$(call _rows_of,$(call _has,tls-secret)),'$(OUT)/$(call _f,$r,3)/$(call _has,tls-secret)'.*.yaml)))

steps:
	@$(MESH_RENDER) -f '$(MESH)' $(MESHFLAGS) --steps

# ---- install -------------------------------------------------------------
#
# install/NN-step is done when the step is done in every cluster that
# takes it; install/CLUSTER/NN-step, one cluster's part, starts once the
# step before is done everywhere.  gen/NN-step makes, once for the mesh,
# the files of a step that needs the clusters.

# Apply the files of step $3 in cluster $1 (context $2).
_apply = set -e; n=0; \
	for f in '$(OUT)/$1/$3'.*.yaml; do \
	  [ -e "$$f" ] || continue; \
	  case $$f in *-tls-secret.*) [ '$(TLS)' = self-signed ] || continue;; esac; \
	  n=$$((n + 1)); \
	  case $$f in \
	  *.istioctl.yaml) \
	    echo "+ $(ISTIOCTL) install -y --context '$2' -f $$f"; \
	    $(ISTIOCTL) install -y --context '$2' $(ISTIOCTLFLAGS) -f "$$f";; \
	  *) \
	    echo "+ $(KUBECTL) apply --context '$2' -f $$f"; \
	    $(KUBECTL) apply --context '$2' $(KUBECTLFLAGS) -f "$$f";; \
	  esac; \
	done; \
	if [ $$n = 0 ]; then \
	  case '$3' in \
	  *-tls-secret) echo "$1: $3: left to you (TLS=$(TLS)): the external istiod's gateway serves the Secret spec.external.tlsSecret names, in istio-system";; \
	  *) echo "$1: $3: no file in $(OUT)/$1 (run 'plan' again)" >&2; exit 1;; \
	  esac; \
	fi

# One cluster's part of a step: $1 the row.
define _cluster_rule
install/$(call _f,$1,3)/$(call _f,$1,1)-$(call _f,$1,2): $(call _barrier_before,$(call _f,$1,1)-$(call _f,$1,2)) $(if $(filter install,$(call _f,$1,6)),gen/$(call _f,$1,1)-$(call _f,$1,2))
	@echo '== $(call _f,$1,1) $(call _f,$1,2): $(call _f,$1,3)'
	@$$(call _apply,$(call _f,$1,3),$(call _f,$1,4),$(call _f,$1,1)-$(call _f,$1,2))
.PHONY: install/$(call _f,$1,3)/$(call _f,$1,1)-$(call _f,$1,2)
endef

# The barrier of step $1, once every cluster's part is done: what
# istioctl installed waited for, in every cluster at once.
define _step_rule
install/$1: $(foreach r,$(call _rows_of,$1),install/$(call _f,$r,3)/$1)
	$$(if $$(call _files_of,$1,istioctl),$(MESH_WAIT) $(WAITFLAGS) $$(addprefix -f ,$$(call _files_of,$1,istioctl)))
.PHONY: install/$1
endef

# The files of a step made at install: remote secrets read from their
# clusters; remote control planes rendered with the address of their
# primary's east-west gateway, written into OUT/mesh.yaml.
define _gen_rule
gen/$1: $(call _barrier_before,$1)
	@echo '== $1: made from the clusters'
	@set -e; \
	$(if $(filter %-remote-secret %-config-secret,$1), \
	  echo "+ $(MESH_SECRET) remote -f $(OUT)/mesh.yaml --step $(call _f,$(firstword $(call _rows_of,$1)),2) --dir $(OUT) $(SECRETFLAGS)"; \
	  $(MESH_SECRET) remote -f '$(OUT)/mesh.yaml' --step $(call _f,$(firstword $(call _rows_of,$1)),2) --dir '$(OUT)' $(SECRETFLAGS), \
	  $(foreach r,$(call _rows_of,$1),$(if $(filter -,$(call _f,$r,7)),, \
	    echo "+ $(MESH_WAIT) $(WAITFLAGS) --for address -o value -f $(OUT)/$(call _f,$r,7)/*-eastwest-gateway.istioctl.yaml"; \
	    a=$$$$($(MESH_WAIT) $(WAITFLAGS) --for address -o value -f '$(OUT)/$(call _f,$r,7)/'*-eastwest-gateway.istioctl.yaml); \
	    echo "$(call _f,$r,3): discoveryAddress $$$$a from the east-west gateway of $(call _f,$r,7)"; \
	    $(MESH_OVERLAY) -s "spec.clusters.[name:$(call _f,$r,3)].discoveryAddress=$$$$a" '$(OUT)/mesh.yaml' > '$(OUT)/.mesh.yaml.tmp'; \
	    mv '$(OUT)/.mesh.yaml.tmp' '$(OUT)/mesh.yaml';)) \
	  echo "+ $(MESH_RENDER) -f $(OUT)/mesh.yaml --step control-plane --dir $(OUT)"; \
	  $(MESH_RENDER) -f '$(OUT)/mesh.yaml' $(MESHFLAGS) $(RENDERFLAGS) --step control-plane --dir '$(OUT)')
.PHONY: gen/$1
endef

# The files of step $1 for consumer $2 in the clusters that take it.
_files_of = $(strip $(wildcard $(foreach r,$(call _rows_of,$1),$(OUT)/$(call _f,$r,3)/$1.$2.yaml)))

# The barrier of the step before $1; plan before the first.
_barrier_before = $(if $(word 2,$(call _upto,$1)),install/$(word $(words $(call _upto,$1)),x $(call _upto,$1)),plan)
# The steps up to and including $1.
_upto = $(call _upto_r,$1,$(_steps))
_upto_r = $(if $2,$(firstword $2) $(if $(filter $1,$(firstword $2)),,$(call _upto_r,$1,$(wordlist 2,$(words $2),$2))))

$(foreach s,$(_steps),$(eval $(call _step_rule,$s)))
$(foreach r,$(_rows),$(eval $(call _cluster_rule,$r)))
$(foreach s,$(sort $(foreach r,$(_rows),$(if $(filter install,$(call _f,$r,6)),$(call _f,$r,1)-$(call _f,$r,2)))),$(eval $(call _gen_rule,$s)))

install: $(if $(_steps),install/$(lastword $(_steps)),plan)
	@echo '== installed: $(MESH) ($(words $(_steps)) steps)'

# ---- wait, verify, clean -------------------------------------------------

# what the plan installs with istioctl, in the clusters of the description
_istioctl_files = $(strip $(foreach s,$(_steps),$(call _files_of,$s,istioctl)))
_gateway_files = $(strip $(foreach s,$(filter %-gateway,$(_steps)),$(call _files_of,$s,istioctl)))
# the Secrets of the plan: every cluster's part of a secret step
_secret_rows = $(foreach r,$(_rows),$(if $(filter cacerts %-secret,$(call _f,$r,2)),$r))

# after install when both are asked for, even under -j
wait verify: $(filter install,$(MAKECMDGOALS))

wait:
	$(if $(_istioctl_files),,@echo 'nothing installed in $(OUT): run install' >&2; exit 1)
	$(MESH_WAIT) $(WAITFLAGS) $(addprefix -f ,$(_istioctl_files))

verify:
	$(if $(_istioctl_files),,@echo 'nothing installed in $(OUT): run install' >&2; exit 1)
	$(MESH_WAIT) --timeout 0 $(addprefix -f ,$(_istioctl_files))
	$(if $(_gateway_files),$(MESH_WAIT) --timeout 0 --for address $(addprefix -f ,$(_gateway_files)))
	@set -e; for r in $(foreach r,$(_secret_rows),$(call _f,$r,3)/$(call _f,$r,1)-$(call _f,$r,2)); do \
	  f='$(OUT)/'$$r.kubectl.yaml; \
	  case $$r in *-tls-secret) [ -e "$$f" ] || continue;; esac; \
	  if [ ! -e "$$f" ]; then echo "$$r: no Secret in $(OUT): run install" >&2; exit 1; fi; \
	  echo "+ $(MESH_WAIT) --timeout 0 --for exists -f $$f"; \
	  $(MESH_WAIT) --timeout 0 --for exists -f "$$f"; \
	done
	@echo '== verified: $(MESH)'

clean:
	rm -rf '$(OUT)'

#!/usr/bin/env bash
# Builds (or reuses) every pinned tool the deploy rehearsal runs, from the Go module proxy, into a
# cache outside the checkout: ${METAFLOW_REHEARSAL_CACHE:-$HOME/.cache/metaflow-gcp-rehearsal}.
# Each tool is one wrapper module under rehearsal/tools/<tool>/ (go.mod + go.sum: requires and
# replaces, no upstream source). A build is keyed by the Go version, the wrapper's go.mod/go.sum and
# this recipe, so a pinned-version change rebuilds only that tool and a warm start takes seconds.
#
#   bash rehearsal/tools.sh            build what is missing, print versions and the bin directory
#   bash rehearsal/tools.sh --bin-dir  print the bin directory (fails if a tool is missing)
#   bash rehearsal/tools.sh kwok helm  only those tools
#
# Per-tool CPU time, wall time and peak memory of a cold build are logged (GNU time -v) under
# $CACHE/logs/ and summarised in $CACHE/logs/cold-builds.tsv.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WRAPPERS="$HERE/tools"
CACHE="${METAFLOW_REHEARSAL_CACHE:-$HOME/.cache/metaflow-gcp-rehearsal}"
RECIPE=3 # bump when the build commands below change

# name|packages (space separated)|-X flags (space separated)|version command
TOOLS=(
  "etcd|go.etcd.io/etcd/server/v3||etcd --version"
  "kubernetes|k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl|k8s.io/component-base/version.gitVersion=v1.37.2 k8s.io/component-base/version.gitMajor=1 k8s.io/component-base/version.gitMinor=37 k8s.io/component-base/version.gitTreeState=clean k8s.io/client-go/pkg/version.gitVersion=v1.37.2 k8s.io/client-go/pkg/version.gitMajor=1 k8s.io/client-go/pkg/version.gitMinor=37|kube-apiserver --version"
  "kwok|sigs.k8s.io/kwok/cmd/kwok||kwok --version"
  "helm|helm.sh/helm/v3/cmd/helm|helm.sh/helm/v3/internal/version.version=v3.19.5 helm.sh/helm/v3/internal/version.gitTreeState=clean|helm version --short"
  "pulumi|github.com/pulumi/pulumi/pkg/v3/cmd/pulumi|github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0|pulumi version"
  "pulumi-kubernetes|github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes|github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.0.0-20260115033456-f47bc2d6f199|"
  "argo-workflows|github.com/argoproj/argo-workflows/v3/cmd/workflow-controller|github.com/argoproj/argo-workflows/v3.version=v3.7.6 github.com/argoproj/argo-workflows/v3.gitTreeState=clean|workflow-controller version"
  "argo-events|github.com/argoproj/argo-events/cmd|github.com/argoproj/argo-events.version=v1.9.10 github.com/argoproj/argo-events.gitTreeState=clean|argo-events version"
  "kueue|sigs.k8s.io/kueue/cmd/kueue|sigs.k8s.io/kueue/pkg/version.GitVersion=v0.19.2|"
)
K8S_PROVIDER_MODULE="github.com/pulumi/pulumi-kubernetes/provider/v4"
K8S_PROVIDER_VERSION="v4.0.0-20260115033456-f47bc2d6f199"

die() { echo "rehearsal/tools.sh: $*" >&2; exit 1; }

export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="-modcacherw -buildvcs=false -trimpath"
command -v go >/dev/null || die "go is not on PATH (the rehearsal builds its tools with the Go toolchain; install Go >= 1.26)"
GOVERSION="$(go env GOVERSION)"
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""

# The key of one tool's build: Go version, recipe, the tool's line above, its wrapper go.mod and go.sum.
tool_key() {
  local name="$1" line="$2"
  { echo "$GOVERSION $RECIPE $line"; cat "$WRAPPERS/$name/go.mod" "$WRAPPERS/$name/go.sum"; } | sha256sum | cut -c1-12
}

# The Kubernetes provider's module zip has no schema-embed.json/terraform-mapping-embed.json (go:generate
# output, not committed upstream). Copy the module into the cache and run its own generator there;
# the build then replaces the module with that copy.
k8s_provider_source() {
  local work="$1" src="$CACHE/src/pulumi-kubernetes-provider-$K8S_PROVIDER_VERSION"
  if [ ! -f "$src/cmd/pulumi-resource-kubernetes/schema-embed.json" ]; then
    local dir
    dir="$(cd "$work" && go mod download -json "$K8S_PROVIDER_MODULE@$K8S_PROVIDER_VERSION" 2>>"$work/download.log" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    [ -d "$dir" ] || die "pulumi-kubernetes: go mod download $K8S_PROVIDER_MODULE@$K8S_PROVIDER_VERSION gave no directory"
    rm -rf "$src.tmp" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src.tmp" && chmod -R u+w "$src.tmp"
    (cd "$work" && go build -o "$work/generate" "$src.tmp/cmd/pulumi-resource-kubernetes/generate.go") >>"$work/download.log" 2>&1 \
      || die "pulumi-kubernetes: building the module's generator (cmd/pulumi-resource-kubernetes/generate.go) failed: $(tail -n 5 "$work/download.log")"
    (cd "$src.tmp/cmd/pulumi-resource-kubernetes" && VERSION="${K8S_PROVIDER_VERSION#v}" "$work/generate") \
      || die "pulumi-kubernetes: the module's generator failed"
    rm -rf "$src" && mv "$src.tmp" "$src"
  fi
  (cd "$work" && go mod edit -replace "$K8S_PROVIDER_MODULE=$src")
}

build_tool() {
  local name="$1" pkgs="$2" xflags="$3" out="$4" log="$5"
  local work="$CACHE/work/$name" ldflags="-s -w" x
  for x in $xflags; do ldflags="$ldflags -X $x"; done
  rm -rf "$work" && mkdir -p "$work" "$out.tmp"
  cp "$WRAPPERS/$name/go.mod" "$WRAPPERS/$name/go.sum" "$work/"
  [ "$name" = pulumi-kubernetes ] && k8s_provider_source "$work"
  # shellcheck disable=SC2086 # pkgs is a list
  (cd "$work" && nice -n "${REHEARSAL_NICE:-0}" ${TIME:+$TIME -v -o "$log.time"} go build -ldflags "$ldflags" -o "$out.tmp/" $pkgs) >"$log" 2>&1
  # go names a binary after its package path: go.etcd.io/etcd/server/v3 -> server, argo-events/cmd -> cmd.
  case "$name" in
    etcd) mv "$out.tmp/server" "$out.tmp/etcd" ;;
    argo-events) mv "$out.tmp/cmd" "$out.tmp/argo-events" ;;
  esac
}

report_time() {
  local name="$1" log="$2" cpu wall rss
  [ -f "$log.time" ] || return 0
  cpu="$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.0f", u+s}' "$log.time")"
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log.time")"
  rss="$(awk -F': ' '/Maximum resident/{printf "%.1f", $2/1048576}' "$log.time")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$cpu" "$wall" "$rss" "$(date -u +%FT%TZ)" >>"$CACHE/logs/cold-builds.tsv"
  echo "  built $name: ${cpu} CPU-s, wall $wall, peak ${rss} GB"
}

main() {
  local only=() bin_dir_only=false
  for a in "$@"; do
    case "$a" in
      --bin-dir) bin_dir_only=true ;;
      -*) die "unknown option $a" ;;
      *) only+=("$a") ;;
    esac
  done
  mkdir -p "$CACHE/logs" "$CACHE/bin"
  local bin="$CACHE/bin/active" line name pkgs xflags vcmd key out log missing=() built=false
  rm -rf "$bin.new" && mkdir -p "$bin.new"
  for line in "${TOOLS[@]}"; do
    IFS='|' read -r name pkgs xflags vcmd <<<"$line"
    key="$(tool_key "$name" "$line")"
    out="$CACHE/bin/$name-$key"
    if [ ! -f "$out/.complete" ] && ! $bin_dir_only && { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $name "* ]]; }; then
      log="$CACHE/logs/$name-$key.log"
      echo "building $name (log: $log)"
      if ! build_tool "$name" "$pkgs" "$xflags" "$out" "$log"; then
        echo "rehearsal/tools.sh: building $name failed; the end of its log ($log):" >&2
        grep -v '^go: downloading' "$log" | tail -n 25 >&2
        exit 1
      fi
      report_time "$name" "$log"
      rm -rf "$out" && mv "$out.tmp" "$out" && touch "$out/.complete"
      built=true
    fi
    if [ -f "$out/.complete" ]; then ln -sf "$out"/* "$bin.new/"; else missing+=("$name"); fi
  done
  rm -rf "$bin" && mv "$bin.new" "$bin"
  if $bin_dir_only; then
    [ ${#missing[@]} -eq 0 ] || die "not built yet: ${missing[*]} (run: bash rehearsal/tools.sh)"
    echo "$bin"; return
  fi
  # The Go build cache is only needed to rebuild; it grows to several GB. Drop it once everything is built.
  if $built && [ ${#missing[@]} -eq 0 ] && [ "${REHEARSAL_KEEP_GO_BUILD_CACHE:-}" = "" ]; then go clean -cache; fi
  echo "versions:"
  for line in "${TOOLS[@]}"; do
    IFS='|' read -r name pkgs xflags vcmd <<<"$line"
    if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then continue; fi
    # The binary's own word where it prints a version, else the version linked into it.
    out=""
    if [ -n "$vcmd" ]; then out="$(PATH="$bin:$PATH" $vcmd 2>&1 | grep -m1 -E 'v?[0-9]+\.[0-9]+\.[0-9]+' || true)"; fi
    [ -n "$out" ] || out="$(echo "$xflags" | tr ' ' '\n' | grep -i -m1 'version=' | sed 's/.*=//')"
    printf '  %-18s %s\n' "$name" "$out"
  done
  echo "bin: $bin"
}

main "$@"

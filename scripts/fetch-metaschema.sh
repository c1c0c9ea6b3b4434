#!/usr/bin/env bash
# Pulumi's package metaschema (pkg/codegen/schema/pulumi.json), which tests/componentPackage.test.ts
# validates our component package schema against. It is taken from the Go module of the same
# Pulumi release as our @pulumi/pulumi (github.com/pulumi/pulumi/pkg/v3 at that version, served
# by the Go module proxy, the same way `go mod download` gets it), checked against a pinned
# SHA-256, and cached under node_modules/.cache. `npm test` runs this first; it downloads once
# (about 15 MB) and is a no-op afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("@pulumi/pulumi/package.json").version')
# sha256 of codegen/schema/pulumi.json in github.com/pulumi/pulumi/pkg/v3@v3.248.0.
expected_sha256=45c9aa5144ef1c1ef1ce3515a6d379d288558d36d189435dfa32a246b9d3ad4b
pinned=3.248.0
out=node_modules/.cache/metaflow-gcp/pulumi-package-metaschema-$version.json
if [ "$version" != "$pinned" ]; then
    echo "fetch-metaschema: @pulumi/pulumi is $version but this script pins the metaschema of $pinned; update both together" >&2
    exit 1
fi
[ -s "$out" ] && exit 0

proxy=${GOPROXY:-https://proxy.golang.org}
proxy=${proxy%%,*}
[ "$proxy" = "direct" ] || [ "$proxy" = "off" ] && proxy=https://proxy.golang.org
url="$proxy/github.com/pulumi/pulumi/pkg/v3/@v/v$version.zip"
mkdir -p "$(dirname "$out")"
python3 - "$url" "github.com/pulumi/pulumi/pkg/v3@v$version/codegen/schema/pulumi.json" "$expected_sha256" "$out" <<'PY'
import hashlib, io, sys, urllib.request, zipfile
url, member, expected, out = sys.argv[1:]
try:
    with urllib.request.urlopen(url, timeout=120) as response:
        archive = response.read()
except OSError as error:
    sys.exit(f"fetch-metaschema: could not download {url}: {error} (the Go module proxy must be reachable; set GOPROXY to a mirror)")
data = zipfile.ZipFile(io.BytesIO(archive)).read(member)
actual = hashlib.sha256(data).hexdigest()
if actual != expected:
    sys.exit(f"fetch-metaschema: {member} has sha256 {actual}, expected {expected}; refusing it")
with open(out, "wb") as f:
    f.write(data)
PY

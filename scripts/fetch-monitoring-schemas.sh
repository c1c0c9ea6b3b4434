#!/usr/bin/env bash
# The Cloud Monitoring API's published discovery documents (monitoring v1: dashboards; v3: alert
# policies, notification channels), which tests/monitoring.test.ts validates our dashboard and
# alert bodies against. They are taken from the Go module google.golang.org/api at a pinned
# version (served by the Go module proxy, the same way `go mod download` gets it), each file
# checked against a pinned SHA-256, and cached under node_modules/.cache. The module zip is 53 MB;
# the proxy answers HTTP range requests, so only the zip's directory and the two files are read
# (about 600 KB, a handful of requests). `npm test` runs this first; it is a no-op once cached.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v0.316.0
out=node_modules/.cache/metaflow-gcp/monitoring-discovery-$version
# sha256 of monitoring/{v1,v3}/monitoring-api.json in google.golang.org/api@v0.316.0.
v1_sha256=0a032c89cacbd1d90e27f562313bfdb7f709a227064052f4caff8ea7a51a5b1c
v3_sha256=fd24b71316e15d0aed479a873bdc229d03fea212f2a97736c6bb09208766183d
[ -s "$out/v1.json" ] && [ -s "$out/v3.json" ] && exit 0

proxy=${GOPROXY:-https://proxy.golang.org}
proxy=${proxy%%,*}
[ "$proxy" = "direct" ] || [ "$proxy" = "off" ] && proxy=https://proxy.golang.org
url="$proxy/google.golang.org/api/@v/$version.zip"
mkdir -p "$out"
python3 - "$url" "google.golang.org/api@$version/monitoring" "$out" "$v1_sha256" "$v3_sha256" <<'PY'
import hashlib, io, sys, urllib.request, zipfile

url, prefix, out, v1_sha, v3_sha = sys.argv[1:]


class RangeReader(io.RawIOBase):
    """A read-only file over HTTP range requests, so zipfile reads only what it needs."""

    def __init__(self, url):
        self.url, self.pos = url, 0
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=60) as r:
            self.size = int(r.headers["Content-Length"])

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.pos)
        if n <= 0:
            return 0
        headers = {"Range": f"bytes={self.pos}-{self.pos + n - 1}"}
        with urllib.request.urlopen(urllib.request.Request(self.url, headers=headers), timeout=60) as r:
            if r.status != 206:
                sys.exit(f"fetch-monitoring-schemas: {self.url} ignored the range request (HTTP {r.status})")
            data = r.read()
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


try:
    archive = zipfile.ZipFile(io.BufferedReader(RangeReader(url), buffer_size=1 << 16))
    files = {name: archive.read(f"{prefix}/{name}/monitoring-api.json") for name in ("v1", "v3")}
except OSError as error:
    sys.exit(f"fetch-monitoring-schemas: could not read {url}: {error} (the Go module proxy must be reachable; set GOPROXY to a mirror)")
for name, expected in (("v1", v1_sha), ("v3", v3_sha)):
    actual = hashlib.sha256(files[name]).hexdigest()
    if actual != expected:
        sys.exit(f"fetch-monitoring-schemas: monitoring/{name}/monitoring-api.json has sha256 {actual}, expected {expected}; refusing it")
for name, data in files.items():
    with open(f"{out}/{name}.json", "wb") as f:
        f.write(data)
PY

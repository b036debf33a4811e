#!/bin/sh
set -eu
lock="$BUILDKIT_SCAN_SOURCE/app/Cargo.lock"
packages="$(awk -F'"' '
  /^\[\[package\]\]/ { name = ""; next }
  /^name = / { name = $2; next }
  /^version = / && name != "" {
    printf "%s{\"SPDXID\":\"SPDXRef-Package-%d\",\"name\":\"%s\",\"versionInfo\":\"%s\",\"downloadLocation\":\"NOASSERTION\",\"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\",\"referenceLocator\":\"pkg:cargo/%s@%s\"}]}", sep, ++n, name, $2, name, $2
    sep = ","; name = ""
  }' "$lock" 2>/dev/null || true)"
cat > "$BUILDKIT_SCAN_DESTINATION/$(basename "$BUILDKIT_SCAN_SOURCE").spdx.json" <<JSON
{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"crossbake-test-scan","documentNamespace":"https://crossbake.invalid/test-scan","creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: crossbake-test-scan"]},"packages":[$packages]}}
JSON

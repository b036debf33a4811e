digest="$(jq -r --arg target "$TARGET" '.[$target]["containerimage.digest"] // empty' <<<"$METADATA")"
if [ -z "$digest" ]; then
  echo "::error::buildx reported no image digest for $TARGET"
  exit 1
fi
mkdir -p "$RUNNER_TEMP/digests"
touch "$RUNNER_TEMP/digests/${digest#sha256:}"

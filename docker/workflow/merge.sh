mapfile -t tags < <(jq -r '.tags[] | "--tag=" + .' <<<"$DOCKER_METADATA_OUTPUT_JSON")
sources=()
for digest in *; do
  sources+=("$IMAGE@sha256:$digest")
done
if [ "${#sources[@]}" -ne "$PLATFORM_COUNT" ]; then
  echo "::error::expected $PLATFORM_COUNT platform digests for $IMAGE, found ${#sources[@]}"
  exit 1
fi
docker buildx imagetools create "${tags[@]}" "${sources[@]}"

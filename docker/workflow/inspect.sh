docker buildx imagetools inspect "$IMAGE:$VERSION"

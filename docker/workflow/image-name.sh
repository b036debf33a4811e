echo "name=${IMAGE,,}" >>"$GITHUB_OUTPUT"

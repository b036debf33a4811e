: "${FAILURE_LINE:?the pattern of a failure line, from the workflow}"
log="$RUNNER_TEMP/crossbake-build.log"
if ! docker buildx history logs >"$log" 2>&1; then
  echo "no build log: docker buildx history logs needs buildx 0.23 or later" >>"$log"
fi
hit="$(awk 'match($0, /^#[0-9]+ [0-9.]+ /) { text = substr($0, RLENGTH + 1); if (text ~ ENVIRON["FAILURE_LINE"]) { print $1 "\t" text; exit } }' "$log")"
step="${hit%%$'\t'*}"
line="${hit#*$'\t'}"
platform="${PLATFORM:-}"
if [ -z "$platform" ] && [ -n "$step" ]; then
  vertex="$(awk -v s="$step" '$1 == s && $2 ~ /^\[linux\// { print substr($2, 2); exit }' "$log")"
  case "$vertex" in
    *'->'*) arch="${vertex#*->}"; platform="linux/${arch#linux/}" ;;
    *) platform="$vertex" ;;
  esac
fi
{
  echo "### crossbake: $TARGET failed${platform:+ on $platform}"
  echo
  if [ -n "$line" ]; then
    echo '~~~text'
    awk -v s="$step" '$1 == s && match($0, /^#[0-9]+ [0-9.]+ /) { text = substr($0, RLENGTH + 1); if (found || text ~ ENVIRON["FAILURE_LINE"]) { found = 1; print text; if (++n == 30) exit } }' "$log"
    echo '~~~'
  else
    echo "No compiler error line in the build log; see the log of the build step."
  fi
} >>"$GITHUB_STEP_SUMMARY"
message="$TARGET${platform:+ ($platform)}: ${line:-the build failed; see the log of the build step}"
echo "::error title=crossbake build failed::${message//'%'/'%25'}"

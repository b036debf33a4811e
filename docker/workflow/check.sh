status=0
for file in docker-bake.hcl Dockerfile ${PLANNER:+"$PLANNER"}; do
  if [ ! -f "$file" ]; then
    echo "::error::$BAKE_DIR/$file is not in the repository: run crossbake generate and commit the files it writes"
    status=1
  fi
done
exit "$status"

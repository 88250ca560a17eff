#!/bin/sh
# Downloads the plan file ($1) that the paiplan-plan job saved for the merge
# request merged by this commit: commit -> merge request -> its latest
# pipeline -> its successful paiplan-plan job -> that job's artefact. Fails
# (exit 1, nothing applied) when any of them is missing. Needs curl, jq and
# unzip, and PAIPLAN_GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID, CI_COMMIT_SHA.
set -eu
out=$1
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID"
get() { curl -fsS --header "PRIVATE-TOKEN: $PAIPLAN_GITLAB_TOKEN" "$api/$1"; }
mr=$(get "repository/commits/$CI_COMMIT_SHA/merge_requests" | jq -r '[.[] | select(.state == "merged")][0].iid // empty')
if [ -z "$mr" ]; then
  echo "error: commit $CI_COMMIT_SHA merged no merge request: there is no reviewed plan to apply" >&2
  exit 1
fi
pipeline=$(get "merge_requests/$mr/pipelines" | jq -r '.[0].id // empty')
if [ -z "$pipeline" ]; then
  echo "error: merge request !$mr has no pipeline: there is no reviewed plan to apply" >&2
  exit 1
fi
job=$(get "pipelines/$pipeline/jobs?scope[]=success" | jq -r '[.[] | select(.name == "paiplan-plan")][0].id // empty')
if [ -z "$job" ]; then
  echo "error: the last pipeline ($pipeline) of merge request !$mr has no successful paiplan-plan job: plan it again" >&2
  exit 1
fi
curl -fsS --header "PRIVATE-TOKEN: $PAIPLAN_GITLAB_TOKEN" -o artefacts.zip "$api/jobs/$job/artifacts"
unzip -o -q artefacts.zip pr.plan
rm -f artefacts.zip
[ "$out" = pr.plan ] || mv pr.plan "$out"
echo "reviewed plan of merge request !$mr (job $job) saved to $out"

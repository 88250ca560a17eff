#!/bin/sh
# Posts the Markdown plan ($1) as one note on the merge request of this
# pipeline, or updates the note an earlier pipeline posted (found by its
# first line, a marker). Needs curl and jq, and in the environment
# PAIPLAN_GITLAB_TOKEN (api scope) plus GitLab's CI_API_V4_URL,
# CI_PROJECT_ID, CI_MERGE_REQUEST_IID and CI_COMMIT_SHA.
set -eu
marker='<!-- paiplan-plan -->'
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
body=$(printf '%s\n' "$marker"; cat "$1"; printf '\n_Artefacts of job %s (commit %s) hold the HTML page and the saved plan._\n' "${CI_JOB_ID:-?}" "$CI_COMMIT_SHA")
payload=$(jq -n --arg body "$body" '{body: $body}')
note=$(curl -fsS --header "PRIVATE-TOKEN: $PAIPLAN_GITLAB_TOKEN" "$api?per_page=100&sort=asc" |
  jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')
if [ -n "$note" ]; then
  curl -fsS -X PUT --header "PRIVATE-TOKEN: $PAIPLAN_GITLAB_TOKEN" --header 'Content-Type: application/json' \
    --data "$payload" "$api/$note" > /dev/null
else
  curl -fsS -X POST --header "PRIVATE-TOKEN: $PAIPLAN_GITLAB_TOKEN" --header 'Content-Type: application/json' \
    --data "$payload" "$api" > /dev/null
fi

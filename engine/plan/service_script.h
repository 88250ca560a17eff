// How a service's scripts run (docs/workspace.md, "Services"): /bin/bash in the service's
// rendered working copy under .paiplan/rendered/, with PAIPLAN_SERVICE,
// PAIPLAN_WORKSPACE, PAIPLAN_ACTION and KUBECONFIG, under the service's
// script timeout. Shared by the lifecycle scripts and the status probe.
//
// Thread-safety: the functions keep no state; ProbeServiceStatus may run
// concurrently for different services.
#pragma once

#include <string>

#include "engine/plan/env.h"
#include "providers/script/process.h"

namespace paiplan::plan {

// <workspace>/.paiplan/rendered/<name>
std::string ServiceWorkdir(const Env& env, const std::string& name);

// paiplan.yaml scripts.timeouts[<name>], else scripts.timeout (seconds).
double ServiceScriptTimeout(const config::Settings& settings, const std::string& name);

// The request that runs `script` (relative to the working copy) as the
// service's `action` ("start", "refresh", "status", ...); no output callback.
script::ProcessRequest ServiceScriptRequest(const Env& env, const std::string& name, const std::string& action,
                                            const std::string& script);

// Runs the status-script `script` of a started service and reports what it
// saw: exit 0 → observed, no difference; non-zero exit, timeout or a missing
// working copy → observed with attributes.status = {exit, message}, which the
// service handler reports as drift; a probe that cannot be started at all →
// not observed (error). Output goes to <workspace>/.paiplan/status/<name>.log
// (rewritten each run, secrets masked).
Observation ProbeServiceStatus(const Env& env, const std::string& name, const std::string& script);

// "; last output:\n<tail>" for a failure message, or "; it printed nothing"
// when `tail` is empty or only whitespace. Never fails.
std::string LastOutputText(const std::string& tail);

}  // namespace paiplan::plan

// The five resource handlers (docs/workspace.md, "Resources"), built over the Env's
// interfaces. MakeHandlers is the only constructor the CLI needs.
#pragma once

#include "engine/plan/env.h"
#include "engine/plan/planner.h"

namespace paiplan::plan {

// One handler per kind. `env` must outlive them.
Handlers MakeHandlers(const Env& env);

std::unique_ptr<ResourceHandler> MakeNodeHandler(const Env& env);
std::unique_ptr<ResourceHandler> MakeLabelHandler(const Env& env);
std::unique_ptr<ResourceHandler> MakeConfigHandler(const Env& env);
std::unique_ptr<ResourceHandler> MakeRenderHandler(const Env& env);
std::unique_ptr<ResourceHandler> MakeServiceHandler(const Env& env);
std::unique_ptr<ResourceHandler> MakeObjectHandler(const Env& env);

// "reason" text for a generic attribute change: "role changed: worker → master; ...".
std::string SummarizeChange(const ojson& before, const ojson& after, size_t max_items = 3);

// The differences' messages joined by `sep`.
std::string JoinMessages(const std::vector<Difference>& diffs, const std::string& sep);

// Runs `fn(i)` for i in [0, n) on up to `threads` threads.
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn);

}  // namespace paiplan::plan

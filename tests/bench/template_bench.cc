// Render throughput of our Jinja2 renderer over the conformance corpus:
// each case is parsed once and rendered REPS times (cases that fail are
// skipped, as the Python side does). Prints one JSON line.
// Usage: template_bench CORPUS_DIR REPS [NAME_PREFIX]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "providers/template/jinja.h"
#include "tests/template/corpus_loader.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR REPS [NAME_PREFIX]\n", argv[0]);
    return 2;
  }
  int reps = std::atoi(argv[2]);
  auto cases = paiplan::tmpl::testing::LoadCorpus(argv[1]);
  struct Ready {
    paiplan::tmpl::Template t;
    const nlohmann::ordered_json* ctx;
  };
  std::vector<Ready> ready;
  std::string prefix = argc == 4 ? argv[3] : "";
  for (const auto& c : cases) {
    if (!c.name.starts_with(prefix)) continue;
    auto t = paiplan::tmpl::Template::Parse(c.text, c.name);
    if (!t || !t->Render(c.context)) continue;
    ready.push_back({std::move(*t), &c.context});
  }
  size_t bytes = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto& r : ready) {
    for (int i = 0; i < reps; ++i) bytes += r.t.Render(*r.ctx)->size();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"renders\": %zu, \"cases\": %zu, \"seconds\": %.6f, \"bytes\": %zu}\n", ready.size() * reps,
              ready.size(), seconds, bytes);
  return 0;
}

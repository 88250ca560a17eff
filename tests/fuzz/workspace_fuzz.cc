// Fuzz target: a whole workspace through LoadWorkspace (YAML loader, JSON
// Schemas, semantic checks, cluster_cfg). The input is up to four files
// separated by NUL bytes: layout.yaml, services-configuration.yaml,
// paiplan.yaml and the service.yaml of one workspace service `s`. Files are
// written to a private temporary directory; the built-in catalogue is not
// used (builtin_dir points at an empty directory) so each run stays small.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostics.h"
#include "engine/config/workspace.h"

namespace {

const std::string& Dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/paiplan-workspace-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) abort();
    std::filesystem::create_directories(std::string(tmpl) + "/ws/services/s/deploy");
    std::filesystem::create_directories(std::string(tmpl) + "/builtin");
    return std::string(tmpl);
  }();
  return dir;
}

void Write(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::vector<std::string_view> SplitNul(std::string_view all, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    size_t nul = all.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(all.substr(0, nul));
    all.remove_prefix(nul + 1);
  }
  out.push_back(all);
  out.resize(parts);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto files = SplitNul(std::string_view(reinterpret_cast<const char*>(data), size), 4);
  const std::string ws = Dir() + "/ws";
  Write(ws + "/layout.yaml", files[0]);
  Write(ws + "/services-configuration.yaml", files[1]);
  Write(ws + "/paiplan.yaml", files[2]);
  Write(ws + "/services/s/deploy/service.yaml", files[3]);
  paiplan::config::LoadOptions opt;
  opt.builtin_dir = Dir() + "/builtin";
  opt.allow_missing = true;
  paiplan::Diagnostics diags;
  auto w = paiplan::config::LoadWorkspace(ws, opt, &diags);
  (void)w;
  return 0;
}

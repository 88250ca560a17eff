// Fuzz target: the kubeconfig reader. LoadKubeConfig reads files, so each
// input is written to one file in a private temporary directory first; file
// references inside the input (certificate-authority, tokenFile) resolve
// relative to it and mostly do not exist, which must be an error, not a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "providers/kubernetes/kubeconfig.h"

namespace {

const std::string& Dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/paiplan-kubeconfig-fuzz-XXXXXX";
    if (!mkdtemp(tmpl)) abort();
    return std::string(tmpl);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = Dir() + "/config";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  paiplan::kube::KubeConfigOptions opt;
  opt.paths = {path};
  opt.kubeconfig_env = "";
  opt.home = Dir();
  auto cfg = paiplan::kube::LoadKubeConfig(opt);
  (void)cfg;
  return 0;
}

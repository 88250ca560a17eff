#include "engine/config/home.h"

#include <unistd.h>

#include <cstdlib>

#include "engine/base/fs.h"

namespace paiplan::config {
namespace {

std::string ExecutableDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  return fs::Dirname(std::string(buf, static_cast<size_t>(n)));
}

}  // namespace

std::string PaiplanHome() {
  const char* home = std::getenv("PAIPLAN_HOME");
  if (home && *home) return home;
  std::string exe = ExecutableDir();
  std::string installed = fs::Absolute(fs::Join(exe, "../share/paiplan"));
  for (const std::string& dir : {installed, fs::Join(exe, "share/paiplan")}) {
    if (fs::IsDirectory(fs::Join(dir, "services"))) return dir;
  }
  return installed;
}

std::string PaiplanHomeSource() {
  const char* home = std::getenv("PAIPLAN_HOME");
  return home && *home ? "PAIPLAN_HOME" : "the binary's location";
}

}  // namespace paiplan::config

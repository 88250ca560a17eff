#include "tests/kube/kube_server_fixture.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "engine/base/fs.h"

#ifndef PAIPLAN_TEST_DIR
#error "PAIPLAN_TEST_DIR must name the tests/ source directory"
#endif

namespace paiplan::kube::testing {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

size_t Append(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

Result<std::string> PlainHttp(const std::string& method, const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return Err(Status::Unavailable(url + ": " + curl_easy_strerror(rc)));
  if (status != 200) return Err(Status::Internal(url + ": HTTP " + std::to_string(status) + " " + body));
  return body;
}

}  // namespace

std::string KubeTestServer::ScriptPath() { return std::string(PAIPLAN_TEST_DIR) + "/kube/serve"; }

Status KubeTestServer::Start(const std::string& dir, const std::vector<std::string>& nodes,
                             const std::vector<std::string>& extra_args) {
  if (pid_ > 0) return Status::FailedPrecondition("test server already running");
  dir_ = dir;
  PP_RETURN_IF_ERROR(fs::MakeDirs(dir));
  (void)fs::RemoveAll(kubeconfig_path());
  std::string node_list;
  for (const auto& n : nodes) node_list += (node_list.empty() ? "" : ",") + n;
  std::vector<std::string> args = {ScriptPath(), "--dir", dir, "--nodes", node_list};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const std::string log = dir + "/serve.out";

  pid_t pid = fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    std::perror("execv tests/kube/serve");
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::Exists(kubeconfig_path())) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      auto out = fs::ReadFile(log);
      return Status::Unavailable("tests/kube/serve exited before it was ready: " +
                                 (out ? *out : std::string("(no output)")));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Stop();
      return Status::Timeout("tests/kube/serve did not write " + kubeconfig_path() + " in 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto url = fs::ReadFile(dir + "/server-url");
  auto token = fs::ReadFile(dir + "/token");
  auto admin = fs::ReadFile(dir + "/admin-url");
  if (!url || !token || !admin) return Status::IOError("test server files missing in " + dir);
  server_url_ = Trim(*url);
  token_ = Trim(*token);
  admin_url_ = Trim(*admin);
  return Status::Ok();
}

void KubeTestServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int wstatus = 0;
  while (waitpid(pid_, &wstatus, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &wstatus, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

Result<nlohmann::json> KubeTestServer::AdminGet(const std::string& path) const {
  PP_ASSIGN_OR_RETURN(std::string body, PlainHttp("GET", admin_url_ + path));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return Err(Status::Corruption("admin answer is not JSON: " + body));
  return j;
}

Status KubeTestServer::AdminPost(const std::string& path) const {
  auto r = PlainHttp("POST", admin_url_ + path);
  return r ? Status::Ok() : r.error();
}

std::string MakeTempDir(const std::string& tag) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/paiplan-" + tag + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return mkdtemp(buf.data()) ? std::string(buf.data()) : std::string();
}

std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, "popen failed"};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace paiplan::kube::testing

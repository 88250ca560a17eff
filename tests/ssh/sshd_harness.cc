#include "tests/ssh/sshd_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include <chrono>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "engine/base/fs.h"

namespace paiplan::testing {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

// argv as the char* array execv wants; built before fork.
std::vector<char*> CArgv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (auto& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

std::string Tail(const std::string& path, size_t bytes = 2000) {
  auto content = fs::ReadFileIfExists(path);
  if (!content || !*content) return "";
  const std::string& c = **content;
  return c.size() > bytes ? c.substr(c.size() - bytes) : c;
}

bool PortFree(const std::string& ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// True once ip:port answers with an SSH banner.
bool HasBanner(const std::string& ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    char buf[8] = {};
    ok = recv(fd, buf, 4, MSG_WAITALL) == 4 && std::memcmp(buf, "SSH-", 4) == 0;
  }
  close(fd);
  return ok;
}

// Direct children of every process, from /proc/*/stat.
std::vector<pid_t> Descendants(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  auto entries = fs::ListDir("/proc");
  if (!entries) return {};
  for (const auto& e : *entries) {
    if (e.empty() || !std::isdigit(static_cast<unsigned char>(e[0]))) continue;
    auto stat = fs::ReadFile("/proc/" + e + "/stat");
    if (!stat) continue;
    size_t rp = stat->rfind(')');
    if (rp == std::string::npos) continue;
    int ppid = 0;
    char state = 0;
    if (sscanf(stat->c_str() + rp + 1, " %c %d", &state, &ppid) != 2) continue;
    children.emplace(ppid, std::stoi(e));
  }
  std::vector<pid_t> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto [b, e] = children.equal_range(p);
    for (auto it = b; it != e; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

}  // namespace

int RunCommand(const std::vector<std::string>& argv_in, const std::string& log) {
  std::vector<std::string> argv = argv_in;
  std::vector<char*> cargv = CArgv(argv);
  int out = log.empty() ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                        : open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  if (out >= 0) close(out);
  if (pid < 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<pid_t> FindProcessesByCmdline(const std::string& needle) {
  std::vector<pid_t> out;
  auto entries = fs::ListDir("/proc");
  if (!entries) return out;
  for (const auto& e : *entries) {
    if (e.empty() || !std::isdigit(static_cast<unsigned char>(e[0]))) continue;
    pid_t pid = std::stoi(e);
    if (pid == getpid()) continue;
    auto cmd = fs::ReadFile("/proc/" + e + "/cmdline");
    if (!cmd) continue;
    if (cmd->find(needle) != std::string::npos) out.push_back(pid);
  }
  return out;
}

std::string SshdHarness::ip(int i) const { return "127.0.0." + std::to_string(i + 2); }
std::string SshdHarness::node_dir(int i) const { return dir_ + "/node-" + std::to_string(i); }
std::string SshdHarness::var_lib_dir(int i) const { return node_dir(i) + "/varlib"; }
std::string SshdHarness::host_key_pub(int i) const {
  return node_dir(i) + "/ssh_host_ed25519_key.pub";
}
std::string SshdHarness::log_path(int i) const { return node_dir(i) + "/sshd.log"; }

providers::ssh::SshTarget SshdHarness::Target(int i) const {
  providers::ssh::SshTarget t;
  t.host = ip(i);
  t.port = port_;
  t.user = user();
  t.identity_file = client_key_;
  t.known_hosts_file = known_hosts_;
  t.connect_timeout = std::chrono::milliseconds(10000);
  return t;
}

Result<std::unique_ptr<SshdHarness>> SshdHarness::Create(const SshdHarnessOptions& options) {
  if (options.nodes < 1 || options.nodes > 250) {
    return Err(Status::InvalidArgument("SshdHarness: nodes must be 1..250"));
  }
  std::unique_ptr<SshdHarness> h(new SshdHarness());
  PP_RETURN_IF_ERROR_R(h->Prepare(options));
  std::mt19937 rng{std::random_device{}()};
  Status last;
  for (int attempt = 0; attempt < 6; ++attempt) {
    int port = options.port;
    if (port == 0) port = attempt == 0 ? 2222 : 20000 + static_cast<int>(rng() % 30000);
    bool free = true;
    for (int i = 0; i < h->size() && free; ++i) free = PortFree(h->ip(i), port);
    if (!free && options.port == 0) continue;
    h->port_ = port;
    last = h->StartAllOnPort();
    if (last.ok()) return h;
    h->StopAll();
    if (options.port != 0) break;
  }
  return Err(last.ok() ? Status::Unavailable("SshdHarness: no free port found") : last);
}

Status SshdHarness::Prepare(const SshdHarnessOptions& options) {
  own_var_lib_ = options.own_var_lib;
  log_level_ = options.log_level;
  if (options.dir.empty()) {
    char tmpl[] = "/tmp/paiplan-sshd-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return Status::IOError("mkdtemp failed");
    dir_ = tmpl;
    owns_dir_ = true;
  } else {
    dir_ = fs::Absolute(options.dir);
    PP_RETURN_IF_ERROR(fs::MakeDirs(dir_));
  }
  // sshd's privilege-separation directory, and the mount point of the nodes.
  PP_RETURN_IF_ERROR(fs::MakeDirs("/run/sshd", 0755));
  if (own_var_lib_) PP_RETURN_IF_ERROR(fs::MakeDirs("/var/lib/paiplan", 0755));
  PP_RETURN_IF_ERROR(fs::MakeDirs(dir_ + "/client", 0700));
  client_key_ = dir_ + "/client/id_ed25519";
  known_hosts_ = dir_ + "/known_hosts";
  if (!fs::Exists(client_key_) &&
      RunCommand({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "paiplan-test-client", "-f",
                  client_key_}) != 0) {
    return Status::IOError("ssh-keygen failed for " + client_key_);
  }
  PP_ASSIGN_OR_RETURN(std::string pub, fs::ReadFile(client_key_ + ".pub"));
  PP_RETURN_IF_ERROR(fs::WriteFileAtomic(dir_ + "/authorized_keys", pub, 0600));
  if (options.root_password) PP_RETURN_IF_ERROR(WriteShadowCopy(*options.root_password));
  nodes_.resize(options.nodes);
  for (int i = 0; i < options.nodes; ++i) {
    PP_RETURN_IF_ERROR(fs::MakeDirs(var_lib_dir(i)));
    std::string key = node_dir(i) + "/ssh_host_ed25519_key";
    if (!fs::Exists(key) && RunCommand({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                                        "node-" + std::to_string(i), "-f", key}) != 0) {
      return Status::IOError("ssh-keygen failed for " + key);
    }
  }
  return Status::Ok();
}

Status SshdHarness::WriteNodeConfig(int i) {
  std::string nd = node_dir(i);
  std::string cfg =
      "Port " + std::to_string(port_) + "\nListenAddress " + ip(i) +
      "\nAddressFamily inet\nHostKey " + nd + "/ssh_host_ed25519_key\nPidFile " + nd +
      "/sshd.pid\nAuthorizedKeysFile " + dir_ +
      "/authorized_keys\nUsePAM no\nPermitRootLogin yes\nStrictModes no\n"
      "PubkeyAuthentication yes\nPasswordAuthentication " + (shadow_copy_.empty() ? "no" : "yes") +
      "\nKbdInteractiveAuthentication no\n"
      "UseDNS no\nPrintMotd no\nPrintLastLog no\nMaxStartups 200\nMaxSessions 64\n"
      "AllowTcpForwarding yes\nLogLevel " + log_level_ + "\nSubsystem sftp internal-sftp\n";
  return fs::WriteFileAtomic(nd + "/sshd_config", cfg, 0644);
}

Status SshdHarness::WriteKnownHosts() {
  std::string out;
  for (int i = 0; i < size(); ++i) {
    PP_ASSIGN_OR_RETURN(std::string pub, fs::ReadFile(host_key_pub(i)));
    // "ssh-ed25519 AAAA... comment" -> keep type and key only.
    size_t sp1 = pub.find(' ');
    size_t sp2 = pub.find_first_of(" \n", sp1 + 1);
    out += "[" + ip(i) + "]:" + std::to_string(port_) + " " + pub.substr(0, sp2) + "\n";
  }
  return fs::WriteFileAtomic(known_hosts_, out, 0644);
}

Status SshdHarness::StartAllOnPort() {
  PP_RETURN_IF_ERROR(WriteKnownHosts());
  for (int i = 0; i < size(); ++i) PP_RETURN_IF_ERROR(WriteNodeConfig(i));
  for (int i = 0; i < size(); ++i) PP_RETURN_IF_ERROR(Start(i));
  return Status::Ok();
}

std::vector<std::string> SshdHarness::StartArgv(int i) const {
  std::string sshd = std::string(kSshd) + " -D -e -f " +
                     providers::ssh::ShellQuote(node_dir(i) + "/sshd_config");
  // Each mount runs in the namespace unshare made for this node only; `&&`
  // keeps sshd from starting without one.
  std::string mounts;
  if (own_var_lib_) {
    mounts += "mount --bind " + providers::ssh::ShellQuote(var_lib_dir(i)) + " /var/lib/paiplan && ";
  }
  if (!shadow_copy_.empty()) {
    mounts += "mount --bind " + providers::ssh::ShellQuote(shadow_copy_) + " /etc/shadow && ";
  }
  if (mounts.empty()) return {"/bin/sh", "-c", "exec " + sshd};
  return {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", mounts + "exec " + sshd};
}

Status SshdHarness::Start(int i) {
  if (nodes_[i].pid != 0) return Status::Ok();
  std::vector<std::string> argv = StartArgv(i);
  std::vector<char*> cargv = CArgv(argv);
  std::string log = log_path(i);
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return Status::IOError("cannot open " + log);
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(out);
  if (pid < 0) return Status::IOError("fork failed");
  nodes_[i].pid = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      nodes_[i].pid = 0;
      return Status::Unavailable("sshd for node " + std::to_string(i) + " (" + ip(i) + ":" +
                                 std::to_string(port_) + ") exited at start:\n" + Tail(log));
    }
    if (HasBanner(ip(i), port_)) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop(i).message();
  return Status::Unavailable("sshd for node " + std::to_string(i) + " did not answer in 15 s:\n" +
                             Tail(log));
}

Status SshdHarness::Stop(int i) {
  pid_t pid = nodes_[i].pid;
  if (pid == 0) return Status::Ok();
  // Stop the listener first so it cannot fork new connection processes, then
  // the processes that existed under it.
  std::vector<pid_t> tree = Descendants(pid);
  kill(pid, SIGSTOP);
  std::vector<pid_t> more = Descendants(pid);
  tree.insert(tree.end(), more.begin(), more.end());
  kill(pid, SIGKILL);
  for (pid_t p : tree) kill(p, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  nodes_[i].pid = 0;
  return Status::Ok();
}

void SshdHarness::StopAll() {
  for (int i = 0; i < size(); ++i) Stop(i).ok();
}

// dir()/shadow: the real /etc/shadow (only read) with root's hash replaced.
// The password reaches openssl through a 0600 file, not its argv.
Status SshdHarness::WriteShadowCopy(const std::string& password) {
  if (password.empty()) return Status::InvalidArgument("SshdHarness: empty root_password");
  for (char c : password) {
    if (c < 0x20 || c > 0x7e) {
      return Status::InvalidArgument("SshdHarness: root_password must be printable ASCII");
    }
  }
  static constexpr char kSaltChars[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./";
  std::mt19937 rng{std::random_device{}()};
  std::string salt;
  for (int k = 0; k < 16; ++k) salt += kSaltChars[rng() % (sizeof kSaltChars - 1)];
  std::string in = dir_ + "/client/password", out = dir_ + "/client/password.crypt";
  PP_RETURN_IF_ERROR(fs::WriteFileAtomic(in, password + "\n", 0600));
  ::unlink(out.c_str());
  int rc = RunCommand({"openssl", "passwd", "-6", "-salt", salt, "-in", in}, out);
  ::unlink(in.c_str());
  std::string hash = fs::ReadFile(out).value_or("");
  ::unlink(out.c_str());
  if (!hash.empty() && hash.back() == '\n') hash.pop_back();
  bool sane = hash.rfind("$6$" + salt + "$", 0) == 0 && hash.find_first_of(":\n") == std::string::npos;
  if (rc != 0 || !sane) {
    return Status::IOError("SshdHarness: openssl passwd -6 failed (exit " + std::to_string(rc) + ")");
  }
  PP_ASSIGN_OR_RETURN(std::string shadow, fs::ReadFile("/etc/shadow"));
  size_t line = shadow.rfind("root:", 0) == 0 ? 0 : shadow.find("\nroot:");
  if (line == std::string::npos) return Status::NotFound("SshdHarness: no root entry in /etc/shadow");
  if (line != 0) ++line;
  size_t field = line + 5;  // after "root:"
  size_t end = shadow.find(':', field);
  if (end == std::string::npos || shadow.find('\n', field) < end) {
    return Status::Corruption("SshdHarness: malformed root entry in /etc/shadow");
  }
  shadow.replace(field, end - field, hash);
  shadow_copy_ = dir_ + "/shadow";
  return fs::WriteFileAtomic(shadow_copy_, shadow, 0600);
}

SshdHarness::~SshdHarness() {
  StopAll();
  // A copy of the real shadow file never outlives the harness, even in a caller's dir.
  if (!shadow_copy_.empty()) ::unlink(shadow_copy_.c_str());
  if (owns_dir_) fs::RemoveAll(dir_).ok();
}

size_t CountInFile(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string c((std::istreambuf_iterator<char>(in)), {});
  size_t n = 0;
  for (size_t p = c.find(needle); p != std::string::npos; p = c.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace paiplan::testing

#include "state/store_util.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <random>

#include "state/fast_json.h"

namespace paiplan::state {
namespace {

bool ReadUrandom(unsigned char* out, size_t n) {
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += size_t(r);
  }
  ::close(fd);
  return got == n;
}

void RandomBytes(unsigned char* out, size_t n) {
  if (ReadUrandom(out, n)) return;
  std::random_device rd;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(rd());
}

std::string Hex(const unsigned char* p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

std::string UserName() {
  if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(::getuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid" + std::to_string(::getuid());
}

}  // namespace

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RandomBytes(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

std::string NewUuid() {
  unsigned char b[16];
  RandomBytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string h = Hex(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

LockInfo NewLockInfo(const std::string& operation) {
  LockInfo lock;
  lock.id = RandomHex(8);
  lock.operation = operation;
  lock.who = UserName();
  lock.host = HostName();
  lock.pid = ::getpid();
  lock.since = NowRfc3339();
  return lock;
}

nlohmann::json LockToJson(const LockInfo& lock) {
  return {{"id", lock.id},     {"operation", lock.operation}, {"who", lock.who},
          {"host", lock.host}, {"pid", lock.pid},             {"since", lock.since}};
}

Result<LockInfo> LockFromJson(const nlohmann::json& j, const std::string& where) {
  auto str = [&](const char* key) -> const nlohmann::json* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? &*it : nullptr;
  };
  if (!j.is_object() || !str("id") || !str("operation") || !str("who") || !str("host") ||
      !str("since") || !j.contains("pid") || !j["pid"].is_number_integer()) {
    return Err(Status::Corruption(where + ": lock record is malformed: " + j.dump()));
  }
  LockInfo lock;
  lock.id = j["id"].get<std::string>();
  lock.operation = j["operation"].get<std::string>();
  lock.who = j["who"].get<std::string>();
  lock.host = j["host"].get<std::string>();
  lock.pid = j["pid"].get<int64_t>();
  lock.since = j["since"].get<std::string>();
  return lock;
}

bool LockIsStale(const LockInfo& lock) {
  if (lock.host != HostName() || lock.pid <= 0) return false;
  return ::kill(static_cast<pid_t>(lock.pid), 0) != 0 && errno == ESRCH;
}

std::string LockConflictMessage(const LockInfo& lock) {
  std::string m = "state locked by " + lock.who + "@" + lock.host + " (pid " +
                  std::to_string(lock.pid) + ", " + lock.operation + ") since " + lock.since +
                  "; lock id " + lock.id;
  if (LockIsStale(lock)) {
    m += " \u2014 the lock is stale: its process is gone. If no other paiplan is running, "
         "remove it with: paiplan force-unlock " +
         lock.id;
  }
  return m;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int more = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
    if (more < 0 || i + size_t(more) >= s.size()) return false;
    uint32_t cp = more == 0 ? c : c & (0x3f >> more);
    for (int k = 1; k <= more; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += more + 1;
  }
  return true;
}

Status ValidateBatch(const Batch& batch) {
  auto check_address = [](const std::string& a) -> Status {
    if (a.empty()) return Status::InvalidArgument("state: empty resource address");
    if (!IsValidUtf8(a)) {
      return Status::InvalidArgument("state: resource address is not valid UTF-8");
    }
    if (a.size() > kMaxAddressBytes) {
      return Status::InvalidArgument("state: resource address longer than " +
                                     std::to_string(kMaxAddressBytes) + " bytes: " + a.substr(0, 80) +
                                     "...");
    }
    return Status::Ok();
  };
  for (const auto& [address, record] : batch.puts) {
    PP_RETURN_IF_ERROR(check_address(address));
    if (!record.is_object()) {
      return Status::InvalidArgument("state: record for " + address + " is not a JSON object");
    }
  }
  for (const auto& address : batch.deletes) PP_RETURN_IF_ERROR(check_address(address));
  return Status::Ok();
}

std::string EncodeRecord(const ResourceRecord& record) {
  // Replace invalid UTF-8 instead of throwing: a record must always be storable.
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ResourceRecord> DecodeRecord(std::string_view bytes, std::string_view address,
                                    std::string_view file) {
  ResourceRecord r;
  if (FastParseJson(bytes, &r) && r.is_object()) return r;
  r = ResourceRecord::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (r.is_discarded() || !r.is_object()) {
    return Err(Status::Corruption("state record " + std::string(address) + " in " +
                                  std::string(file) +
                                  " does not decode as a JSON object; restore the state from a "
                                  "backup or re-import the resource"));
  }
  return r;
}

}  // namespace paiplan::state

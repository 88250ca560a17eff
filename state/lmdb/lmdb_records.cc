#include "state/lmdb/lmdb_records.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <system_error>
#include <thread>

#include "engine/base/crc32c.h"
#include "state/lmdb/lmdb_env.h"
#include "state/store_util.h"

namespace paiplan::state::lmdb {
namespace {

// Below this many records one thread is faster than starting others.
constexpr size_t kParallelThreshold = 8192;
constexpr unsigned kMaxThreads = 4;

using RecordMap = std::map<std::string, ResourceRecord>;

// A key for messages: bytes outside printable ASCII escaped, at most 80 shown.
std::string Printable(std::string_view key) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : key.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(char(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return key.size() > 80 ? out + "..." : out;
}

struct Chunk {
  RecordMap records;
  Digest digest;
  Status status;
};

// Verifies and decodes raw[begin, end) into `out`; map nodes are allocated by
// the calling thread, so that work is parallel too.
void DecodeRange(const RawRecords& raw, size_t begin, size_t end, const std::string& file,
                 const std::string& dir, Chunk& out) {
  for (size_t i = begin; i < end; ++i) {
    auto [address, value] = raw[i];
    std::string what = "record " + Printable(address);
    if (!IsValidUtf8(address)) {
      out.status = Corrupted(file, dir, what + " has an address that is not UTF-8");
      return;
    }
    auto sealed = Unseal(address, value, what, file, dir);
    if (!sealed) {
      out.status = sealed.error();
      return;
    }
    auto r = DecodeRecord(sealed->text, address, file);
    if (!r) {
      out.status = Corrupted(file, dir, what + " does not decode as a JSON object");
      return;
    }
    out.digest.Add(sealed->crc);
    out.records.emplace_hint(out.records.end(), std::string(address), std::move(*r));
  }
}

uint32_t ParseHex32(std::string_view hex, bool* ok) {
  uint32_t v = 0;
  *ok = hex.size() == 8;
  for (char c : hex) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) *ok = false;
    v = (v << 4) | uint32_t(d & 15);
  }
  return v;
}

}  // namespace

uint32_t SealCrc(std::string_view key, std::string_view text) {
  uint32_t crc = Crc32cExtend(0, key);
  crc = Crc32cExtend(crc, std::string_view("\0", 1));
  return Crc32cExtend(crc, text);
}

Sealed Seal(std::string_view key, std::string_view text) {
  Sealed s;
  s.crc = SealCrc(key, text);
  char head[kSealBytes + 1];
  std::snprintf(head, sizeof head, "%08x ", s.crc);
  s.value.reserve(kSealBytes + text.size());
  s.value.append(head, kSealBytes).append(text);
  return s;
}

Result<Unsealed> Unseal(std::string_view key, std::string_view value, const std::string& what,
                        const std::string& file, const std::string& dir) {
  auto bad = [&](const char* why) {
    return Err(Corrupted(file, dir, what + " is damaged (" + why + ")"));
  };
  if (value.size() < kSealBytes || value[kSealBytes - 1] != ' ') return bad("no checksum");
  bool ok = false;
  Unsealed u;
  u.crc = ParseHex32(value.substr(0, 8), &ok);
  if (!ok) return bad("no checksum");
  u.text = value.substr(kSealBytes);
  if (SealCrc(key, u.text) != u.crc) return bad("checksum mismatch");
  return u;
}

std::string Digest::ToString() const { return std::to_string(count) + ":" + std::to_string(sum); }

Result<Digest> ParseDigest(std::string_view text, const std::string& file) {
  size_t colon = text.find(':');
  Digest d;
  if (colon != std::string_view::npos) {
    auto count = ParseMetaNumber(text.substr(0, colon), "digest", file);
    auto sum = ParseMetaNumber(text.substr(colon + 1), "digest", file);
    if (count && sum) {
      d.count = *count;
      d.sum = *sum;
      return d;
    }
  }
  return Err(Status::Corruption("state " + file + ": meta record digest is malformed"));
}

Result<DecodedResources> DecodeResources(const RawRecords& raw, const std::string& file,
                                         const std::string& dir) {
  const size_t n = raw.size();
  unsigned threads = 1;
  if (n >= kParallelThreshold) {
    threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
  }
  std::vector<Chunk> chunks(threads);
  std::vector<std::thread> workers;
  const char* fault_message = MapAccess::Current();  // workers read the map too
  for (unsigned t = 1; t < threads; ++t) {
    size_t begin = n * t / threads, end = n * (t + 1) / threads;
    try {
      workers.emplace_back([&, t, begin, end] {
        MapAccess scope(fault_message);
        DecodeRange(raw, begin, end, file, dir, chunks[t]);
      });
    } catch (const std::system_error&) {  // no thread: decode it here instead
      DecodeRange(raw, begin, end, file, dir, chunks[t]);
    }
  }
  DecodeRange(raw, 0, n / threads, file, dir, chunks[0]);
  for (auto& w : workers) w.join();
  for (const Chunk& c : chunks) {
    if (!c.status.ok()) return Err(c.status);
  }
  // Chunks are sorted and in order: splice their nodes onto the end.
  DecodedResources out;
  out.records = std::move(chunks[0].records);
  out.digest = chunks[0].digest;
  for (unsigned t = 1; t < threads; ++t) {
    RecordMap& m = chunks[t].records;
    while (!m.empty()) out.records.insert(out.records.end(), m.extract(m.begin()));
    out.digest.count += chunks[t].digest.count;
    out.digest.sum += chunks[t].digest.sum;
  }
  return out;
}

std::string HistoryKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[i] = static_cast<char>(seq & 0xff);
  return key;
}

Result<uint64_t> ParseHistoryKey(std::string_view key, const std::string& file) {
  if (key.size() != 8) {
    return Err(Status::Corruption("state " + file + ": history key of " +
                                  std::to_string(key.size()) + " bytes (expected 8)"));
  }
  uint64_t seq = 0;
  for (unsigned char c : key) seq = (seq << 8) | c;
  return seq;
}

Result<uint64_t> ParseMetaNumber(std::string_view value, const std::string& name,
                                 const std::string& file) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    return Err(Status::Corruption("state " + file + ": meta record " + name +
                                  " is not a number: \"" + std::string(value.substr(0, 40)) + "\""));
  }
  return n;
}

}  // namespace paiplan::state::lmdb

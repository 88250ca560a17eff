#include "state/lmdb/lmdb_records.h"

#include <algorithm>
#include <charconv>
#include <system_error>
#include <thread>

#include "state/store_util.h"

namespace paiplan::state::lmdb {
namespace {

// Below this many records one thread is faster than starting others.
constexpr size_t kParallelThreshold = 8192;
constexpr unsigned kMaxThreads = 4;

using RecordMap = std::map<std::string, ResourceRecord>;

// Decodes raw[begin, end) into `out`; map nodes are allocated by the calling
// thread, so that work is parallel too.
Status DecodeRange(const RawRecords& raw, size_t begin, size_t end, const std::string& file,
                   RecordMap& out) {
  for (size_t i = begin; i < end; ++i) {
    auto r = DecodeRecord(raw[i].second, raw[i].first, file);
    if (!r) return r.error();
    out.emplace_hint(out.end(), std::string(raw[i].first), std::move(*r));
  }
  return Status::Ok();
}

}  // namespace

Result<std::map<std::string, ResourceRecord>> DecodeResources(const RawRecords& raw,
                                                              const std::string& file) {
  const size_t n = raw.size();
  unsigned threads = 1;
  if (n >= kParallelThreshold) {
    threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
  }
  std::vector<RecordMap> chunks(threads);
  std::vector<Status> results(threads);
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) {
    size_t begin = n * t / threads, end = n * (t + 1) / threads;
    try {
      workers.emplace_back([&, t, begin, end] {
        results[t] = DecodeRange(raw, begin, end, file, chunks[t]);
      });
    } catch (const std::system_error&) {  // no thread: decode it here instead
      results[t] = DecodeRange(raw, begin, end, file, chunks[t]);
    }
  }
  results[0] = DecodeRange(raw, 0, n / threads, file, chunks[0]);
  for (auto& w : workers) w.join();
  for (const Status& s : results) {
    if (!s.ok()) return Err(s);
  }
  // Chunks are sorted and in order: splice their nodes onto the end.
  RecordMap out = std::move(chunks[0]);
  for (unsigned t = 1; t < threads; ++t) {
    while (!chunks[t].empty()) out.insert(out.end(), chunks[t].extract(chunks[t].begin()));
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

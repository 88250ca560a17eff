// state_bench: throughput of the LMDB state store.
//   state_bench [--dir DIR] [--records N] [--single N] [--grouped N] [--threads T (64)]
// Measures durable commits per second (one action per transaction, 64 actions
// per transaction, and GroupCommitter fed by T threads), the time to load and
// list N records, and the data file size per record. Prints a Markdown table.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/fs.h"
#include "state/group_committer.h"
#include "state/lmdb/lmdb_store.h"
#include "state/store_util.h"

namespace paiplan::state {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds used by the whole process (all threads) so far: on a shared,
// loaded machine wall time overstates what the work itself costs.
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// A record shaped like what the engine stores for a service (~400 bytes).
ResourceRecord SampleRecord(int i) {
  return {{"kind", "service"},
          {"attributes",
           {{"name", "service-" + std::to_string(i)},
            {"node", "worker-" + std::to_string(i % 1000)},
            {"image", "openpai/hadoop-run:v0.14"},
            {"replicas", 1},
            {"labels", {{"pai-master", "true"}, {"pai-worker", "true"}}}}},
          {"hash", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
          {"owned_labels", {"pai-master", "pai-worker"}},
          {"last_action", "create"},
          {"last_outcome", "success"},
          {"updated_at", "2024-11-25T11:12:13Z"},
          {"pending", nlohmann::json::array()}};
}

void Die(const Status& s) {
  std::fprintf(stderr, "state_bench: %s\n", s.message().c_str());
  std::exit(1);
}

std::unique_ptr<StateStore> OpenLocked(const std::string& dir) {
  auto store = LmdbStore::Open(dir);
  if (!store) Die(store.error());
  if (auto lock = (*store)->Lock("bench"); !lock) Die(lock.error());
  return std::move(*store);
}

// Returns actions per second committing `n` actions, `per_txn` per Commit.
double DirectCommits(const std::string& dir, int n, int per_txn) {
  auto store = OpenLocked(dir);
  auto start = Clock::now();
  for (int i = 0; i < n; i += per_txn) {
    Batch b;
    for (int j = i; j < i + per_txn && j < n; ++j) b.puts.emplace_back("a." + std::to_string(j), SampleRecord(j));
    if (auto r = store->Commit(b); !r) Die(r.error());
  }
  return n / Seconds(start);
}

// Actions per second through a GroupCommitter fed by `threads` workers.
double GroupedCommits(const std::string& dir, int n, int threads, uint64_t* commits) {
  auto store = OpenLocked(dir);
  GroupCommitter committer(store.get());
  std::atomic<int> next{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        Batch b;
        b.puts.emplace_back("g." + std::to_string(i), SampleRecord(i));
        if (auto r = committer.Submit(std::move(b)); !r) Die(r.error());
      }
    });
  }
  for (auto& w : workers) w.join();
  *commits = committer.commits();
  return n / Seconds(start);
}

int Arg(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return std::atoi(argv[i + 1]);
  }
  return def;
}

int Main(int argc, char** argv) {
  std::string dir = "/tmp/paiplan-state-bench";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--dir") dir = argv[i + 1];
  }
  const int records = Arg(argc, argv, "--records", 200000);
  const int single = Arg(argc, argv, "--single", 500);
  const int grouped = Arg(argc, argv, "--grouped", 20000);
  const int threads = Arg(argc, argv, "--threads", 64);
  (void)fs::RemoveAll(dir);

  double single_rate = DirectCommits(dir + "/single", single, 1);
  double batch_rate = DirectCommits(dir + "/batch64", grouped, 64);
  uint64_t group_commits = 0;
  double group_rate = GroupedCommits(dir + "/group", grouped, threads, &group_commits);

  // Written by a child process, so the reads below start from a fresh heap
  // as `paiplan state list` / `plan` would.
  auto load_start = Clock::now();
  pid_t writer = ::fork();
  if (writer == 0) {
    DirectCommits(dir + "/big", records, 10000);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(writer, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die(Status::Internal("writer failed"));
  double load_s = Seconds(load_start);
  auto store = LmdbStore::Open(dir + "/big");
  if (!store) Die(store.error());
  auto snap_start = Clock::now();
  double snap_cpu = CpuSeconds();
  auto snap = (*store)->ReadSnapshot();
  double snap_s = Seconds(snap_start);
  snap_cpu = CpuSeconds() - snap_cpu;
  if (!snap) Die(snap.error());
  auto list_start = Clock::now();
  double list_cpu = CpuSeconds();
  auto list = (*store)->ListAddresses();
  double list_s = Seconds(list_start);
  list_cpu = CpuSeconds() - list_cpu;
  if (!list || list->size() != size_t(records) || snap->resources.size() != size_t(records)) {
    Die(Status::Internal("record count mismatch"));
  }
  struct stat st;
  ::stat((dir + "/big/data.mdb").c_str(), &st);

  std::printf("| measurement | result |\n|---|---|\n");
  std::printf("| durable commits, 1 action per txn | %.0f actions/s |\n", single_rate);
  std::printf("| durable commits, 64 actions per txn | %.0f actions/s |\n", batch_rate);
  std::printf("| GroupCommitter, %d threads, 1 action each | %.0f actions/s (%d actions in %llu commits) |\n",
              threads, group_rate, grouped, (unsigned long long)group_commits);
  std::printf("| write %d records (txns of 10,000) | %.2f s |\n", records, load_s);
  std::printf("| ReadSnapshot of %d records (decode all) | %.3f s wall, %.3f s CPU |\n", records,
              snap_s, snap_cpu);
  std::printf("| ListAddresses of %d records | %.3f s wall, %.3f s CPU |\n", records, list_s, list_cpu);
  std::printf("| data.mdb size per record (~%zu-byte JSON) | %.0f bytes |\n",
              EncodeRecord(SampleRecord(123456)).size(), double(st.st_size) / records);
  (void)fs::RemoveAll(dir);
  return 0;
}

}  // namespace
}  // namespace paiplan::state

int main(int argc, char** argv) { return paiplan::state::Main(argc, argv); }

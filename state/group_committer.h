// GroupCommitter: lets many threads commit finished actions durably without
// paying one fsync each.
//
// The executor's rule is that every finished action is committed before its
// dependents start. With one Commit per action that caps apply at the disk's
// fsync rate; here, each worker calls Submit() with its action's batch and
// blocks. The first waiting thread becomes the leader: it takes everything
// queued at that moment (up to max_group_records), merges it into one Batch,
// commits it, and wakes every waiter of that group with the result. Threads
// that arrive while a commit is running queue up for the next group. (The
// same leader/follower scheme as LevelDB's write queue.) A waiter never
// returns before the commit holding its record is durable.
//
// Merge order is submission order: a later put or delete of the same address
// wins. If a group commit fails, every waiter in the group gets the error.
//
// Thread-safety: Submit, Pause, Resume and the counters may be called from any
// thread. REQUIRES: the store outlives the committer, and the store's lock was
// taken (through the same StateStore object) before the first Submit.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

#include "state/state_store.h"

namespace paiplan::state {

class GroupCommitter {
 public:
  struct Options {
    // A group stops growing once it holds this many puts + deletes (one
    // oversized batch still goes alone).
    size_t max_group_records = 4096;
  };

  explicit GroupCommitter(StateStore* store) : GroupCommitter(store, Options()) {}
  GroupCommitter(StateStore* store, Options options) : store_(store), options_(options) {}
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Blocks until `batch` is durably committed; returns the serial of the
  // commit that included it. Fails: InvalidArgument at once for a bad batch
  // (without touching the group), or the error of its group's Commit.
  Result<uint64_t> Submit(Batch batch);

  // While paused no commit starts (Submit calls wait); a commit already
  // running completes. For tests and for a clean shutdown.
  void Pause();
  void Resume();

  // Submissions queued and not yet taken by a commit.
  size_t waiting() const;
  // Store commits made, and batches submitted (valid ones), so far.
  uint64_t commits() const;
  uint64_t submissions() const;

 private:
  struct Waiter {
    Batch batch;
    bool done = false;
    Result<uint64_t> result = 0;
  };
  // Commits `group` (the leader's caller holds no lock) and wakes them.
  void CommitGroup(std::unique_lock<std::mutex>& lock);
  static Batch Merge(std::deque<Waiter*>& group);

  StateStore* store_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Waiter*> queue_;
  bool committing_ = false;
  bool paused_ = false;
  uint64_t commits_ = 0;
  uint64_t submissions_ = 0;
};

}  // namespace paiplan::state

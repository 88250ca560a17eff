// Concurrency classes in the pure scheduler (no threads): a pool bounds how
// many of its members run at once, beside machine exclusivity; a finished or
// failed member frees its slot.
#include "engine/apply/scheduler.h"

#include <gtest/gtest.h>

namespace paiplan::apply {
namespace {

std::vector<int> StartAll(Scheduler& s) {
  std::vector<int> out;
  for (int i; (i = s.Next()) >= 0;) out.push_back(i);
  return out;
}

TEST(SchedulerPoolTest, APoolBoundsItsMembersOnly) {
  Scheduler s(std::vector<std::vector<int>>(5), std::vector<std::string>(5, ""));
  s.AddPool(2, {0, 1, 2, 3});  // e.g. Kubernetes API writes
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 1, 4})) << "4 is in no pool";
  s.Succeeded(1);
  EXPECT_EQ(StartAll(s), (std::vector<int>{2}));
  s.Failed(0);
  EXPECT_EQ(StartAll(s), (std::vector<int>{3}));
  s.Succeeded(2), s.Succeeded(3), s.Succeeded(4);
  EXPECT_TRUE(s.AllSettled());
}

TEST(SchedulerPoolTest, AnActionWaitsForEveryPoolItIsInAndForItsMachine) {
  Scheduler s(std::vector<std::vector<int>>(4), {"m1", "m1", "m2", "m3"});
  s.AddPool(1, {0, 2});  // service a
  s.AddPool(2, {2, 3});  // kube writes
  EXPECT_EQ(StartAll(s), (std::vector<int>{0, 3})) << "1 waits for m1, 2 for pool a";
  s.Succeeded(0);
  EXPECT_EQ(StartAll(s), (std::vector<int>{1, 2}));
  EXPECT_EQ(s.running(), 3);
}

}  // namespace
}  // namespace paiplan::apply

#include <gtest/gtest.h>
#include "state/memory_store.h"
TEST(MemoryStoreTest, Placeholder) { paiplan::state::MemoryStore s; EXPECT_TRUE(s.ReadHead()); }

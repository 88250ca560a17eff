paiplan_test(state_test SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/store_conformance_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/lmdb_store_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/lmdb_process_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/lmdb_corruption_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/lmdb_migration_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/group_committer_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/state_json_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/fast_json_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/etcd_store_test.cc
  LIBS pp_state)

# State encryption at rest (issue 17): needs config's sensitive-key rule.
paiplan_test(state_encryption_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/state_encryption_test.cc
  LIBS pp_state pp_config)

# Benchmark (not a test): see tests/bench/RESULTS.md, section "State store".
add_executable(state_bench ${CMAKE_CURRENT_LIST_DIR}/../bench/state_bench.cc)
target_link_libraries(state_bench PRIVATE pp_state)

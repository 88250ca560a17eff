paiplan_test(state_test SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/memory_store_test.cc
  LIBS pp_state)

paiplan_test(scheduler_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/scheduler_test.cc LIBS pp_apply)
paiplan_test(executor_test SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/executor_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/fake_world.cc
  LIBS pp_apply)

paiplan_test(catalogue_test SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/catalogue_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/timeouts_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/placement_test.cc
  LIBS pp_plan pp_base pp_script yaml-cpp)

paiplan_test(planner_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/planner_test.cc ${CMAKE_CURRENT_LIST_DIR}/local_transport_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/node_lifecycle_test.cc LIBS pp_apply)
paiplan_test(plan_golden_test SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/plan_golden_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/saved_plan_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/cli_harness.cc
  ${CMAKE_CURRENT_LIST_DIR}/label_golden_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/kube_cli_faults_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/../kube/kube_server_fixture.cc
  LIBS pp_kube pp_base)

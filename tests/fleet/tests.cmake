# Fleet-scale failure semantics (issue 16) and --lock-timeout: state locks the
# kernel releases, waiting for a lock, unreachable resources, orphans, Ctrl-C.
paiplan_test(fleet_unit_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/lock_wait_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/left_out_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/pools_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/rolling_test.cc
  LIBS pp_cli pp_apply pp_plan pp_state)
paiplan_test(fleet_cli_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/../integration/run_util.cc
    ${CMAKE_CURRENT_LIST_DIR}/../integration/test_workspace.cc
    ${CMAKE_CURRENT_LIST_DIR}/lock_cli_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/orphan_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/ctrl_c_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/resume_test.cc
  LIBS pp_base pp_state)
paiplan_test(fleet_ssh_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/remote_orphan_test.cc
  LIBS sshd_harness pp_ssh pp_base LOCK sshd)
paiplan_test(fleet_sshd_e2e_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/../ssh_e2e/e2e_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/unreachable_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/rolling_sshd_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/concurrency_ssh_test.cc
  LIBS sshd_harness pp_base
  LOCK sshd)
# Rolling replacement gated on Node Ready, and the concurrency classes, through
# the binary against the Kubernetes API test server (local machines).
paiplan_test(fleet_kube_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/../plan/cli_harness.cc
    ${CMAKE_CURRENT_LIST_DIR}/../kube/kube_server_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/rolling_kube_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/concurrency_kube_test.cc
  LIBS pp_kube pp_base)

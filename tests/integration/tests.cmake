# Integration tests: drive the real paiplan binary (PAIPLAN_BINARY) on temp
# workspaces built from tests/testdata/services/.
paiplan_test(integration_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/run_util.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_workspace.cc
    ${CMAKE_CURRENT_LIST_DIR}/lifecycle_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/destroy_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/lock_signal_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/kill9_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/state_secrets_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/tty_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/state_corruption_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/drift_probe_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/render_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/scripts_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/security_paths_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/security_trust_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/newcomer_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/../kube/kube_server_fixture.cc
  LIBS pp_kube pp_base pp_state)

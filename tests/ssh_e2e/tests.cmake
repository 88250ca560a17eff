# End-to-end node bootstrap over SSH (issue 5): the real paiplan binary
# against real sshd nodes from tests/ssh/sshd_harness.h.
paiplan_test(ssh_e2e_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/e2e_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/bootstrap_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/fault_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/drift_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/ssh_options_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/password_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/k8s_bootstrap_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/k8s_lifecycle_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/../kube/kube_server_fixture.cc
  LIBS sshd_harness pp_base pp_kube
  LOCK sshd)

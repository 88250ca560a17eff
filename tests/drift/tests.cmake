# End-to-end drift detection (issue 9): the real paiplan binary against the
# Kubernetes API test server (tests/kube/serve) and kubectl.
paiplan_test(drift_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/drift_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/drift_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/nodes_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/kube_ownership_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/ci_examples_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/objects_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/catalogue_e2e_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/../kube/kube_server_fixture.cc
  LIBS pp_kube pp_base)

# The README's quickstart itself (issue 9): 3 real sshd machines on
# 127.0.0.2-4 and the API test server; fixed addresses, so it runs alone.
add_test(NAME quickstart
  COMMAND bash ${CMAKE_SOURCE_DIR}/examples/quickstart/run.sh --no-install --build-dir ${CMAKE_BINARY_DIR}
          --dir /tmp/paiplan-quickstart-ctest)
set_tests_properties(quickstart PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)

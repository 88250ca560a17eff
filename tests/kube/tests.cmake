paiplan_test(kube_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/kube_server_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/kubeconfig_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/kube_client_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/kube_client_faults_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/kubectl_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/node_affinity_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/manifest_test.cc
  LIBS pp_kube)

# Benchmark executable (not a test): tests/bench/kube_bench.sh runs it.
add_executable(kube_bench ${CMAKE_CURRENT_LIST_DIR}/../bench/kube_bench.cc)
target_link_libraries(kube_bench PRIVATE pp_kube)

# The API test server's objects, server-side apply and controller, checked with the real kubectl.
add_test(NAME kube_serve_objects COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/serve_test.py)
add_test(NAME kube_serve_drain COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/drain_test.py)

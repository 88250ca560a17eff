# SSH transport tests against real OpenSSH sshd nodes (tests/ssh/sshd_harness.h).
# `sshd_harness` is a library so other areas' end-to-end tests can start nodes too.
add_library(sshd_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/sshd_harness.cc)
target_link_libraries(sshd_harness PUBLIC pp_ssh pp_base)

paiplan_test(ssh_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ssh_transport_test.cc ${CMAKE_CURRENT_LIST_DIR}/ssh_fault_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/ssh_agent_test.cc ${CMAKE_CURRENT_LIST_DIR}/ssh_pool_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/ssh_password_test.cc
  LIBS sshd_harness pp_ssh pp_base
  LOCK sshd)

# `sshd_nodes --dir DIR --nodes K`: K sshd nodes for shell scripts (bench, demos).
add_executable(sshd_nodes ${CMAKE_CURRENT_LIST_DIR}/sshd_nodes_main.cc)
target_link_libraries(sshd_nodes PRIVATE sshd_harness)

# `ssh_bench`: the SshPool side of tests/bench/ssh_bench.sh.
add_executable(ssh_bench ${CMAKE_CURRENT_LIST_DIR}/ssh_bench_main.cc)
target_link_libraries(ssh_bench PRIVATE pp_ssh pp_base)

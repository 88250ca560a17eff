# End-to-end node bootstrap over SSH (issue 5): the real paiplan binary
# against real sshd nodes from tests/ssh/sshd_harness.h.
paiplan_test(ssh_e2e_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/e2e_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/bootstrap_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/fault_test.cc
  LIBS sshd_harness pp_base)

# The gtest cases are discovered at ctest time, so their properties are set
# by an include file that ctest reads after the discovered list: every case
# holds the "sshd" resource lock (ctest -j never runs two sshd-heavy cases at
# once; other areas' sshd tests can take the same lock).
set(_ssh_e2e_props ${CMAKE_CURRENT_BINARY_DIR}/ssh_e2e_test_properties.cmake)
file(WRITE ${_ssh_e2e_props}
  "if(DEFINED ssh_e2e_test_TESTS)\n"
  "  set_tests_properties(\${ssh_e2e_test_TESTS} PROPERTIES RESOURCE_LOCK sshd)\n"
  "endif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${_ssh_e2e_props})

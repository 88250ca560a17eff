# Terraform's CLI contract (issue 20) through the real binary: --replace,
# plan --destroy + apply FILE, destroy --target/--purge, state mv, and the
# apply/destroy --json event stream. Local machines (no SSH) except the
# renamed-machine test, which needs a machine reached by its address.
paiplan_test(cli_contract_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/../integration/run_util.cc
    ${CMAKE_CURRENT_LIST_DIR}/../integration/test_workspace.cc
    ${CMAKE_CURRENT_LIST_DIR}/replace_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/destroy_plan_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/state_mv_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_json_test.cc
  LIBS pp_base)


paiplan_test(cli_contract_ssh_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/../ssh_e2e/e2e_fixture.cc
    ${CMAKE_CURRENT_LIST_DIR}/state_mv_ssh_test.cc
  LIBS sshd_harness pp_base
  LOCK sshd)

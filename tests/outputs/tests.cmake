# Script outputs ($PAIPLAN_OUTPUTS) and `paiplan output`, through the real
# binary on local-transport workspaces (docs/outputs.md).
paiplan_test(outputs_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/outputs_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/../integration/run_util.cc
  LIBS pp_base)

# OpenPAI v0.14 compatibility: the fixture tree tests/testdata/openpai run by
# the real binary (parsers, script templates, deploy-rules), and paictl's
# deploy-rules post-processing compared with PyYAML.
paiplan_test(openpai_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/../integration/run_util.cc
    ${CMAKE_CURRENT_LIST_DIR}/openpai_tree_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/paictl_affinity_test.cc
  LIBS pp_kube pp_base)

# Workspace loader, schemas, resource graph (unit).
paiplan_test(config_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/yaml_doc_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/yaml_paths_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/mask_yaml_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/workspace_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/graph_test.cc
  LIBS pp_graph)
# The bad-input corpus: BadInputCorpusTest runs the real binary on
# tests/testdata/bad/* (its own binary, so config_test needs no paiplan).
paiplan_test(bad_input_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bad_corpus_test.cc LIBS pp_graph)

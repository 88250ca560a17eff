# Workspace loader, schemas, resource graph (unit) and the bad-input corpus
# (runs the real binary on tests/testdata/bad/*).
paiplan_test(config_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/bad_corpus_test.cc
  LIBS pp_graph)

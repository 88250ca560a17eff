# Repository checks on the docs and on paiplan's own files (issue 17).
add_test(NAME docs_cli_reference
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/cli_reference_test.py $<TARGET_FILE:paiplan>
          ${CMAKE_SOURCE_DIR}/docs/cli.md)
add_test(NAME docs_no_outside_references
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/no_outside_refs_test.sh ${CMAKE_SOURCE_DIR})
add_test(NAME quickstart_progress
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/quickstart_progress_test.sh ${CMAKE_SOURCE_DIR})
add_test(NAME install_relocated
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/install_test.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
set_tests_properties(install_relocated PROPERTIES TIMEOUT 300)

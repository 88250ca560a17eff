paiplan_test(review_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/markdown_test.cc LIBS pp_plan)
paiplan_test(review_cli_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/review_cli_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/../plan/cli_harness.cc LIBS pp_base)
# The page of the golden plan in headless Chromium (Debian's chromium): fails,
# never skips, when Chromium is missing. The screenshot stays in the build
# directory: tests/review/browser/plan.png.
add_test(NAME review_browser_test
  COMMAND node ${CMAKE_CURRENT_LIST_DIR}/browser_test.mjs $<TARGET_FILE:paiplan>
          ${CMAKE_SOURCE_DIR}/tests/testdata/review/plan.json ${CMAKE_BINARY_DIR}/tests/review/browser)
set_tests_properties(review_browser_test PROPERTIES TIMEOUT 300)
paiplan_test(ci_examples_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/ci_examples_test.cc LIBS pp_config)

paiplan_test(template_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/jinja_test.cc ${CMAKE_CURRENT_LIST_DIR}/conformance_test.cc ${CMAKE_CURRENT_LIST_DIR}/security_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/undefined_test.cc
  LIBS pp_template)
target_compile_definitions(template_test PRIVATE PAIPLAN_PYTHON="/usr/bin/python3")

# Benchmark (not a test): renders the corpus with our renderer; template_bench.sh compares with Jinja2.
add_executable(template_bench ${CMAKE_CURRENT_LIST_DIR}/../bench/template_bench.cc)
target_link_libraries(template_bench PRIVATE pp_template)

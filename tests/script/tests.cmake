paiplan_test(script_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/process_test.cc LIBS pp_script)

paiplan_test(base_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sha256_test.cc ${CMAKE_CURRENT_LIST_DIR}/crc32c_test.cc ${CMAKE_CURRENT_LIST_DIR}/fs_test.cc LIBS pp_base)

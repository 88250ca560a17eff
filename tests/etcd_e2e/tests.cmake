add_test(NAME etcd_e2e COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:paiplan> ${CMAKE_SOURCE_DIR})
set_tests_properties(etcd_e2e PROPERTIES TIMEOUT 300)

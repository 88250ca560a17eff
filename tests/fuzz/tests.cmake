# Fuzz targets (tests/fuzz/README.md). Two builds of the same sources:
#  - PAIPLAN_FUZZ=ON (clang): TARGET is a libFuzzer executable, run by
#    tests/fuzz/run.sh for a fixed time over its corpus.
#  - every build: TARGET_replay replays the seeds and the regression inputs
#    (inputs that once crashed a target) as an ordinary test.
set(fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
function(paiplan_fuzz_target name)
  if(PAIPLAN_FUZZ)
    add_executable(${name} ${fuzz_dir}/${name}.cc)
    target_link_libraries(${name} PRIVATE ${ARGN})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  endif()
  add_executable(${name}_replay ${fuzz_dir}/${name}.cc ${fuzz_dir}/replay_main.cc)
  target_link_libraries(${name}_replay PRIVATE ${ARGN})
  set(inputs ${fuzz_dir}/seeds/${name})
  if(EXISTS ${fuzz_dir}/regressions/${name})
    list(APPEND inputs ${fuzz_dir}/regressions/${name})
  endif()
  add_test(NAME FuzzReplay.${name} COMMAND ${name}_replay ${inputs})
  set_tests_properties(FuzzReplay.${name} PROPERTIES TIMEOUT 300)
endfunction()

paiplan_fuzz_target(yaml_fuzz pp_config)
paiplan_fuzz_target(workspace_fuzz pp_config)
paiplan_fuzz_target(jinja_fuzz pp_template)
paiplan_fuzz_target(planfile_fuzz pp_plan)
paiplan_fuzz_target(state_fuzz pp_state)
paiplan_fuzz_target(kubeconfig_fuzz pp_kube)
paiplan_fuzz_target(kube_response_fuzz pp_plan)

# tests/cli/tests.cmake - CLI tests (included by tests/CMakeLists.txt after the cmocka loop).
# cli_test_cli_text unit-tests CLI sources that are not in the library: compile them in.
target_sources(cli_test_cli_text PRIVATE
  ${CMAKE_SOURCE_DIR}/cli/args.c ${CMAKE_SOURCE_DIR}/cli/json_out.c ${CMAKE_SOURCE_DIR}/cli/utf8_stream.c)
target_include_directories(cli_test_cli_text PRIVATE ${CMAKE_SOURCE_DIR}/cli)

# Script tests: bash tests/cli/NAME.sh LFMRT_BINARY SCRATCH_DIR (exit 77 = skipped).
foreach(t usage e2e inspect bench)
  add_test(NAME cli.${t} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${t}.sh $<TARGET_FILE:lfmrt_cli> ${CMAKE_BINARY_DIR}/testtmp)
  set_tests_properties(cli.${t} PROPERTIES SKIP_RETURN_CODE 77 LABELS "cli" TIMEOUT 120)
endforeach()

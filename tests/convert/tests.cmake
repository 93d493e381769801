# tests/convert/tests.cmake - script test of `lfmrt convert --llama2c` on the real stories260K data
# (exit 77 = skipped: no data).
add_test(NAME convert.cli_llama2c
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_llama2c.sh $<TARGET_FILE:lfmrt_cli> ${CMAKE_BINARY_DIR}/testtmp)
set_tests_properties(convert.cli_llama2c PROPERTIES
  SKIP_RETURN_CODE 77 LABELS "cli" TIMEOUT 120
  ENVIRONMENT "LFMRT_TEST_DATA=${LFMRT_SHARED_DATA}")

# tests/tokenizer: the tokvocab tool and the llama.cpp tokenizer parity script (skips with 77 when node or
# node-llama-cpp is missing).
add_executable(tokvocab ${CMAKE_CURRENT_LIST_DIR}/tokvocab.c)
target_include_directories(tokvocab PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(tokvocab PRIVATE lfmrt)
add_test(NAME tokenizer.parity_llamacpp
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/parity.sh $<TARGET_FILE:tokvocab> ${CMAKE_BINARY_DIR}/testtmp/tokparity)
set_tests_properties(tokenizer.parity_llamacpp PROPERTIES
  SKIP_RETURN_CODE 77
  ENVIRONMENT "LFMRT_TEST_DATA=${LFMRT_SHARED_DATA};LFMRT_BIN=$<TARGET_FILE:lfmrt_cli>"
  LABELS "parity"
  TIMEOUT 600)
add_test(NAME tokenizer.unicode_tables_fresh COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/unicode_fresh.sh)
set_tests_properties(tokenizer.unicode_tables_fresh PROPERTIES SKIP_RETURN_CODE 77 LABELS "unit")

# tests/cli/tests.cmake - CLI tests (included by tests/CMakeLists.txt after the cmocka loop).
# cli_test_cli_text unit-tests CLI sources that are not in the library: compile them in.
target_sources(cli_test_cli_text PRIVATE
  ${CMAKE_SOURCE_DIR}/cli/args.c ${CMAKE_SOURCE_DIR}/cli/json_out.c ${CMAKE_SOURCE_DIR}/cli/utf8_stream.c)
target_include_directories(cli_test_cli_text PRIVATE ${CMAKE_SOURCE_DIR}/cli)

# tests/parity/tests.cmake - parity with llama.cpp (npm node-llama-cpp@3.21.1), one ctest per group.
# Each runs tests/parity/run_parity.sh; exit 77 (no npm registry, so no peer) is reported as skipped.
# The peer is installed once into <build>/peer; generated models are cached in <build>/parity/models.
# RUN_SERIAL: llama.cpp's and lfmrt's worker threads spin while they wait, so a parity group sharing the
# 2 cores with other tests ran up to 10x slower (parity.self: about 60 s alone, 266 s under ctest -j2).
set(LFMRT_PARITY_GROUPS self tiny 350m attn untied tokenize stories qwen3 qwen3-0.6b gemma3 gemma3-270m llama kquant)
foreach(g ${LFMRT_PARITY_GROUPS})
  add_test(NAME parity.${g}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_parity.sh $<TARGET_FILE:lfmrt_cli> ${CMAKE_BINARY_DIR}/parity ${g})
  if(g STREQUAL "350m" OR g STREQUAL "qwen3-0.6b" OR g STREQUAL "gemma3-270m")
    set(_t 2400)
  else()
    set(_t 1200)
  endif()
  set_tests_properties(parity.${g} PROPERTIES
    LABELS "parity"
    SKIP_RETURN_CODE 77
    TIMEOUT ${_t}
    RUN_SERIAL TRUE
    ENVIRONMENT "LFMRT_PEER_DIR=${CMAKE_BINARY_DIR}/peer;LFMRT_TEST_DATA=${LFMRT_SHARED_DATA}")
endforeach()

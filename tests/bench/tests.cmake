# tests/bench/tests.cmake - the speed tools' behaviour (never their timings): bench/bwprobe's output and
# argument checks, and `lfmrt bench --compare-llamacpp` driven by stand-in helper programs (so it runs
# without llama.cpp): alternation, argument passing, medians, ratios, roofline, table and JSON.
# bash tests/bench/compare.sh LFMRT_BINARY BWPROBE SCRATCH_DIR (exit 77 = skipped).
add_test(NAME bench.compare
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/compare.sh $<TARGET_FILE:lfmrt_cli> $<TARGET_FILE:bwprobe>
          ${CMAKE_BINARY_DIR}/testtmp)
set_tests_properties(bench.compare PROPERTIES SKIP_RETURN_CODE 77 LABELS "cli" TIMEOUT 120)

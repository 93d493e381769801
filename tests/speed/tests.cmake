# tests/speed/tests.cmake - the speed campaign's summary (scripts/speed-summary.mjs): verdicts computed
# from a fixture of `lfmrt bench --compare-llamacpp --json` lines (never real timings).
add_test(NAME speed.summary COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/summary.sh ${CMAKE_SOURCE_DIR}/scripts/speed-summary.mjs
         ${CMAKE_BINARY_DIR}/testtmp)
set_tests_properties(speed.summary PROPERTIES SKIP_RETURN_CODE 77 LABELS "cli" TIMEOUT 60)

# tests/build/tests.cmake - properties of the built library itself (what the compiler kept).
set(LFMRT_TEST_OBJDUMP ${CMAKE_OBJDUMP})
if(NOT LFMRT_TEST_OBJDUMP)
  set(LFMRT_TEST_OBJDUMP objdump)
endif()
add_test(NAME build.prefetch_kept COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/prefetch_kept.sh ${LFMRT_TEST_OBJDUMP}
         $<TARGET_FILE:lfmrt> ${CMAKE_SOURCE_DIR}/src)
set_tests_properties(build.prefetch_kept PROPERTIES SKIP_RETURN_CODE 77 LABELS "unit" TIMEOUT 60)

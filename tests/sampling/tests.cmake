# tests/sampling/tests.cmake - sampling_test_sampler counts allocator calls through the linker's --wrap
# (a sample call must allocate nothing).
if(TARGET sampling_test_sampler)
  target_link_options(sampling_test_sampler PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc)
endif()

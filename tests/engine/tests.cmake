# engine_test_session counts allocator calls through the linker's --wrap.
if(TARGET engine_test_session)
  target_link_options(engine_test_session PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc)
endif()
if(TARGET engine_test_batch)
  target_link_options(engine_test_batch PRIVATE -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc)
endif()

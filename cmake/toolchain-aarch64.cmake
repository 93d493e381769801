# cmake/toolchain-aarch64.cmake - cross-compile lfmrt for aarch64 Linux with Debian's
# gcc-aarch64-linux-gnu, and run the results (ctest, try_run) under user-mode qemu.
#
#   cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
#   cmake --build build-arm -j2 && ctest --test-dir build-arm -R kernels
#
# Code is portable armv8-a (NEON is architectural there); src/kernels/arm_dotprod/ gets its own
# -march flags (CMakeLists.txt) and is chosen at run time from HWCAP. Target libraries (cmocka,
# jansson) come from Debian multiarch (`dpkg --add-architecture arm64`, libcmocka-dev:arm64,
# libjansson-dev:arm64; scripts/setup.sh --arm installs them) in /usr/lib/aarch64-linux-gnu.
# The qemu CPU model is taken from QEMU_CPU at run time (e.g. QEMU_CPU=max for dotprod/i8mm;
# the default model has NEON but no dotprod).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_C_FLAGS_INIT "-march=armv8-a")

# Headers of the multiarch -dev packages are architecture-independent and live in /usr/include;
# their libraries live in /usr/lib/aarch64-linux-gnu (found through CMAKE_LIBRARY_ARCHITECTURE).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# -L: the cross toolchain's loader and libc (libc6-arm64-cross). LD_LIBRARY_PATH makes that loader
# take its own libc first: once multiarch libc6:arm64 is installed (a dependency of libcmocka0:arm64),
# the loader would otherwise find /lib/aarch64-linux-gnu/libc.so.6 first, a different build of
# glibc than the loader, and the first pthread_create hangs.
find_program(LFMRT_QEMU_AARCH64 qemu-aarch64 qemu-aarch64-static)
if(LFMRT_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${LFMRT_QEMU_AARCH64} -L /usr/aarch64-linux-gnu
      -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib)
endif()

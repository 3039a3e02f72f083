# Sanitizer builds: OBSERVEES_SANITIZE is a ;-list of sanitizers applied to every target of the tree
# (the libraries, the tests, the server): "address;undefined" (ASan + UBSan) or "thread" (TSan).
# Empty (default): no sanitizer. scripts/test builds build-asan and build-tsan with it.
set(OBSERVEES_SANITIZE "" CACHE STRING "Sanitizers for every target: address;undefined, or thread")

if(OBSERVEES_SANITIZE)
  set(_observees_san_flags "")
  foreach(_san IN LISTS OBSERVEES_SANITIZE)
    if(NOT _san MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "OBSERVEES_SANITIZE: unknown sanitizer '${_san}'")
    endif()
  endforeach()
  if("thread" IN_LIST OBSERVEES_SANITIZE AND "address" IN_LIST OBSERVEES_SANITIZE)
    message(FATAL_ERROR "OBSERVEES_SANITIZE: thread and address cannot be combined")
  endif()
  list(JOIN OBSERVEES_SANITIZE "," _observees_san_list)
  set(_observees_san_flags -fsanitize=${_observees_san_list} -fno-omit-frame-pointer -g)
  if("undefined" IN_LIST OBSERVEES_SANITIZE)
    # Every UBSan report is fatal, so a test run cannot pass over one.
    list(APPEND _observees_san_flags -fno-sanitize-recover=all)
  endif()
  add_compile_options(${_observees_san_flags})
  add_link_options(-fsanitize=${_observees_san_list})
  message(STATUS "observees: sanitizers ${_observees_san_list}")
endif()

# libFuzzer targets (tests/fuzz/): clang only. The whole tree (the static libraries included) is built
# with -fsanitize=fuzzer-no-link,address,undefined for coverage and ASan/UBSan; the fuzz executables
# link -fsanitize=fuzzer. scripts/fuzz and scripts/test build them in build-fuzz.
option(OBSERVEES_BUILD_FUZZERS "Build the libFuzzer targets of tests/fuzz (clang)" OFF)
if(OBSERVEES_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "OBSERVEES_BUILD_FUZZERS needs clang (CMAKE_CXX_COMPILER=clang++)")
  endif()
  if(OBSERVEES_SANITIZE)
    message(FATAL_ERROR "OBSERVEES_BUILD_FUZZERS sets its own sanitizers; leave OBSERVEES_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
  # Included (not added as a subdirectory, which a deferred call may not do) once the root
  # CMakeLists.txt has defined the library targets.
  cmake_language(DEFER CALL include ${PROJECT_SOURCE_DIR}/tests/fuzz/CMakeLists.txt)
endif()

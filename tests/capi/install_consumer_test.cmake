# cmake -DBUILD_DIR= -DWORK_DIR= -DCONSUMER_SOURCE_DIR= -DGENERATOR= -DBUILD_TYPE= -DC_COMPILER= -DCXX_COMPILER=
#       -P install_consumer_test.cmake
# Installs the build into WORK_DIR/prefix, checks the installed tree, builds the consumer project with
# find_package (C and C++), builds main.c with pkg-config alone, and runs all three.
cmake_minimum_required(VERSION 3.20)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${result}): ${command}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

foreach(component observees_runtime observees_development)
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component ${component})
endforeach()

# The installed tree: the library with its SONAME links, the headers, the package files.
file(GLOB_RECURSE installed RELATIVE ${prefix} ${prefix}/*)
foreach(expected
    include/observees.h include/observees/observation_service.h
    lib/libobservees_c.so lib/libobservees_c.so.0 lib/libobservees_c.so.0.1.0
    lib/libobservees.a lib/libobservees_rest.a
    lib/cmake/observees/observeesConfig.cmake lib/cmake/observees/observeesConfigVersion.cmake
    lib/pkgconfig/observees.pc)
  if(NOT expected IN_LIST installed)
    message(FATAL_ERROR "not installed: ${expected}\ninstalled: ${installed}")
  endif()
endforeach()

# The build-only warnings target stays out of the exported package.
file(READ ${prefix}/lib/cmake/observees/observees-targets.cmake exported)
if(exported MATCHES "observees_warnings")
  message(FATAL_ERROR "the installed observees-targets.cmake names observees_warnings")
endif()

# find_package: C alone (COMPONENTS c), then both (no COMPONENTS).
set(consumer_build ${WORK_DIR}/consumer-build)
set(build_type_arg)
if(BUILD_TYPE)
  set(build_type_arg -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build} -G ${GENERATOR} ${build_type_arg}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
run(${CMAKE_COMMAND} --build ${consumer_build})
run(${consumer_build}/c_consumer)
message(STATUS "${run_output}")
run(${consumer_build}/cxx_consumer)
message(STATUS "${run_output}")

# A version the package does not offer is refused.
file(WRITE ${WORK_DIR}/too-new/CMakeLists.txt
  "cmake_minimum_required(VERSION 3.20)\nproject(too_new LANGUAGES C)\nfind_package(observees 1.0 REQUIRED CONFIG)\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/too-new -B ${WORK_DIR}/too-new/build -G ${GENERATOR}
                        -DCMAKE_PREFIX_PATH=${prefix}
                RESULT_VARIABLE result OUTPUT_QUIET ERROR_QUIET)
if(result EQUAL 0)
  message(FATAL_ERROR "find_package(observees 1.0) succeeded against version 0.1")
endif()

# pkg-config alone: compile and link main.c with its flags.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run(${PKG_CONFIG} --cflags --libs observees)
string(STRIP "${run_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${PKG_CONFIG} --modversion observees)
string(STRIP "${run_output}" version)
if(NOT version STREQUAL "0.1.0")
  message(FATAL_ERROR "pkg-config says version ${version}")
endif()
run(${C_COMPILER} -std=c99 -Wall -Wextra -Wpedantic -Werror ${CONSUMER_SOURCE_DIR}/main.c ${flags}
    -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/pkg_config_consumer)
run(${WORK_DIR}/pkg_config_consumer)
message(STATUS "pkg-config: ${run_output}")

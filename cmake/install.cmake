# Install rules, in three components (cmake/packaging.cmake makes a Debian package of each):
#   observees_runtime      libobservees_c.so.0 (the C ABI), observees-server, LICENSE, the docs and the
#                          demo fixture (share/observees/demo.json)
#   observees_development  the C and C++ headers, the C++ static libraries, the .so namelink, a CMake
#                          package (find_package(observees): observees::observees_c, observees::observees,
#                          observees::rest) and a pkg-config file (observees.pc, the C ABI)
#   observees_python       the Python package, into OBSERVEES_INSTALL_PYTHONDIR (Debian's dist-packages)
# The C++ libraries stay static: their interface is C++ types (std::string, std::optional, std::function,
# templates) whose ABI changes with the compiler and the standard library, so a shared C++ library would
# promise a stability it cannot keep. The stable shared interface is the C ABI, with its SONAME.
# On by default only for a top-level build (as fmt's FMT_INSTALL).
option(OBSERVEES_INSTALL "Generate the install rules" ${OBSERVEES_TOP_LEVEL})
if(NOT OBSERVEES_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OBSERVEES_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/observees)

# The C ABI: the shared library (runtime) and its header, namelink, package files (development).
install(TARGETS observees_c EXPORT observeesCTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT observees_runtime NAMELINK_COMPONENT observees_development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT observees_runtime
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT observees_development)
install(FILES ${PROJECT_SOURCE_DIR}/capi/observees.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT observees_development)
install(EXPORT observeesCTargets NAMESPACE observees:: FILE observees_c-targets.cmake
  DESTINATION ${OBSERVEES_INSTALL_CMAKEDIR} COMPONENT observees_development)

# The C++ libraries: static archives whose private dependencies the package config finds again.
set_target_properties(observees_rest PROPERTIES EXPORT_NAME rest)
install(TARGETS observees observees_rest EXPORT observeesTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT observees_development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT observees_development)
# `cmake --install --strip` and cpack strip the archives' debug information too (as Debian's dh_strip).
if(CMAKE_STRIP)
  install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
      foreach(archive libobservees.a libobservees_rest.a)
        execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/\${archive}\")
      endforeach()
    endif()" COMPONENT observees_development)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/observees
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT observees_development
  FILES_MATCHING PATTERN "*.h")
install(EXPORT observeesTargets NAMESPACE observees:: FILE observees-targets.cmake
  DESTINATION ${OBSERVEES_INSTALL_CMAKEDIR} COMPONENT observees_development)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/observeesConfig.cmake.in
  ${PROJECT_BINARY_DIR}/observeesConfig.cmake
  INSTALL_DESTINATION ${OBSERVEES_INSTALL_CMAKEDIR})
# 0.x: only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/observeesConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/observeesConfig.cmake ${PROJECT_BINARY_DIR}/observeesConfigVersion.cmake
  DESTINATION ${OBSERVEES_INSTALL_CMAKEDIR} COMPONENT observees_development)

# pkg-config, relocatable: the prefix is found from the .pc file's own directory.
file(RELATIVE_PATH OBSERVEES_PC_TO_PREFIX
  ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" OBSERVEES_PC_TO_PREFIX "${OBSERVEES_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/observees.pc.in ${PROJECT_BINARY_DIR}/observees.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/observees.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT observees_development)

# observees-server, the docs the code cites, the fixture format's example and the license.
if(TARGET observees-server)
  install(TARGETS observees-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT observees_runtime)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT observees_runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT observees_runtime FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/examples/data/demo.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/observees COMPONENT observees_runtime)

# The Python package (python/observees): pure Python; it finds libobservees_c.so.0 through the system's
# library path (ctypes.util.find_library) once the runtime is installed.
set(OBSERVEES_INSTALL_PYTHONDIR "lib/python3/dist-packages" CACHE STRING
  "Where the Python package is installed, relative to the prefix (Debian's system Python reads lib/python3/dist-packages under /usr)")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/observees
  DESTINATION ${OBSERVEES_INSTALL_PYTHONDIR} COMPONENT observees_python
  FILES_MATCHING PATTERN "*.py" PATTERN "py.typed" PATTERN "__pycache__" EXCLUDE)
# Its distribution metadata, so that pytest finds the plugin (entry point pytest11) as after a pip install.
set(OBSERVEES_DIST_INFO ${PROJECT_BINARY_DIR}/python/observees-${PROJECT_VERSION}.dist-info)
file(WRITE ${OBSERVEES_DIST_INFO}/METADATA "Metadata-Version: 2.1\nName: observees\nVersion: ${PROJECT_VERSION}\n")
file(WRITE ${OBSERVEES_DIST_INFO}/entry_points.txt "[pytest11]\nobservees = observees.pytest_plugin\n")
file(WRITE ${OBSERVEES_DIST_INFO}/INSTALLER "cmake\n")
install(DIRECTORY ${OBSERVEES_DIST_INFO}
  DESTINATION ${OBSERVEES_INSTALL_PYTHONDIR} COMPONENT observees_python)

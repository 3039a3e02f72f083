# Install rules: the C header and libobservees_c (component "c"), the C++ headers and static libraries
# (component "cxx"), a CMake package (find_package(observees), targets observees::observees_c and, with
# COMPONENTS cxx, observees::observees and observees::rest) and a pkg-config file (observees.pc, the C ABI).
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

# Debian packages of the install components (cmake/install.cmake), built by `cpack -G DEB` in the build
# folder into packages/:
#   observees          libobservees_c.so.0 and observees-server (dependencies from dpkg-shlibdeps),
#                      LICENSE, the docs and the demo fixture
#   observees-dev      headers, C++ static libraries, CMake package, pkg-config; the Debian -dev
#                      packages the static libraries need
#   python3-observees  the Python package (system Python, dist-packages)
# Installed binaries and libraries are stripped. scripts/test installs all three and runs the server and
# `import observees` from the installed copies.
if(NOT OBSERVEES_INSTALL)
  return()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME observees)
set(CPACK_PACKAGE_VENDOR "The observees authors")
set(CPACK_PACKAGE_CONTACT "The observees authors <observees@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Canvas LMS's observer rules: a C++20 library, its C ABI and an HTTP server")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_OUTPUT_FILE_PREFIX packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL observees_runtime observees_development observees_python)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # shlibs and the ldconfig trigger for libobservees_c.so.0

set(CPACK_DEBIAN_OBSERVEES_RUNTIME_PACKAGE_NAME observees)
set(CPACK_COMPONENT_OBSERVEES_RUNTIME_DESCRIPTION
  "Canvas LMS's observer rules: libobservees_c (the C ABI) and observees-server (Canvas's User Observees API over HTTP)")

set(CPACK_DEBIAN_OBSERVEES_DEVELOPMENT_PACKAGE_NAME observees-dev)
set(CPACK_DEBIAN_OBSERVEES_DEVELOPMENT_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_OBSERVEES_DEVELOPMENT_DESCRIPTION
  "observees development files: C and C++ headers, static C++ libraries, CMake package, pkg-config")
set(_observees_dev_depends
  "observees (= ${PROJECT_VERSION}), libboost-json1.81-dev, libboost-url1.81-dev, libsqlitecpp-dev, libfmt-dev, libicu-dev, libsodium-dev, pkg-config")
if(OBSERVEES_HAVE_POSTGRES)
  string(APPEND _observees_dev_depends ", libpq-dev")
endif()
set(CPACK_DEBIAN_OBSERVEES_DEVELOPMENT_PACKAGE_DEPENDS "${_observees_dev_depends}")

set(CPACK_DEBIAN_OBSERVEES_PYTHON_PACKAGE_NAME python3-observees)
set(CPACK_DEBIAN_OBSERVEES_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_OBSERVEES_PYTHON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_OBSERVEES_PYTHON_PACKAGE_DEPENDS "observees (= ${PROJECT_VERSION}), python3")
set(CPACK_COMPONENT_OBSERVEES_PYTHON_DESCRIPTION
  "observees for Python: the ctypes binding of libobservees_c and a pytest plugin for observees-server's harness mode")

include(CPack)

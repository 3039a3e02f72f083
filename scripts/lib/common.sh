# Shared by scripts/demo and scripts/test: install what is missing (Debian), then configure a build.
# Sourced, not run.

# Debian packages the build and the tests need.
OBSERVEES_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libboost-json1.81-dev libboost-url1.81-dev libsqlitecpp-dev libsqlite3-dev catch2 libfmt-dev libsodium-dev libicu-dev
  valgrind python3 python3-pytest  # the C ABI's tests: the C test under valgrind, the Python (ctypes) tests, the pytest plugin
  python3-venv python3-pip  # tests/python/test_pip_install.py: pip installs python/ into a venv
  clang-14 libclang-rt-14-dev  # scripts/test's libFuzzer stage (scripts/fuzz); gcc's ASan/UBSan/TSan runtimes come with g++
  libpq-dev postgresql  # the PostgreSQL backend (libpq), and the server scripts/test's PostgreSQL stage starts
  dpkg-dev file binutils  # scripts/test's packages stage: cpack's dpkg-shlibdeps, its ELF detection, objdump
  clang-format git  # scripts/test's format stage (scripts/format --check over git's files)
)

# Installs the packages that are not installed yet (apt-get, as root or through sudo).
observees_install_missing() {
  local missing=()
  local p
  for p in "${OBSERVEES_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# observees_configure BUILD_DIR [cmake args...]
observees_configure() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
}

# The Debian packages (cmake/packaging.cmake) checked as a user gets them: built by cpack from a
# build folder, installed with apt, then used from the installed copies only, in an empty folder
# with an environment that names nothing of the build: observees-server (its --help, and serving the
# installed demo fixture), `import observees` (the system's Python, the library found by the system's
# loader, the pytest plugin's entry point) and a C program built with the installed pkg-config file.
# The packages are removed afterwards, whatever happened. Sourced, not run; needs root or sudo.

# observees_check_packages BUILD_DIR
observees_check_packages() {
  local build=$1 sudo=() rc=0
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  rm -rf "$build/packages"
  (cd "$build" && cpack -G DEB >/dev/null) || { echo "cpack failed"; return 1; }
  local debs=("$build"/packages/*.deb)
  echo "built: ${debs[*]##*/}"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${debs[@]/#/$PWD/}" >/dev/null || { echo "apt-get install of the packages failed"; return 1; }
  local here
  here=$(mktemp -d)
  (
    set -e
    cd "$here"
    run() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$here" "$@"; }
    [ "$(command -v observees-server)" = /usr/bin/observees-server ]
    run observees-server --help | grep -q "^Usage: observees-server"
    for f in /usr/bin/observees-server /usr/lib/libobservees_c.so.0.*; do
      file -L "$f" | grep -q "stripped" && ! file -L "$f" | grep -q "not stripped" || { echo "$f is not stripped"; exit 1; }
    done
    objdump -p /usr/lib/libobservees_c.so.0 | grep -q "SONAME *libobservees_c.so.0"
    run observees-server --db :memory: --seed /usr/share/observees/demo.json --listen 127.0.0.1:0 \
      --fast-password-hashing >server.out 2>server.err &
    local server=$!
    for _ in $(seq 1 100); do grep -q '^listening on' server.out && break; sleep 0.1; done
    local url
    url=$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' server.out)
    run python3 - "$url" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/api/v1/users/self/observees",
                                 headers={"Authorization": "Bearer demo-parent-token"})
users = json.load(urllib.request.urlopen(request, timeout=10))
assert [u["name"] for u in users] == ["Alex Student"], users
PY
    kill -TERM "$server"
    wait "$server"
    run python3 - <<'PY'
import importlib.metadata, observees
assert observees.__file__.startswith("/usr/lib/python3/dist-packages/observees/"), observees.__file__
assert observees.__version__ == importlib.metadata.version("observees"), observees.__version__
with observees.Service(":memory:") as service:
    service.load_fixture_file("/usr/share/observees/demo.json")
plugins = [e.value for e in importlib.metadata.entry_points(group="pytest11")]
assert "observees.pytest_plugin" in plugins, plugins
print("python: observees", observees.__version__, "from", observees.__file__)
PY
    printf '#include <observees.h>\n#include <stdio.h>\nint main(void) { puts(obs_version_string()); return 0; }\n' >c.c
    # shellcheck disable=SC2046
    run cc c.c -o c $(run pkg-config --cflags --libs observees)
    run ./c | grep -q "^[0-9]"
  ) || rc=1
  [ $rc -eq 0 ] && echo "the installed packages work: server, Python, C" || echo "a check of the installed packages failed"
  rm -rf "$here"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get purge -y -qq observees observees-dev python3-observees >/dev/null ||
    rc=1
  return $rc
}

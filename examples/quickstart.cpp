// The quickstart: the whole observer story on an SQLite file seeded from examples/data/demo.json,
// printing each step's Canvas JSON.
//
//   observees_quickstart [DATABASE] [FIXTURE]
//
// DATABASE defaults to observees-quickstart.db in the current directory (recreated on every run);
// FIXTURE to the demo fixture in the source tree.
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "observees/canvas_json.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/storage.h"

namespace {

using namespace observees;

constexpr UserId kAdmin = 1;
constexpr UserId kParent = 10;
constexpr UserId kStudent = 20;
constexpr AccountId kDemoRoot = 1;
constexpr AccountId kDistrictRoot = 2;

void Step(const char* title) { std::printf("\n== %s\n", title); }

void Print(const boost::json::value& value) { std::printf("%s\n", boost::json::serialize(value).c_str()); }

// Prints a failure as Canvas would answer it; false so the walk stops.
bool Failed(const Status& status) {
  const CanvasError error = ErrorFor(status);
  std::printf("HTTP %d %s\n(%s)\n", error.http_status, boost::json::serialize(error.body).c_str(),
              status.ToString().c_str());
  return false;
}

bool PrintUser(const Result<LinkedUser>& user) {
  if (!user.ok()) return Failed(user.status());
  Print(UserJson(*user, "http://canvas.test"));
  return true;
}

bool PrintPage(const Result<UserPage>& page) {
  if (!page.ok()) return Failed(page.status());
  Print(UsersJson(page->users, "http://canvas.test"));
  return true;
}

bool Walk(const ObservationService& service) {
  const Caller student{kStudent, kDemoRoot, {}};
  const Caller parent{kParent, kDemoRoot, {}};
  const Caller district_admin{kAdmin, kDistrictRoot, {}};

  Step("1. Sam (a student) makes a pairing code: POST /api/v1/users/self/observer_pairing_codes");
  auto code = service.CreatePairingCode(student, kStudent);
  if (!code.ok()) return Failed(code.status());
  Print(PairingCodeJson(*code));

  Step("2. Pat (a parent) redeems it: POST /api/v1/users/self/observees pairing_code=...");
  AddObserveeRequest redeem;
  redeem.pairing_code = code->code;
  if (!PrintUser(service.AddObservee(parent, kParent, redeem))) return false;

  Step("3. Pat lists observees: GET /api/v1/users/self/observees?include[]=avatar_url");
  ListOptions list;
  list.include_avatar_url = true;
  if (!PrintPage(service.ListObservees(parent, kParent, list))) return false;

  Step("4. The same code again is refused (single use)");
  Failed(service.AddObservee(parent, kParent, redeem).status());

  Step("5. An administrator links Pat to Sam in the second root account: PUT .../observees/20?root_account_id=2");
  if (!PrintUser(
          service.AddObserveeById(district_admin, kParent, kStudent, RootAccountScope::Account(kDistrictRoot)))) {
    return false;
  }

  Step("6. Sam lists observers: GET /api/v1/users/self/observers");
  if (!PrintPage(service.ListObservers(student, kStudent, {}))) return false;

  Step("7. Pat removes the link in the demo root account: DELETE .../observees/20?root_account_id=1");
  if (!PrintUser(service.RemoveObservee(parent, kParent, kStudent, RootAccountScope::Account(kDemoRoot)))) {
    return false;
  }

  Step("8. Pat lists observees again");
  return PrintPage(service.ListObservees(parent, kParent, {}));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string db_path = argc > 1 ? argv[1] : "observees-quickstart.db";
  const std::string fixture = argc > 2 ? argv[2] : OBSERVEES_SOURCE_DIR "/examples/data/demo.json";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);

  StorageOptions options;
  options.location = db_path;
  auto backend = OpenStorage(options);
  if (!backend.ok()) {
    std::fprintf(stderr, "%s\n", backend.status().ToString().c_str());
    return 1;
  }
  if (const Status seeded = LoadFixtureFile(*backend, fixture); !seeded.ok()) {
    std::fprintf(stderr, "%s\n", seeded.ToString().c_str());
    return 1;
  }
  auto service = ObservationService::Create(backend->Dependencies());
  if (!service.ok()) {
    std::fprintf(stderr, "%s\n", service.status().ToString().c_str());
    return 1;
  }
  std::printf("observees quickstart on %s, seeded from %s\n", db_path.c_str(), fixture.c_str());
  return Walk(**service) ? 0 : 1;
}

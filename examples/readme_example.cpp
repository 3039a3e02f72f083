#include <boost/json/serialize.hpp>
#include <cstdio>

#include "observees/canvas_json.h"
#include "observees/fixture.h"
#include "observees/observation_service.h"
#include "observees/storage.h"

using namespace observees;

// Every call returns a Status or a Result: print what failed, and stop.
static int Failed(const Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

// readme_example [FIXTURE [DATABASE]]: defaults examples/data/demo.json and observees.db.
int main(int argc, char** argv) {
  StorageOptions options;
  options.location = argc > 2 ? argv[2] : "observees.db";  // or ":memory:"; "postgresql://app@db/lms"
  Result<Storage> storage = OpenStorage(options);
  if (!storage.ok()) return Failed(storage.status());
  const char* fixture = argc > 1 ? argv[1] : "examples/data/demo.json";
  if (Status seeded = LoadFixtureFile(*storage, fixture); !seeded.ok()) return Failed(seeded);  // idempotent
  Result<std::unique_ptr<ObservationService>> service = ObservationService::Create(storage->Dependencies());
  if (!service.ok()) return Failed(service.status());

  const Caller student{20, 1, {}};  // user 20 acting through root account 1's domain
  const Caller parent{10, 1, {}};

  Result<PairingCode> code = (*service)->CreatePairingCode(student, 20);
  if (!code.ok()) return Failed(code.status());
  AddObserveeRequest redeem;
  redeem.pairing_code = code->code;
  Result<LinkedUser> linked = (*service)->AddObservee(parent, 10, redeem);
  if (!linked.ok()) {
    CanvasError error = ErrorFor(linked.status());  // e.g. 422 {"errors":[{"message":"Invalid pairing code."}]}
    std::printf("%d %s\n", error.http_status, boost::json::serialize(error.body).c_str());
    return 1;
  }
  ListOptions list;
  list.per_page = 20;
  Result<UserPage> page = (*service)->ListObservees(parent, 10, list);
  if (!page.ok()) return Failed(page.status());
  boost::json::array body = UsersJson(page->users);  // Canvas's User objects with observation_link_root_account_ids
  std::printf("%s\n", boost::json::serialize(body).c_str());
}

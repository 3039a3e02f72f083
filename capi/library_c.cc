// Entry points of observees.h: the library (versions, status names, the last error, obs_free, SQLite's
// statistics) and a service handle's lifetime (open, close, fixtures, reset).
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "arguments.h"
#include "errors.h"
#include "handle.h"
#include "observees.h"
#include "observees/fixture.h"
#include "observees/storage.h"
#include "options.h"

using observees::InvalidArgument;
using observees::Status;
using observees::capi::Guard;
using observees::capi::RequireService;
using observees::capi::Text;

extern "C" {

// The six functions below cannot throw: they only read constants or thread-local state, or free memory.

uint32_t obs_version(void) { return OBS_VERSION_NUMBER; }

const char* obs_version_string(void) { return OBS_VERSION_STRING; }

int obs_disable_sqlite_memory_statistics(void) { return observees::DisableSqliteMemoryStatistics() ? 1 : 0; }

const char* obs_status_name(obs_status status) {
  if (status == OBS_MISUSE) return "misuse";  // the one code of the C ABI's own
  // The C++ name (errors.cc ties the values); "unknown" outside the enum. A string literal: NUL-terminated.
  return observees::StatusCodeName(static_cast<observees::StatusCode>(status)).data();
}

const char* obs_last_error(void) { return observees::capi::LastError().c_str(); }

void obs_free(void* pointer) { std::free(pointer); }

obs_status obs_service_open(const char* path, const char* options_json, obs_service** out_service) {
  return Guard([&]() -> Status {
    observees::capi::ClearOut(out_service);
    OBSERVEES_RETURN_IF_ERROR(observees::capi::RequireOut(out_service, "out_service"));
    auto db_path = Text(path, "path");
    if (!db_path.ok()) return db_path.status();
    if (db_path->empty()) return InvalidArgument("path is empty (use \":memory:\" for an in-memory database)", "path");
    auto options = observees::capi::ReadOptions(options_json);
    if (!options.ok()) return options.status();

    auto handle = std::make_unique<obs_service>();
    std::shared_ptr<observees::Clock> clock;
    if (options->test_clock) {
      handle->test_clock = std::make_shared<observees::FakeClock>(*options->test_clock);
      clock = handle->test_clock;
    }
    options->storage.location = std::string(*db_path);
    options->storage.clock = clock;
    auto backend = observees::OpenStorage(options->storage);
    if (!backend.ok()) return backend.status();
    handle->backend = std::move(*backend);
    auto service = observees::ObservationService::Create(handle->backend.Dependencies(clock), options->service);
    if (!service.ok()) return service.status();
    handle->service = std::shared_ptr<const observees::ObservationService>(std::move(*service));
    auto router = observees::rest::Router::Create(handle->service, handle->backend.directory,
                                                  handle->backend.authenticator, options->rest);
    if (!router.ok()) return router.status();
    handle->router = std::move(*router);
    handle->base_url = std::move(options->base_url);
    handle->scheme = std::move(options->scheme);
    observees::capi::MarkOpen(*handle);
    *out_service = handle.release();
    return Status::Ok();
  });
}

void obs_service_close(obs_service** service) {
  // Destructors do not throw; Guard keeps even a broken invariant from escaping.
  const obs_status ignored = Guard([&]() -> Status {
    if (service == nullptr || *service == nullptr) return Status::Ok();
    OBSERVEES_RETURN_IF_ERROR(RequireService(*service));  // closing twice is a misuse too
    std::unique_ptr<obs_service> handle(*service);
    *service = nullptr;
    observees::capi::Retire(std::move(handle));
    return Status::Ok();
  });
  (void)ignored;
}

obs_status obs_load_fixture(obs_service* service, const char* fixture_json) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    auto text = Text(fixture_json, "fixture_json");
    if (!text.ok()) return text.status();
    return observees::LoadFixture(service->backend, *text);
  });
}

obs_status obs_load_fixture_file(obs_service* service, const char* path) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    auto text = Text(path, "path");
    if (!text.ok()) return text.status();
    return observees::LoadFixtureFile(service->backend, std::string(*text));
  });
}

obs_status obs_service_reset(obs_service* service, const char* fixture_json_or_null) {
  return Guard([&]() -> Status {
    OBSERVEES_RETURN_IF_ERROR(RequireService(service));
    if (fixture_json_or_null == nullptr) return observees::ResetStorage(service->backend);
    auto text = Text(fixture_json_or_null, "fixture_json");
    if (!text.ok()) return text.status();
    return observees::ResetStorage(service->backend, *text);
  });
}

}  // extern "C"

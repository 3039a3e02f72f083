// obs_service, the C ABI's handle, and its armor (observees.h, convention 11): a magic word written at
// open and overwritten at close, and a quarantine that keeps closed handles' emptied memory for a while
// so a call on one is answered OBS_MISUSE. Internal to libobservees_c.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "observees.h"
#include "observees/clock.h"
#include "observees/observation_service.h"
#include "observees/rest.h"
#include "observees/status.h"
#include "observees/storage.h"

// The backend, the service over it, its router and, with "test_clock", the clock. `magic` says
// whether the handle is open (see handle.cc).
struct obs_service {
  std::uint64_t magic = 0;
  observees::Storage backend;
  std::shared_ptr<observees::FakeClock> test_clock;  // null unless opened with "test_clock"
  std::shared_ptr<const observees::ObservationService> service;
  std::unique_ptr<observees::rest::Router> router;
  std::string base_url;  // for relative avatar URLs in the operations' JSON
  std::string scheme;    // of the REST router's requests: "http" or "https"
};

namespace observees::capi {

// kInvalidArgument for NULL; throws Misuse (errors.h) for a closed handle or one obs_service_open did
// not make.
Status RequireService(const obs_service* service);

// From now on RequireService accepts `handle`.
void MarkOpen(obs_service& handle);

// Empties the handle and marks it closed, then keeps its shell until 64 later handles have been
// retired; the oldest is freed then, and a call on it is undefined from that moment.
void Retire(std::unique_ptr<obs_service> handle);

// kInvalidArgument unless the service was opened with "test_clock".
Status RequireTestClock(const obs_service& service);

}  // namespace observees::capi

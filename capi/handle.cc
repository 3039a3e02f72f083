#include "handle.h"

#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

#include "errors.h"

namespace observees::capi {
namespace {

// The first word of a handle.
constexpr std::uint64_t kOpenMagic = 0x6f62732d6f70656eULL;    // "obs-open"
constexpr std::uint64_t kClosedMagic = 0x6f62732d636c6f73ULL;  // "obs-clos"
// How many closed handles keep their (emptied) memory.
constexpr std::size_t kQuarantined = 64;

std::mutex g_quarantine_mutex;
std::deque<std::unique_ptr<obs_service>>& Quarantine() {
  static auto* quarantine = new std::deque<std::unique_ptr<obs_service>>();  // never destroyed: closes at exit
  return *quarantine;
}

}  // namespace

Status RequireService(const obs_service* service) {
  if (service == nullptr) return InvalidArgument("service is NULL", "service");
  if (service->magic == kClosedMagic) throw Misuse{"service was closed"};
  if (service->magic != kOpenMagic) throw Misuse{"service is not a handle obs_service_open made"};
  return Status::Ok();
}

void MarkOpen(obs_service& handle) { handle.magic = kOpenMagic; }

void Retire(std::unique_ptr<obs_service> handle) {
  // Everything goes now but the emptied shell, which waits in the quarantine marked closed.
  handle->router.reset();
  handle->service.reset();
  handle->backend = Storage{};
  handle->test_clock.reset();
  handle->base_url = std::string();
  handle->scheme = std::string();
  handle->magic = kClosedMagic;
  std::unique_ptr<obs_service> evicted;
  {
    const std::lock_guard lock(g_quarantine_mutex);
    Quarantine().push_back(std::move(handle));
    if (Quarantine().size() > kQuarantined) {
      evicted = std::move(Quarantine().front());
      Quarantine().pop_front();
    }
  }
  // `evicted` is freed here: from now on a call on that handle is undefined (convention 11).
}

Status RequireTestClock(const obs_service& service) {
  if (!service.test_clock) return InvalidArgument("the service has no test clock", "service");
  return Status::Ok();
}

}  // namespace observees::capi

// The REST router: Canvas's User Observees HTTP API (the eight endpoints of the API page under
// /api/v1, plus observer self-registration POST /users, and the pairing-code lifecycle extensions
// GET /users/:id/observer_pairing_codes (state[]=active|used|expired|revoked, paginated),
// DELETE /users/:id/observer_pairing_codes/:code_id and DELETE /users/:id/observer_pairing_codes)
// as a pure function from a request to a response. It does no socket work, so any HTTP server can host it. It
// translates only: every rule lives in ObservationService. Thread-safe; Handle never throws and never answers 5xx for
// bad input.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observees/export.h"
#include "observees/observation_service.h"
#include "observees/status.h"

namespace observees::rest {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method;           // "GET", "POST", "PUT", "DELETE", ...
  std::string target;           // origin-form: path and query, e.g. "/api/v1/users/self/observees?page=2"
  std::vector<Header> headers;  // names compared case-insensitively
  std::string body;             // application/x-www-form-urlencoded or application/json
  std::string scheme = "http";  // how the client reached us, for the Link header's URLs
  std::string peer;             // the client's address; keys the attempt limiter for anonymous calls and bad tokens
};

struct Response {
  int status = 200;
  std::vector<Header> headers;  // always Content-Type; Link on lists; WWW-Authenticate on 401s
  std::string body;             // JSON

  // The first header with this name (case-insensitive), if any.
  std::optional<std::string> Find(std::string_view name) const;
};

struct RouterOptions {
  // The root account of a request whose Host matches no account's domains. Default: the root account
  // with the lowest id.
  std::optional<AccountId> default_root_account;
  // The longest value accepted for one parameter (larger: 400). Default 4096 bytes.
  std::size_t max_parameter_bytes = 4096;
  // The largest body the router parses (larger: 413). Default 64 KiB.
  std::size_t max_body_bytes = 64 * 1024;
};

class OBSERVEES_EXPORT Router {
 public:
  // `service` answers the operations; `directory` resolves hosts and sis_user_id paths;
  // `authenticator` resolves bearer tokens. kInvalidArgument when a pointer is null.
  static Result<std::unique_ptr<Router>> Create(std::shared_ptr<const ObservationService> service,
                                                std::shared_ptr<UserDirectory> directory,
                                                std::shared_ptr<Authenticator> authenticator,
                                                RouterOptions options = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  Response Handle(const Request& request) const noexcept;

  // What Handle will do for `request`, so that a host can keep slow work off the threads that serve
  // other requests. Cheap (no storage access, no authentication); never throws.
  enum class Work {
    kRead,          // reads only; never waits for a writer (SQLite WAL; PostgreSQL round trips)
    kWrite,         // may wait for the database's write lock, up to its busy timeout
    kPasswordHash,  // may also run Argon2id (tens of milliseconds, 64 MiB by default)
  };
  Work WorkOf(const Request& request) const noexcept;

 private:
  struct Impl;
  explicit Router(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace observees::rest

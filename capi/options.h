// The options of obs_service_open (observees.h lists them): JSON text read into the library's option
// structs, every documented range checked before anything is opened, so bad options change nothing.
// Internal to libobservees_c.
#pragma once

#include <optional>
#include <string>

#include "observees/rest.h"
#include "observees/service_options.h"
#include "observees/status.h"
#include "observees/storage.h"
#include "observees/timestamp.h"

namespace observees::capi {

struct OpenOptions {
  StorageOptions storage;
  ServiceOptions service;
  std::optional<Timestamp> test_clock;
  std::string base_url;
  rest::RouterOptions rest;
  std::string scheme = "http";
};

// NULL or "": the defaults. kInvalidArgument naming an unknown key or a value out of range.
Result<OpenOptions> ReadOptions(const char* options_json);

}  // namespace observees::capi

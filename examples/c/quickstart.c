/* The quickstart story in C, through the C ABI: a student makes a pairing code, a parent redeems it and
 * lists observees, an administrator links them in a second root account, the parent removes a link.
 * Every step prints the Canvas JSON a client would receive.
 *
 *   observees_c_quickstart [DATABASE] [FIXTURE]
 *
 * DATABASE defaults to ":memory:"; FIXTURE to the demo fixture in the source tree. */
#include <stdio.h>
#include <string.h>

#include "observees.h"

#ifndef OBSERVEES_DEMO_FIXTURE
#define OBSERVEES_DEMO_FIXTURE "examples/data/demo.json"
#endif

enum { kAdmin = 1, kParent = 10, kStudent = 20, kDemoRoot = 1, kDistrictRoot = 2 };

/* Prints a step's outcome: its JSON, or its status and message. Frees the JSON; 0 on failure. */
static int Print(const char* title, obs_status status, char* json) {
  printf("\n== %s\n", title);
  if (status != OBS_OK) {
    printf("%s: %s\n", obs_status_name(status), obs_last_error());
    return 0;
  }
  printf("%s\n", json);
  obs_free(json);
  return 1;
}

/* The "code" of a PairingCode object. */
static void CodeOf(const char* json, char* out, size_t size) {
  const char* at = strstr(json, "\"code\":\"");
  size_t n = 0;
  if (at != NULL) {
    for (at += 8; at[n] != '"' && at[n] != '\0' && n + 1 < size; ++n) out[n] = at[n];
  }
  out[n] = '\0';
}

static int Walk(obs_service* service) {
  char* json = NULL;
  char code[32];
  char request[64];
  obs_status status;

  status = obs_create_pairing_code(service, kStudent, kDemoRoot, kStudent, &json);
  if (status == OBS_OK) CodeOf(json, code, sizeof code);
  if (!Print("1. Sam (a student) makes a pairing code", status, json)) return 0;

  snprintf(request, sizeof request, "{\"pairing_code\": \"%s\"}", code);
  status = obs_add_observee(service, kParent, kDemoRoot, kParent, request, OBS_SCOPE_DOMAIN, &json);
  if (!Print("2. Pat (a parent) redeems it", status, json)) return 0;

  status = obs_list_observees(service, kParent, kDemoRoot, kParent, 1, 0, OBS_LIST_INCLUDE_AVATAR_URL, &json);
  if (!Print("3. Pat lists observees", status, json)) return 0;

  status = obs_add_observee(service, kParent, kDemoRoot, kParent, request, OBS_SCOPE_DOMAIN, &json);
  Print("4. The same code again is refused (single use)", status, json);
  if (status != OBS_INVALID_CODE) return 0;

  status = obs_add_observee_by_id(service, kAdmin, kDistrictRoot, kParent, kStudent, kDistrictRoot, &json);
  if (!Print("5. An administrator links Pat to Sam in the second root account", status, json)) return 0;

  status = obs_list_observers(service, kStudent, kDemoRoot, kStudent, 1, 0, 0, &json);
  if (!Print("6. Sam lists observers", status, json)) return 0;

  status = obs_remove_observee(service, kParent, kDemoRoot, kParent, kStudent, kDemoRoot, &json);
  if (!Print("7. Pat removes the link in the demo root account", status, json)) return 0;

  status = obs_list_observees(service, kParent, kDemoRoot, kParent, 1, 0, 0, &json);
  return Print("8. Pat lists observees again", status, json);
}

int main(int argc, char** argv) {
  const char* database = argc > 1 ? argv[1] : ":memory:";
  const char* fixture = argc > 2 ? argv[2] : OBSERVEES_DEMO_FIXTURE;
  obs_service* service = NULL;
  obs_status status;
  int ok;

  status = obs_service_open(database, "{\"base_url\": \"http://canvas.test\"}", &service);
  if (status == OBS_OK) status = obs_load_fixture_file(service, fixture);
  if (status != OBS_OK) {
    fprintf(stderr, "%s: %s\n", obs_status_name(status), obs_last_error());
    obs_service_close(&service);
    return 1;
  }
  printf("observees %s (C ABI) on %s, seeded from %s\n", obs_version_string(), database, fixture);
  ok = Walk(service);
  obs_service_close(&service);
  return ok ? 0 : 1;
}

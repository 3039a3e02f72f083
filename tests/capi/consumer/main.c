/* Links the installed libobservees_c: opens a service, seeds it, asks a question, prints the answer. */
#include <observees.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  obs_service* service = NULL;
  char* json = NULL;
  obs_status status;

  if (obs_version() != OBS_VERSION_NUMBER) {
    fprintf(stderr, "header %s, library %s\n", OBS_VERSION_STRING, obs_version_string());
    return 1;
  }
  status = obs_service_open(":memory:", "{\"password_hashing\": \"fastest\"}", &service);
  if (status == OBS_OK) {
    status = obs_load_fixture(
        service,
        "{\"accounts\": [{\"id\": 1, \"name\": \"A\"}],"
        " \"users\": [{\"id\": 10, \"name\": \"Pat Parent\","
        " \"logins\": [{\"account_id\": 1, \"unique_id\": \"pat\", \"password\": \"pat-password\"}]}]}");
  }
  if (status == OBS_OK) status = obs_list_observees(service, 10, 1, 10, 1, 0, 0, &json);
  if (status != OBS_OK) {
    fprintf(stderr, "%s: %s\n", obs_status_name(status), obs_last_error());
    obs_service_close(&service);
    return 1;
  }
  printf("c_consumer: %s\n", json);
  status = strcmp(json, "{\"users\":[],\"page\":1,\"per_page\":10,\"total\":0}") == 0 ? OBS_OK : OBS_INTERNAL;
  obs_free(json);
  obs_service_close(&service);
  return status == OBS_OK ? 0 : 1;
}

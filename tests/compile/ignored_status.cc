// Compiled twice by ctest (tests/CMakeLists.txt): as is it must compile; with -DIGNORE it drops a Status
// and a Result on the floor, which [[nodiscard]] turns into an error under -Werror=unused-result.
#include "observees/status.h"

observees::Status Check() { return observees::NotFound("x"); }
observees::Result<int> Count() { return 3; }

int main() {
#ifdef IGNORE
  Check();
  Count();
  return 0;
#else
  const observees::Status s = Check();
  const observees::Result<int> n = Count();
  return s.ok() && n.ok() ? 0 : 1;
#endif
}

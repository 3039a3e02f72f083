#include "observees/random.h"

#include <sodium.h>

#include "secrets.h"

namespace observees {
namespace {

class SodiumRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override { randombytes_buf(out.data(), out.size()); }
};

}  // namespace

std::shared_ptr<RandomSource> SecureRandom() {
  secrets::Init();
  static const auto source = std::make_shared<SodiumRandom>();
  return source;
}

}  // namespace observees

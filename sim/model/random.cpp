#include "brink/random.hpp"

#include <boost/random/seed_seq.hpp>

namespace brink {

void Stream::reseed(std::uint64_t seed, std::uint64_t run_id, StreamPurpose purpose) {
    const std::uint32_t words[] = {
        static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
        static_cast<std::uint32_t>(run_id), static_cast<std::uint32_t>(run_id >> 32),
        static_cast<std::uint32_t>(purpose)};
    boost::random::seed_seq sequence(std::begin(words), std::end(words));
    engine_.seed(sequence);
    normal_.reset();
}

}  // namespace brink

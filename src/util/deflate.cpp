#include "gatehouse/util/deflate.hpp"

#include <zlib.h>

#include <stdexcept>

namespace gatehouse::util {
namespace {

// Owns a z_stream for the duration of one call.
class ZStream {
  public:
    explicit ZStream(bool inflating) : inflating_(inflating) {
        const int rc = inflating ? inflateInit2(&stream_, -MAX_WBITS)
                                 : deflateInit2(&stream_, Z_BEST_COMPRESSION, Z_DEFLATED,
                                                -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        if (rc != Z_OK) throw std::runtime_error("zlib initialisation failed");
    }
    ~ZStream() { inflating_ ? inflateEnd(&stream_) : deflateEnd(&stream_); }
    ZStream(const ZStream&) = delete;
    ZStream& operator=(const ZStream&) = delete;
    z_stream* get() { return &stream_; }

  private:
    z_stream stream_{};
    bool inflating_;
};

}  // namespace

std::string deflate_raw(std::string_view bytes) {
    ZStream z(false);
    z.get()->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.get()->avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char buffer[16384];
    int rc;
    do {
        z.get()->next_out = reinterpret_cast<Bytef*>(buffer);
        z.get()->avail_out = sizeof buffer;
        rc = deflate(z.get(), Z_FINISH);
        out.append(buffer, sizeof buffer - z.get()->avail_out);
    } while (rc == Z_OK);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

Result<std::string> inflate_raw(std::string_view bytes, std::size_t max_output) {
    ZStream z(true);
    z.get()->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.get()->avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char buffer[16384];
    for (;;) {
        z.get()->next_out = reinterpret_cast<Bytef*>(buffer);
        z.get()->avail_out = sizeof buffer;
        const int rc = inflate(z.get(), Z_NO_FLUSH);
        const std::size_t produced = sizeof buffer - z.get()->avail_out;
        if (out.size() + produced > max_output) {
            return fail("deflate.too_large", "The compressed message inflates beyond " +
                                                 std::to_string(max_output) + " bytes.");
        }
        out.append(buffer, produced);
        if (rc == Z_STREAM_END) return out;
        if (rc != Z_OK || (produced == 0 && z.get()->avail_in == 0)) {
            return fail("deflate.invalid", "The compressed message is corrupt or truncated.");
        }
    }
}

}  // namespace gatehouse::util

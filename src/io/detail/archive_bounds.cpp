#include <engram/io/detail/archive_bounds.h>

#include <c10/util/Exception.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace engram::io::detail {

uint64_t read_le(const std::string& in, uint64_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + static_cast<uint64_t>(i)]))
         << (8 * i);
  return v;
}

namespace {

// Zip signatures (APPNOTE.TXT 4.3).
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr size_t kEndOfDirectorySize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;
// Deflate cannot expand by more than 1032:1 (a stream of maximal-length back-references).
constexpr uint64_t kMaxDeflateRatio = 1032;

// True when [at, at + length) lies inside a buffer of `size` bytes, without overflow.
bool fits(uint64_t at, uint64_t length, uint64_t size) {
  return at <= size && length <= size - at;
}

struct Directory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
};

Directory find_directory(const std::string& p) {
  const uint64_t n = p.size();
  TORCH_CHECK(n >= kEndOfDirectorySize, "the payload (", n,
              " bytes) is too short to hold a zip directory");
  // The end-of-directory record is the last 22 bytes plus a comment of at most 65535 bytes.
  uint64_t eocd = n;
  const uint64_t lowest = n - kEndOfDirectorySize > 65535 ? n - kEndOfDirectorySize - 65535 : 0;
  for (uint64_t at = n - kEndOfDirectorySize + 1; at-- > lowest;) {
    if (read_le(p, at, 4) == kEndOfDirectory) {
      eocd = at;
      break;
    }
  }
  TORCH_CHECK(eocd < n, "no zip end-of-directory record");
  Directory d{read_le(p, eocd + 10, 2), read_le(p, eocd + 12, 4), read_le(p, eocd + 16, 4)};
  if (eocd >= 20 && read_le(p, eocd - 20, 4) == kZip64Locator) {
    const uint64_t at = read_le(p, eocd - 20 + 8, 8);
    TORCH_CHECK(fits(at, 56, eocd) && read_le(p, at, 4) == kZip64EndOfDirectory,
                "the zip64 end-of-directory locator points to offset ", at,
                ", which holds no zip64 end-of-directory record");
    d = Directory{read_le(p, at + 32, 8), read_le(p, at + 40, 8), read_le(p, at + 48, 8)};
  }
  TORCH_CHECK(fits(d.offset, d.size, eocd), "the zip directory claims ", d.size,
              " bytes at offset ", d.offset, ", past the ", eocd, " bytes before its end record");
  TORCH_CHECK(d.entries <= d.size / kCentralHeaderSize, "the zip directory claims ", d.entries,
              " records in ", d.size, " bytes");
  return d;
}

struct Record {
  std::string name;
  uint64_t method = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t data_offset = 0;
};

// Reads the central-directory entry at `at` (advanced past it) and checks it against the payload.
Record read_record(const std::string& p, uint64_t& at, uint64_t directory_end) {
  const uint64_t n = p.size();
  TORCH_CHECK(fits(at, kCentralHeaderSize, directory_end) && read_le(p, at, 4) == kCentralHeader,
              "zip directory entry at offset ", at, " is malformed");
  Record r;
  r.method = read_le(p, at + 10, 2);
  r.compressed = read_le(p, at + 20, 4);
  r.uncompressed = read_le(p, at + 24, 4);
  const uint64_t name_length = read_le(p, at + 28, 2);
  const uint64_t extra_length = read_le(p, at + 30, 2);
  const uint64_t comment_length = read_le(p, at + 32, 2);
  uint64_t local = read_le(p, at + 42, 4);
  const uint64_t variable = name_length + extra_length + comment_length;
  TORCH_CHECK(fits(at + kCentralHeaderSize, variable, directory_end),
              "zip directory entry at offset ", at, " runs past the directory");
  r.name = p.substr(at + kCentralHeaderSize, name_length);
  // Zip64: the 0xFFFFFFFF fields are in the extra field, in this order.
  const uint64_t extra = at + kCentralHeaderSize + name_length;
  for (uint64_t e = extra; e + 4 <= extra + extra_length;) {
    const uint64_t id = read_le(p, e, 2);
    const uint64_t length = read_le(p, e + 2, 2);
    TORCH_CHECK(e + 4 + length <= extra + extra_length, "record '", r.name,
                "' has a malformed extra field");
    if (id == kZip64ExtraId) {
      uint64_t f = e + 4;
      for (uint64_t* field : {&r.uncompressed, &r.compressed, &local}) {
        if (*field != 0xFFFFFFFFu)
          continue;
        TORCH_CHECK(f + 8 <= e + 4 + length, "record '", r.name,
                    "' has a truncated zip64 extra field");
        *field = read_le(p, f, 8);
        f += 8;
      }
    }
    e += 4 + length;
  }
  at += kCentralHeaderSize + variable;

  TORCH_CHECK(r.method == 0 || r.method == 8, "record '", r.name, "' uses zip method ", r.method,
              "; expected 0 (stored) or 8 (deflate)");
  TORCH_CHECK(fits(local, kLocalHeaderSize, n) && read_le(p, local, 4) == kLocalHeader, "record '",
              r.name, "' points to offset ", local, ", which holds no zip local header");
  r.data_offset = local + kLocalHeaderSize + read_le(p, local + 26, 2) + read_le(p, local + 28, 2);
  TORCH_CHECK(fits(r.data_offset, r.compressed, n), "record '", r.name, "' claims ", r.compressed,
              " bytes at offset ", r.data_offset, "; the payload holds ", n);
  if (r.method == 0) {
    TORCH_CHECK(r.uncompressed == r.compressed, "stored record '", r.name, "' claims ",
                r.uncompressed, " bytes but holds ", r.compressed);
  } else {
    TORCH_CHECK(r.uncompressed <= kMaxDeflateRatio * r.compressed + 64, "record '", r.name,
                "' claims ", r.uncompressed, " bytes from ", r.compressed,
                " compressed ones, more than deflate can expand to");
  }
  return r;
}

std::string record_bytes(const std::string& p, const Record& r) {
  if (r.method == 0)
    return p.substr(r.data_offset, r.compressed);
  TORCH_CHECK(r.uncompressed <= std::numeric_limits<uInt>::max(), "compressed pickle record '",
              r.name, "' claims ", r.uncompressed, " bytes");
  std::string out(r.uncompressed, '\0');
  z_stream z{};
  TORCH_CHECK(inflateInit2(&z, -MAX_WBITS) == Z_OK, "record '", r.name, "': cannot start inflate");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p.data() + r.data_offset));
  z.avail_in = static_cast<uInt>(r.compressed);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const uint64_t produced = z.total_out;
  inflateEnd(&z);
  TORCH_CHECK(rc == Z_STREAM_END && produced == r.uncompressed, "record '", r.name,
              "' does not inflate to the ", r.uncompressed, " bytes it claims");
  return out;
}

bool is_pickle(const std::string& name) {
  const auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return ends_with(".pkl") || ends_with("_pkl");
}

} // namespace

void check_pickle_bounds(const std::string& b, const std::string& record) {
  const uint64_t n = b.size();
  uint64_t at = 0;
  const auto need = [&](uint64_t bytes, char op) {
    TORCH_CHECK(fits(at, bytes, n), "pickle '", record, "': opcode 0x", std::hex,
                static_cast<int>(static_cast<unsigned char>(op)), std::dec, " at byte ", at - 1,
                " needs ", bytes, " bytes; ", n - at, " remain");
  };
  // An argument of `width` length bytes, then that many bytes.
  const auto skip_counted = [&](int width, char op) {
    need(static_cast<uint64_t>(width), op);
    const uint64_t length = read_le(b, at, width);
    at += static_cast<uint64_t>(width);
    need(length, op);
    at += length;
  };
  const auto line = [&](char op) {
    const auto nl = b.find('\n', at);
    TORCH_CHECK(nl != std::string::npos, "pickle '", record, "': opcode '", op, "' at byte ",
                at - 1, " has no terminating newline");
    at = nl + 1;
  };
  const auto memo = [&](uint64_t id) {
    // Picklers number memo entries from 0; each entry costs at least two bytes.
    TORCH_CHECK(id <= n, "pickle '", record, "': memo index ", id, " at byte ", at, " exceeds the ",
                n, "-byte record");
  };
  while (at < n) {
    const char op = b[at++];
    switch (static_cast<unsigned char>(op)) {
    case '.': // STOP
      return;
    case '(':
    case '0':
    case '1':
    case '2':
    case 'N':
    case 'Q':
    case 'R':
    case 'a':
    case 'b':
    case 'd':
    case '}':
    case 'e':
    case 'l':
    case ']':
    case 'o':
    case 's':
    case 't':
    case ')':
    case 'u':
    case 0x81:
    case 0x85:
    case 0x86:
    case 0x87:
    case 0x88:
    case 0x89:
    case 0x8f:
    case 0x90:
    case 0x91:
    case 0x92:
    case 0x93:
    case 0x94:
    case 0x97:
    case 0x98:
      break; // no argument
    case 'K':
    case 'h':
    case 0x80:
    case 0x82: // one-byte argument
      need(1, op);
      at += 1;
      break;
    case 'q': // BINPUT
      need(1, op);
      at += 1;
      break;
    case 'M':
    case 0x83:
      need(2, op);
      at += 2;
      break;
    case 'J':
    case 'j':
    case 0x84:
      need(4, op);
      at += 4;
      break;
    case 'r': // LONG_BINPUT
      need(4, op);
      memo(read_le(b, at, 4));
      at += 4;
      break;
    case 'G': // BINFLOAT
      need(8, op);
      at += 8;
      break;
    case 'U':
    case 'C':
    case 0x8a:
    case 0x8c: // one-byte length
      skip_counted(1, op);
      break;
    case 'T':
    case 'X':
    case 'B':
    case 0x8b: // four-byte length
      skip_counted(4, op);
      break;
    case 0x8d:
    case 0x8e:
    case 0x96: // eight-byte length
      skip_counted(8, op);
      break;
    case 0x95: // FRAME: an eight-byte frame length, then the frame's opcodes
      need(8, op);
      TORCH_CHECK(read_le(b, at, 8) <= n - at - 8, "pickle '", record, "': frame at byte ", at - 1,
                  " claims more bytes than remain");
      at += 8;
      break;
    case 'c':
    case 'i': // GLOBAL, INST: two lines
      line(op);
      line(op);
      break;
    case 'I':
    case 'L':
    case 'F':
    case 'S':
    case 'V':
    case 'P':
    case 'g':
      line(op);
      break;
    case 'p': { // PUT: a decimal memo index on one line
      const uint64_t start = at;
      line(op);
      uint64_t id = 0;
      for (uint64_t k = start; k + 1 < at; ++k) {
        const char c = b[k];
        TORCH_CHECK(c >= '0' && c <= '9', "pickle '", record, "': PUT at byte ", start - 1,
                    " has no decimal memo index");
        id = std::min<uint64_t>(id * 10 + static_cast<uint64_t>(c - '0'), n + 1); // no overflow
      }
      TORCH_CHECK(id <= n, "pickle '", record, "': memo index ", b.substr(start, at - start - 1),
                  " at byte ", start, " exceeds the ", n, "-byte record");
      break;
    }
    default:
      TORCH_CHECK(false, "pickle '", record, "': unknown opcode 0x", std::hex,
                  static_cast<int>(static_cast<unsigned char>(op)), std::dec, " at byte ", at - 1);
    }
  }
  TORCH_CHECK(false, "pickle '", record, "' ends without a STOP opcode");
}

void check_archive_bounds(const std::string& payload) {
  const Directory d = find_directory(payload);
  uint64_t at = d.offset;
  const uint64_t end = d.offset + d.size;
  for (uint64_t i = 0; i < d.entries; ++i) {
    const Record r = read_record(payload, at, end);
    if (is_pickle(r.name))
      check_pickle_bounds(record_bytes(payload, r), r.name);
  }
}

} // namespace engram::io::detail
